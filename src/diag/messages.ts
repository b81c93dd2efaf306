// The catalogue of every user-facing message, each with a stable id. Call sites never
// hold prose: they pick a message here and fill its blanks. Sections follow the pipeline.
// Wording follows bpftrace 0.23 where bpftrace has the same message.

import type { Message } from './diagnostic.js';

function m(id: string, text: string, hints?: readonly string[]): Message {
  return hints ? { id, text, hints } : { id, text };
}

// ── parse ────────────────────────────────────────────────────────────────────────────────
export const parseMessages = {
  syntax: (found: string, expected: string) => m('syntax', `syntax error, unexpected ${found}, expecting ${expected}`),
  syntaxUnexpected: (found: string) => m('syntax', `syntax error, unexpected ${found}`),
  unterminatedString: () => m('unterminated-string', 'unterminated string'),
  unterminatedComment: () => m('unterminated-comment', 'end of file during comment'),
  noAttachPoints: () => m('no-attach-points', 'No attach points for probe'),
  tooDeep: () => m('too-deep', 'the program nests expressions or blocks too deeply to be parsed'),
  nestingLimit: (limit: number) =>
    m('nesting-limit', `the program nests expressions or blocks more than ${limit} levels deep`, [
      'split a long chain of operators with variables: $a = …; $b = $a + …',
    ]),
  tooLong: (length: number, limit: number) =>
    m('too-long', `the program is ${length} characters long; bpftrace-ts parses programs of at most ${limit}`),
  unterminatedConditional: (directive: string) =>
    m('unterminated-conditional', `unterminated ${directive}, expecting #endif`),
  invalidEscape: (c: string) => m('invalid-escape', `invalid escape character '\\${c}'`),
  /** bpftrace prints the raw byte; it is escaped here so a terminal never receives it. */
  invalidCharacter: (c: string) =>
    m('invalid-character', `invalid character '\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}'`),
  octalEscapeRange: (digits: string) => m('octal-escape-range', `octal escape sequence out of range '\\${digits}'`),
  invalidInteger: (text: string) => m('invalid-integer', `invalid integer: ${text}`),
  integerOverflow: (max: bigint, text: string) =>
    m('integer-overflow', `overflow error, maximum value is ${max}: ${text}`),
  scientificCoefficient: (text: string) =>
    m('scientific-coefficient', `coefficient part of scientific literal must be 1-9: ${text}`),
  invalidIntegerSuffix: (suffix: string) => m('invalid-integer-suffix', `invalid integer suffix '${suffix}'`),
  positionalRange: (text: string) =>
    m('positional-range', `param ${text} is out of integer range [1, 9223372036854775807]`),
  duplicateRecordField: (name: string) =>
    m('duplicate-record-field', `Named argument list already contains name: ${name}`),
  immutableField: () =>
    m(
      'immutable-field',
      'Tuples and records are immutable once created. Consider creating a new value and assigning it instead.',
    ),
  invalidAssignTarget: () => m('invalid-assign-target', 'invalid assignment target'),
  cDefinitionOrder: () => m('c-definition-order', 'C definitions must appear before probes and functions'),
  rootLet: () =>
    m('root-let', 'root-level let statements need to be map declarations, e.g. let @a = hash(2);'),
  configOrder: () => m('config-order', 'config must appear before probes and functions'),
  importOrder: () => m('import-order', 'root imports must appear before probes and functions'),
  duplicateConfig: () => m('duplicate-config', 'duplicate config block'),
  unsupportedDirective: (name: string) =>
    m('unsupported-directive', `unsupported preprocessor directive: #${name}`, [
      'bpftrace-ts understands #include, #define, #ifdef, #ifndef, #if defined(…), #else and #endif',
    ]),
  unsupportedCDeclarator: () =>
    m('unsupported-c-declarator', 'unsupported C declaration: only one array dimension is allowed'),
};

// ── check ────────────────────────────────────────────────────────────────────────────────
export const checkMessages = {
  unknownFunction: (name: string) => m('unknown-function', `Unknown function: ${name}`),
  didYouMean: (name: string) => m('did-you-mean', `Did you mean "${name}"?`),

  // imports, preprocessor, macros, parameters
  importNotFound: (path: string) => m('import-not-found', `Could not import ${path}: No such file or directory`),
  importUnsupported: (path: string) => m('import-unsupported', `Unsupported import: ${path} (only .bt scripts can be imported)`),
  importNoParser: () => m('import-no-parser', 'Imports need the parser; none was given to the checker'),
  importConfig: () => m('import-config', 'An imported script cannot contain a config block'),
  importInBlock: () => m('import-in-block', 'import is only allowed at the top level of a script'),
  defineNotExpression: (name: string, value: string) =>
    m('define-not-expression', `Macro ${name} does not expand to an expression: '${value}'`),
  defineArity: (name: string, expected: number, got: number) =>
    m('define-arity', `Macro ${name} expects ${expected} arguments, ${got} given`),
  defineRecursive: (name: string) => m('define-recursive', `Macro ${name} expands recursively`),
  expansionLimit: (name: string, limit: number) =>
    m('expansion-limit', `Macro expansion limit reached: expanding ${name} would copy more than ${limit} nodes`),
  macroRedefinition: (name: string) => m('macro-redefinition', `Redefinition of macro: ${name}`),
  macroUnhygienicMap: (name: string) =>
    m('macro-unhygienic-map', `Unhygienic access to map: @${name}. Maps must be passed into the macro as arguments.`),
  macroShadowsArg: (name: string) => m('macro-shadows-arg', `Variable declaration shadows macro arg $${name}`),
  macroWrongArity: (name: string, expected: number, got: number) =>
    m('macro-arity', `Call to ${name}() has the wrong number of arguments. Expected: ${expected} but got ${got}.`),
  macroNoMatch: (name: string) => m('macro-no-match', `Call to ${name}() has arguments that do not match any definition.`),
  macroClosest: (name: string, expected: number, got: number) =>
    m(
      'macro-closest',
      `The closest definition of ${name}() has a different number of arguments. Expected: ${expected} but got ${got}`,
    ),
  macroArgKind: (macro: string, want: string, param: string, got: string) =>
    m('macro-arg-kind', `Mismatched arg. ${macro}() expects ${want} for arg ${param} but got ${got}.`),
  macroRecursive: (chain: string) => m('macro-recursive', `Recursive macro call detected. Call chain: ${chain}`),
  positionalInvalid: (n: number) => m('positional-invalid', `$${n} is not a valid parameter`),
  positionalStrOffset: (n: number, len: number) =>
    m(
      'positional-str-offset',
      `only addition of a single constant less or equal to the length of $${n} (which is ${len}) is allowed inside str()`,
    ),
  positionalCountInStr: () => m('positional-count-in-str', 'use $#, not str($#)'),
  getoptDefault: () => m('getopt-default', 'getopt() default value must be a boolean, integer or string literal'),
  getoptBadValue: (name: string, value: string, kind: string) =>
    m('getopt-bad-value', `Invalid value for named param --${name}: "${value}" is not a valid ${kind}`),
  getoptConflict: (name: string) => m('getopt-conflict', `Named param --${name} is used with different types`),

  // config
  configUnknown: (key: string) => m('config-unknown', `Unrecognized config variable: ${key}`),
  configEnvOnly: (key: string) => m('config-env-only', `${key} can only be set as an environment variable`),
  configType: (key: string, given: string, expected: string) =>
    m('config-type', `Invalid type for ${key}. Type: ${given}. Expected Type: ${expected}`),
  configBoolValue: (key: string, value: bigint) =>
    m('config-bool-value', `Invalid value for ${key}. Needs to be 0 or 1. Value: ${value}`),
  configChoice: (key: string, choices: readonly string[]) =>
    m(
      'config-choice',
      `Invalid value for ${key}: valid values are ${choices.map((c) => `"${c}"`).join(', ').replace(/, ([^,]*)$/, ', and $1')}.`,
    ),
  configLicense: (value: string) => m('config-license', `Invalid license: ${value}`),

  // probes
  invalidProvider: (name: string) => m('invalid-provider', `Invalid probe type: ${name}`),
  noProviderMatch: (pattern: string) => m('no-provider-match', `No probe type matched for ${pattern}`),
  apArgumentCount: (provider: string, expected: string, found: number) =>
    m('ap-argument-count', `${provider} probe type requires ${expected} arguments, found ${found}`),
  tracepointNotFound: (name: string) => m('tracepoint-not-found', `tracepoint not found: ${name}`),
  tracepointsNotFound: (pattern: string) => m('tracepoints-not-found', `tracepoints not found: ${pattern}`),
  syscallsHint: (event: string) => m('syscalls-hint', `Did you mean syscalls:${event}?`),
  functionNotFound: (name: string) => m('function-not-found', `kernel function not found: ${name}`),
  rawTracepointNotFound: (name: string) => m('rawtracepoint-not-found', `rawtracepoint not found: ${name}`),
  notTraceable: (name: string) =>
    m(
      'not-traceable',
      `${name} is not traceable (either non-existing, inlined, or marked as "notrace"); attaching to it will likely fail`,
    ),
  kprobeNeedsFunction: () => m('kprobe-needs-function', 'kprobes should be attached to a function'),
  offsetNotAllowed: () => m('offset-not-allowed', 'Offset not allowed'),
  invalidOffset: () => m('invalid-offset', 'Invalid offset'),
  uretprobeOffset: () => m('uretprobe-offset', 'uretprobes can not be attached to a function offset'),
  uprobeNeedsTarget: (provider: string) => m('uprobe-needs-target', `${provider} should have a target`),
  uprobeNeedsFunction: (provider: string) =>
    m('uprobe-needs-function', `${provider} should be attached to a function and/or address`),
  tracepointNeedsTarget: () => m('tracepoint-needs-target', 'tracepoint probe must have a target'),
  timeUnitMissing: (provider: string) => m('time-unit-missing', `${provider} probe must have unit of time`),
  timeUnitInvalid: (unit: string) => m('time-unit-invalid', `${unit} is not an accepted unit of time`),
  rateInvalid: (provider: string) => m('rate-invalid', `Invalid rate of ${provider} probe`),
  frequencyPositive: (provider: string) =>
    m('frequency-positive', `${provider} frequency should be a positive integer`),
  countInvalid: (provider: string) => m('count-invalid', `Invalid count for ${provider} probe`),
  softwareUnknown: (name: string) => m('software-unknown', `${name} is not a software probe`),
  hardwareUnknown: (name: string) => m('hardware-unknown', `${name} is not a hardware probe`),
  perfWildcard: (provider: string) => m('perf-wildcard', `wildcards are not allowed for ${provider} probe type`),
  perfEventMissing: (provider: string) => m('perf-event-missing', `${provider} probe must have a ${provider} event name`),
  watchpointAddress: () => m('watchpoint-address', 'watchpoint must be attached to a non-zero address'),
  watchpointLength: () => m('watchpoint-length', 'watchpoint length must be one of (1,2,4,8)'),
  watchpointMode: () => m('watchpoint-mode', 'watchpoint mode must be combination of (r,w,x)'),
  selfSignal: (sig: string) => m('self-signal', `${sig} is not a supported signal`),
  selfTrigger: (target: string) => m('self-trigger', `${target} is not a supported trigger`),
  iterUnknown: (name: string) => m('iter-unknown', `iter ${name} not available for your kernel version.`),
  iterWildcard: () => m('iter-wildcard', 'iter probe type does not support wildcards'),
  iterSingle: () => m('iter-single', 'Only single iter attach point is allowed.'),
  specialTarget: () => m('special-target', 'BEGIN/END probes should not have a target'),
  duplicateSpecial: (name: string) => m('duplicate-special', `More than one ${name} probe defined`),
  noAttachPoints: () => m('no-attach-points', 'No attach points for probe'),
  tooDeep: () => m('too-deep', 'the program nests expressions or blocks too deeply to be parsed'),
  mapDeclType: (kind: string) =>
    m('map-decl-type', `Invalid bpf map type: ${kind}. Valid types are hash, lruhash, percpuhash, percpulruhash and percpuarray`),
  unusedMap: (name: string) => m('unused-map', `Unused map: ${name}`),
  mapDeclDuplicate: (name: string) => m('map-decl-duplicate', `Map ${name} is already declared`),
  mapDeclSize: (name: string) => m('map-decl-size', `Map ${name} must have a positive max entries`),

  // variables and scoping
  undefinedVariable: (name: string) => m('undefined-variable', `Undefined or undeclared variable: ${name}`),
  usedBeforeAssigned: (name: string) => m('used-before-assigned', `Variable used before it was assigned: ${name}`),
  letShadowing: (name: string) =>
    m('let-shadowing', `Variable ${name} was already declared. Variable shadowing is not allowed.`),
  initialDeclaration: () => m('initial-declaration', 'Initial declaration'),
  declarationAfterUse: (name: string) =>
    m(
      'declaration-after-use',
      `Variable declarations need to occur before variable usage or assignment. Variable: ${name}`,
    ),
  loopShadows: (name: string) => m('loop-shadows', `Loop declaration shadows existing variable: ${name}`),
  jumpOutsideLoop: (jump: string) => m('jump-outside-loop', `${jump} used outside of a loop`),
  unreachableAfterJump: (jump: string) => m('unreachable', `All code after a '${jump}' is unreachable.`),
  varTypeMismatch: (name: string, got: string, have: string, segment: string) =>
    m('var-type-mismatch', `Type mismatch for ${name}: trying to assign value of type '${got}' ${segment} '${have}'`),
  varLiteralDoesNotFit: (name: string, value: bigint, type: string) =>
    m(
      'var-literal-does-not-fit',
      `Type mismatch for ${name}: trying to assign value '${value}' which does not fit into the variable of type '${type}'`,
    ),
  signMismatchAssign: (name: string, got: string, result: string) =>
    m('sign-mismatch-assign', `Sign mismatch: ${name} holds unsigned values and is assigned '${got}'; its type becomes '${result}'`),
  invalidAssignment: (type: string) => m('invalid-assignment', `Invalid expression for assignment: ${type}`),
  invalidVarDeclType: (type: string) => m('invalid-var-decl-type', `Invalid variable declaration type: ${type}`),
  variableNoType: (name: string) => m('variable-no-type', `Could not resolve the type of ${name}`),
  aggregateToVariable: (type: string) =>
    m('aggregate-to-variable', `Map value '${type}' cannot be assigned to a scratch variable.`),

  // maps
  undefinedMap: (name: string) => m('undefined-map', `Undefined map: ${name}`),
  mapTypeMismatch: (name: string, got: string, have: string) =>
    m('map-type-mismatch', `Type mismatch for ${name}: trying to assign value of type '${got}' when map already contains a value of type '${have}'`),
  mapKeyMismatch: (name: string, got: string, have: string) =>
    m('map-key-mismatch', `Argument mismatch for ${name}: trying to access with arguments: '${got}' when map expects arguments: '${have}'`),
  mapHasNoKeys: (name: string, got: string) =>
    m('map-has-no-keys', `Argument mismatch for ${name}: trying to access with arguments: '${got}' when map expects no arguments`),
  mapNeedsKeys: (name: string, have: string) =>
    m('map-needs-keys', `Argument mismatch for ${name}: trying to access with no arguments when map expects arguments: '${have}'`),
  badMapKey: (type: string) => m('bad-map-key', `${type} cannot be used as a map key`),
  aggregateMapToMap: (type: string, target: string, call: string) =>
    m(
      'aggregate-map-to-map',
      `Map value '${type}' cannot be assigned from one map to another. The function that returns this type must be called directly e.g. \`${target} = ${call};\`.`,
    ),
  aggregateCastHint: (target: string, source: string) =>
    m('aggregate-cast-hint', `Add a cast to integer if you want the value of the aggregate, e.g. \`${target} = (int64)${source};\`.`),
  aggregateInTuple: (type: string) => m('aggregate-in-tuple', `Map type ${type} cannot exist inside a tuple.`),
  tracepointArgsInMap: () => m('tracepoint-args-in-map', 'Storing tracepoint args in maps is not supported'),
  bufferSizeMismatch: (have: number, got: number, truncate: boolean) =>
    m('buffer-size-mismatch', `Buffer size mismatch: ${have} != ${got}.${truncate ? ' The value may be truncated.' : ''}`),
  tupleMismatch: (have: string, got: string) => m('tuple-mismatch', `Tuple type mismatch: ${have} != ${got}.`),
  arrayMismatch: (have: string, got: string) => m('array-mismatch', `Array type mismatch: ${have} != ${got}.`),
  histBitsMixed: (had: bigint, now: bigint) => m('hist-bits-mixed', `Different bits in a single hist, had ${had} now ${now}`),
  lhistBoundsMixed: () => m('lhist-bounds-mixed', 'Different lhist bounds in a single map unsupported'),
  forMapType: (type: string) => m('for-map-type', `Loop expression does not support type: ${type}`),
  forMapScalar: () => m('for-map-scalar', 'Maps used as for-loop expressions must have keys to iterate over'),
  forRangeBound: (which: string, type: string) =>
    m('for-range-bound', `Loop range requires an integer for the ${which} value, found ${type}`),

  // builtins
  unknownBuiltin: (name: string) => m('unknown-builtin', `Unknown builtin variable: '${name}'`),
  unknownIdentifier: (name: string) => m('unknown-identifier', `Unknown identifier: '${name}'`),
  builtinOutsideProbe: (name: string) => m('builtin-outside-probe', `Builtin ${name} not supported outside probe`),
  builtinInForLoop: (name: string) => m('builtin-in-for-loop', `'${name}' builtin is not allowed in a for-loop`),
  cpidWithoutChild: () => m('cpid-without-child', 'cpid cannot be used without child command'),
  funcNotInProbe: (provider: string) => m('func-not-in-probe', `The func builtin can not be used with '${provider}' probes`),
  retvalNotAllowed: (tracepoint: boolean) =>
    m(
      'retval-not-allowed',
      `The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fentry' probes${tracepoint ? ' (try to use args.ret instead)' : ''}`,
    ),
  retvalFieldMissing: () => m('retval-field-missing', "Can't find a field $retval"),
  argsMixedProbeTypes: () =>
    m(
      'args-mixed-probe-types',
      'The args builtin can only be used within the context of a single probe type, e.g. "probe1 {args}" is valid while "probe1,probe2 {args}" is not.',
    ),
  argsNotAllowed: (family: string) =>
    m('args-not-allowed', `The args builtin can only be used with tracepoint/fentry/uprobe probes (${family} used here)`),
  argsUnreadable: () => m('args-unreadable', 'Cannot read function parameters'),
  ctxMixedProgTypes: (a: string, b: string) => m('ctx-mixed', `ctx cannot be used in different BPF program types: ${a} and ${b}`),
  ctxInTracepoint: () => m('ctx-in-tracepoint', 'Use args instead of ctx in tracepoint'),
  ctxInvalidProgType: () => m('ctx-invalid', 'invalid program type'),
  argNNotAllowed: (name: string) =>
    m('argn-not-allowed', `The ${name} builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes`),
  argNUnsupported: (name: string) => m('argn-unsupported', `x86_64 doesn't support ${name}`),
  sargNNotAllowed: (name: string) =>
    m('sargn-not-allowed', `The ${name} builtin can only be used with 'kprobes' and 'uprobes' probes`),

  // functions
  unsafeFunction: (name: string) => m('unsafe-function', `${name}() is an unsafe function being used in safe mode`),
  functionNotInProbe: (name: string, provider: string) =>
    m('function-not-in-probe', `${name} can not be used with "${provider}" probes`),
  arityExact: (name: string, n: number, got: number) =>
    m(
      'arity',
      `${name}() requires ${n === 0 ? 'no arguments' : n === 1 ? 'one argument' : `${n} arguments`} (${got} provided)`,
    ),
  arityAtLeast: (name: string, n: number, got: number) =>
    m('arity', `${name}() requires at least ${n === 1 ? 'one argument' : `${n} arguments`} (${got} provided)`),
  arityAtMost: (name: string, n: number, got: number) =>
    m(
      'arity',
      `${name}() ${n === 0 ? 'requires no arguments' : n === 1 ? 'takes up to one argument' : `takes up to ${n} arguments`} (${got} provided)`,
    ),
  mustAssignToMap: (name: string) => m('must-assign-to-map', `${name}() should be directly assigned to a map`),
  mustAssignToVar: (name: string) => m('must-assign-to-var', `${name}() should be assigned to a variable`),
  mustNotAssign: (name: string) => m('must-not-assign', `${name}() should not be used in an assignment or as a map key`),
  argWantsLiteral: (name: string, kind: string, given: string) =>
    m('arg-wants-literal', `${name}() expects a ${kind} literal (${given} provided)`),
  argWantsKind: (name: string, kind: string, given: string) =>
    m('arg-wants-kind', `${name}() only supports ${kind} arguments (${given} provided)`),
  formatMismatch: (text: string) => m('format-mismatch', text),
  histBits: (bits: bigint) => m('hist-bits', `hist: bits ${bits} must be 0..5`),
  lhistStep: (step: bigint) => m('lhist-step', `lhist() step must be >= 1 (${step} provided)`),
  lhistBuckets: (n: bigint) => m('lhist-buckets', `lhist() too many buckets, must be <= 1000 (would need ${n})`),
  lhistMinNegative: (min: bigint) => m('lhist-min-negative', `lhist() min must be non-negative (provided min ${min})`),
  lhistMinMax: (min: bigint, max: bigint) =>
    m('lhist-min-max', `lhist() min must be less than max (provided min ${min} and max ${max})`),
  lhistStepRange: (step: bigint, range: bigint) =>
    m('lhist-step-range', `lhist() step is too large for the given range (provided step ${step} for range ${range})`),
  tseriesInterval: () => m('tseries-interval', 'tseries() interval_ns must be >= 1'),
  tseriesCount: () => m('tseries-count', 'tseries() num_intervals must be >= 1 and <= 1000000'),
  tseriesAgg: (agg: string) =>
    m('tseries-agg', `tseries() expects one of the following aggregation functions: avg, max, min, sum ("${agg}" provided)`),
  deleteUsage: () =>
    m('delete-usage', 'delete() expects a map for the first argument and a key for the second argument e.g. `delete(@my_map, 1);`'),
  deleteKeyedMap: () => m('delete-keyed-map', 'delete() expects a map with no keys for the first argument'),
  hasKeyNotMap: () => m('has-key-not-map', 'has_key() expects the first argument to be a map'),
  hasKeyMapValue: () =>
    m('has-key-map-value', 'has_key() expects the first argument to be a map. Not a map value expression.'),
  hasKeyScalar: () => m('has-key-scalar', 'has_key() only accepts maps that have keys. No scalar maps e.g. `@a = 1;`'),
  strWantsIntOrPointer: (type: string) =>
    m('str-wants-int-or-pointer', `str() expects an integer or a pointer type as first argument (${type} provided)`),
  strNegativeLength: (n: bigint) => m('str-negative-length', `str() cannot use negative length (${n})`),
  strLengthTooLong: (n: bigint, max: number) =>
    m('str-length-too-long', `length param (${n}) is too long and will be shortened to ${max} bytes (see BPFTRACE_MAX_STRLEN)`),
  bufWantsArg: (kind: string) => m('buf-wants-arg', `buf() expects an integer, string, or array argument but saw ${kind}`),
  bufNeedsLength: (kind: string) => m('buf-needs-length', `buf() expects a length argument for non-array type ${kind}`),
  bufNegativeLength: (n: bigint) => m('buf-negative-length', `buf cannot use negative length (${n})`),
  bufTooLong: (max: number) =>
    m('buf-too-long', `buf() length is too long and will be shortened to ${max} bytes (see BPFTRACE_MAX_STRLEN)`),
  symWantsIntOrPointer: (name: string) => m('sym-wants-int', `${name}() expects an integer or pointer argument`),
  ntopWantsArg: (kind: string) => m('ntop-wants-arg', `ntop() expects an integer or array argument, got ${kind}`),
  ntopSize: () => m('ntop-size', 'ntop() argument must be 4 or 16 bytes in size'),
  ptonFamily: (addr: string) =>
    m('pton-family', `pton() expects an string argument of an IPv4/IPv6 address, got ${addr}`),
  ptonInvalid: (addr: string) => m('pton-invalid', `pton() expects a valid IPv4/IPv6 address, got ${addr}`),
  joinWantsArg: (kind: string) => m('join-wants-arg', `join() only supports int or pointer arguments (${kind} provided)`),
  regUnknown: (name: string) => m('reg-unknown', `'${name}' is not a valid register on this architecture (x86_64)`),
  uaddrSymbol: (sym: string) =>
    m('uaddr-symbol', `uaddr() expects a string that is a valid symbol (^[a-zA-Z0-9./_-]+$) as input ("${sym}" provided)`),
  printInLoop: () =>
    m(
      'print-in-loop',
      "Due to it's asynchronous nature using 'print()' in a loop can lead to unexpected behavior. The map will likely be updated before the runtime can 'print' it.",
    ),
  printIndexedArgs: () =>
    m('print-indexed-args', 'Single-value (i.e. indexed) map print cannot take additional arguments.'),
  printIndexedMultiOutput: (type: string) =>
    m('print-indexed-multi', `Map type ${type} cannot print the value of individual keys. You must print the whole map.`),
  printStatsTopDiv: () => m('print-stats-top-div', "print()'s top and div arguments are ignored when used on stats() maps."),
  printNonMapArgs: (n: number) => m('print-non-map-args', `Non-map print() only takes 1 argument, ${n} found`),
  notPrintable: (type: string, fn: string) => m('not-printable', `${type} type passed to ${fn}() is not printable`),
  mapOpWantsMap: (name: string) => m('map-op-wants-map', `${name}() expects a map to be provided`),
  mapOpIndexed: (name: string) => m('map-op-indexed', `The map passed to ${name}() should not be indexed by a key`),
  lenWantsMapOrStack: () => m('len-wants', 'len() expects a map or stack to be provided'),
  strftimeMonotonic: () => m('strftime-monotonic', 'strftime() can not take a monotonic timestamp'),
  strftimeNegative: () => m('strftime-negative', 'strftime() timestamp_ns must be non-negative'),
  stackLimit: (name: string, max: number, given: number) =>
    m('stack-limit', `${name}([int limit]): limit shouldn't exceed ${max}, ${given} given`),
  signalInvalidName: (sig: string) => m('signal-invalid-name', `${sig} is not a valid signal`),
  signalOutOfRange: (n: bigint) => m('signal-out-of-range', `${n} is not a valid signal, allowed range: [1,64]`),
  signalWantsArg: () => m('signal-wants-arg', 'signal only accepts string literals or integers'),
  pathNotAllowed: () => m('path-not-allowed', "The path function can only be used with 'fentry', 'fexit', 'iter' probes"),
  pathWantsArg: (kind: string) => m('path-wants-arg', `path() only supports pointer or record argument (${kind} provided)`),
  pathNegativeSize: () => m('path-negative-size', 'Builtin path requires a non-negative size'),
  strncmpNegative: () => m('strncmp-negative', 'Builtin strncmp requires a non-negative size'),
  strcontainsComplexity: () =>
    m(
      'strcontains-complexity',
      "strcontains() is known to have verifier complexity issues when the product of both string sizes is larger than ~2000 bytes.\n\nIf you're seeing errors, try clamping the string sizes. For example:\n* `str($ptr, 16)`\n* `path($ptr, 16)`",
    ),
  overrideKprobeOnly: () => m('override-kprobe-only', 'override can only be used with kprobes.'),
  macaddrWantsArg: (kind: string) => m('macaddr-wants-arg', `macaddr() only supports array or pointer arguments (${kind} provided)`),
  macaddrSize: () => m('macaddr-size', 'macaddr() argument must be 6 bytes in size'),
  macaddrLiteral: () => m('macaddr-literal', 'macaddr() does not support literal string arguments'),
  pidNamespace: (name: string) => m('pid-namespace', `${name}() only accepts curr_ns or init`),
  timestampMode: (name: string) => m('timestamp-mode', `Invalid timestamp mode: ${name}`),

  // expressions
  stringTooLong: (max: number, value: string) => m('string-too-long', `String is too long (over ${max} bytes): ${value}`),
  binaryTypeMismatch: (op: string, l: string, r: string) =>
    m('binary-type-mismatch', `Type mismatch for '${op}': comparing '${l}' with '${r}'`),
  pointerOperator: (op: string, l: string, r: string) =>
    m('pointer-operator', `The ${op} operator can not be used on expressions of types ${l}, ${r}`),
  sargDeprecated: () =>
    m('sarg-deprecated', 'sarg* is deprecated and will be removed in the future. Use *(reg("sp") + <stack_offset>) instead.'),
  binaryOnTypes: (op: string, l: string, r: string) =>
    m('binary-on-types', `The ${op} operator can not be used on expressions of types ${l}, ${r}`),
  arrayCompareSize: () => m('array-compare-size', 'Only arrays of same size support comparison operators.'),
  arrayCompareElem: () => m('array-compare-elem', 'Only arrays of same sized integer support comparison operators.'),
  literalLonger: (size: number) =>
    m('literal-longer', `The literal is longer than the variable string (size=${size}), condition will always be false`),
  signedCompare: (l: string, r: string) =>
    m('signed-compare', `comparison of integers of different signs: '${l}' and '${r}' can lead to undefined behavior`),
  signedArithmetic: (l: string, r: string) =>
    m('signed-arithmetic', `arithmetic on integers of different signs: '${l}' and '${r}' can lead to undefined behavior`),
  signedDivision: (op: string) =>
    m('signed-division', `signed operands for '${op}' can lead to undefined behavior (cast to unsigned to silence warning)`),
  unaryOnType: (op: string, type: string) => m('unary-on-type', `The ${op} operator can not be used on expressions of type '${type}'`),
  derefStruct: (name: string) => m('deref-struct', `Can not dereference struct/union of type '${name}'. It is not a pointer.`),
  ternaryTypes: (a: string, b: string) => m('ternary-types', `Ternary operator must return the same type: have '${a}' and '${b}'`),
  ternaryStacks: () =>
    m('ternary-stacks', 'Ternary operator must have the same stack type on the right and left sides.'),
  ternaryCondition: (kind: string) => m('ternary-condition', `Invalid condition in ternary: ${kind}`),
  ifCondition: (kind: string) => m('if-condition', `Invalid condition in if(): ${kind}`),
  whileCondition: (kind: string) => m('while-condition', `Invalid condition in while(): ${kind}`),
  predicateType: (kind: string) => m('predicate-type', `Invalid type for predicate: ${kind}`),
  unrollInvalid: () => m('unroll-invalid', 'invalid unroll value'),
  unrollMax: () => m('unroll-max', 'unroll maximum value is 100'),
  unrollMin: () => m('unroll-min', 'unroll minimum value is 1'),
  returnValueInProbe: () => m('return-value-in-probe', 'A probe cannot return a value'),
  subprogArgType: (fn: string, n: number, want: string, got: string) =>
    m('subprog-arg-type', `Argument ${n} of ${fn}() must be of type '${want}', not '${got}'`),
  returnType: (declared: string, got: string) => m('return-type', `Function is of type ${declared}, cannot return ${got}`),
  unknownType: (name: string) => m('unknown-type', `Cannot resolve unknown type "${name}"`),
  castToUnknown: (name: string) => m('cast-to-unknown', `Cannot cast to "${name}"`),
  castTo: (name: string) => m('cast-to', `Cannot cast to "${name}"`),
  castFromStruct: (name: string) => m('cast-from-struct', `Cannot cast from struct type "${name}"`),
  castFromTo: (from: string, to: string) => m('cast-from-to', `Cannot cast from "${from}" to "${to}"`),
  bitArrays: () => m('bit-arrays', 'Bit arrays are not supported'),
  arrayCastSize: () =>
    m('array-cast-size', 'Cannot determine array size: the element size is incompatible with the cast integer size'),
  unknownEnum: (name: string) => m('unknown-enum', `Unknown enum: ${name}`),
  enumNoValue: (name: string, v: bigint) => m('enum-no-value', `Enum: ${name} doesn't contain a variant value of ${v}`),
  fieldOnType: (what: string, type: string) => m('field-on-type', `Can not access ${what} on expression of type '${type}'`),
  noSuchField: (struct: string, field: string) =>
    m('no-such-field', `Struct/union of type '${struct}' does not contain a field named '${field}'`),
  recordNoField: (record: string, field: string) =>
    m('record-no-field', `Record of type '${record}' does not contain a field named '${field}'`),
  recordDuplicateField: (field: string) => m('record-duplicate-field', `Named argument list already contains name: ${field}`),
  unknownStruct: (name: string) => m('unknown-struct', `Unknown struct/union: '${name}'`),
  commonTracepointField: () => m('common-tp-field', 'BPF does not support accessing common tracepoint fields'),
  tupleIndex: (i: number, n: number) => m('tuple-index', `Invalid tuple index: ${i}. Found ${n} elements in tuple.`),
  tupleIndexConstant: () => m('tuple-index-constant', 'Tuples must be indexed with a constant and non-negative integer'),
  indexOnType: (kind: string) =>
    m('index-on-type', `The array index operator [] can only be used on arrays and pointers, found ${kind}.`),
  indexOutOfBounds: (i: bigint, n: number) => m('index-out-of-bounds', `the index ${i} is out of bounds for array of size ${n}`),
  indexVoidPointer: () =>
    m('index-void-pointer', 'The array index operator [] cannot be used on a pointer to an unsized type (void *).'),
  indexNotInteger: () => m('index-not-integer', 'The array index operator [] only accepts integer indices.'),
  offsetofNotRecord: (type: string) => m('offsetof-not-record', `'${type}' is not a record type.`),
  offsetofNoField: (type: string, field: string) => m('offsetof-no-field', `'${type}' has no field named '${field}'`),
  typeofPlacement: () =>
    m('typeof-placement', 'typeof() can only be used in variable declarations, casts, macro arguments and sizeof/offsetof'),
};

// ── compile ──────────────────────────────────────────────────────────────────────────────
export const compileMessages = {
  /** A program whose values do not fit the 512-byte eBPF stack. */
  stackLimit: (detail: string) => m('compile-stack-limit', detail),
  /** A construct the compiler has no code for. */
  unsupported: (detail: string) => m('compile-unsupported', detail),
  /** More instructions than the kernel accepts in one program. */
  tooManyInsns: (name: string, n: number, limit: number) =>
    m('compile-too-many-insns', `program for ${name} has ${n} instructions, more than the kernel's limit of ${limit}`),
};

// ── run (cli, loader, runtime) ───────────────────────────────────────────────────────────
export const runMessages = {
  fileNotFound: (path: string) => m('file-not-found', `failed to open file '${path}': No such file or directory`),
  fileUnreadable: (path: string, reason: string) => m('file-unreadable', `failed to open file '${path}': ${reason}`),
  commandLine: (problem: string) => m('command-line', problem, ['bpftrace-ts --help lists the options']),
  cannotRunYet: () =>
    m('cannot-run-yet', 'running programs is not available in this build; --dry-run parses and checks the program'),
  // Helper errors reported at run time (runtime/output/printer.ts), worded as bpftrace 0.23.
  helperMapFull: () => m('helper-map-full', "Map full; can't update element. Try increasing max_map_keys config"),
  helperDeleteMissing: () => m('helper-delete-missing', "Can't delete map element because it does not exist."),
  helperLookupMissing: () => m('helper-lookup-missing', "Can't lookup map element because it does not exist."),
  // Running a program (src/runtime).
  outputFileUnopenable: (path: string, reason: string) => m('output-file', `Failed to open output file: "${path}": ${reason}`),
  mapCreateFailed: (name: string, errno: number) => m('map-create', `Error creating map: '${name}' (errno ${errno})`),
  probeNotSimulated: (probe: string, why: string) =>
    m('probe-not-simulated', `cannot attach ${probe}: ${why}`, ['the synthetic world simulates tracepoints, kprobes, kretprobes, fentry/fexit, profile, interval, software and hardware probes']),
  unknownWorkload: (problem: string) => m('unknown-workload', problem),
  engineUnavailable: (engine: string) => m('engine-unavailable', `the '${engine}' engine is not part of this build`, ["--engine interp runs programs with the interpreter"]),
  defaultDuration: (duration: string) =>
    m('default-duration', `bpftrace-ts: stopped after ${duration} of virtual time (the default; the program did not exit — use --duration or Ctrl-C to choose)`),
  internalError: (what: string) => m('internal-error', `internal error: ${what}`),
  attachFailed: (probe: string) => m('attach-failed', `Error attaching probe: ${probe}`),
  attachSkipped: (probe: string) => m('attach-skipped', `could not attach probe ${probe}, skipping.`),
  // Attach and load failures as bpftrace 0.23 (and the bcc it attaches kprobes with) word them.
  attachFailedBecause: (probe: string, why: string) => m('attach-failed', `Error attaching probe: ${probe}: ${why}`),
  moduleNotLoaded: (module: string, probe: string) => m('module-not-loaded', `specified module ${module} in probe ${probe} is not loaded.`),
  kprobeEntryMissing: () => m('kprobe-entry-missing', 'cannot attach kprobe, probe entry may not exist'),
  noBtfFound: (what: string) => m('no-btf', `No BTF found for ${what}`),
  noBtfFoundSkipping: (what: string) => m('no-btf', `No BTF found for ${what}, skipping.`),
  rawTracepointMissing: (probe: string) => m('rawtracepoint-missing', `Probe does not exist: ${probe}`),
  tracepointIdMissing: (category: string, event: string) =>
    m('tracepoint-id-missing', `open(/sys/kernel/tracing/events/${category}/${event}/id): No such file or directory`),
  noProbes: () => m('no-probes', 'No probes to attach'),
  tooManyProbes: (n: number, limit: number) =>
    m(
      'too-many-probes',
      `Can't attach to ${n} probes because it exceeds the current limit of ${limit} probes.\n` +
        'You can increase the limit through the BPFTRACE_MAX_PROBES environment variable, but BE CAREFUL since a high number of probes attached can cause your system to crash.',
    ),
  outputWriteFailed: (where: string, reason: string) => m('output-write-failed', `failed to write to ${where}: ${reason}`),
  /** `--emit-elf FILE` could not be written (bpftrace 0.23's words). */
  elfWriteFailed: (path: string, reason: string) => m('elf-write-failed', `failed to write elf: Failed to open: ${path}: ${reason}`),
};

// ── repl (src/cli/repl, src/runtime/session*) ────────────────────────────────────────────
export const replMessages = {
  importInRepl: () => m('repl-import', 'import is not available at the prompt', ['.load FILE.bt reads a script into the session']),
  mixedSpecial: () =>
    m('repl-mixed-special', 'at the prompt, BEGIN and END blocks stand alone', ['give the other probes a block of their own']),
  unknownCommand: (name: string) => m('repl-unknown-command', `unknown command '${name}'`, ['.help lists the commands']),
  usage: (usage: string) => m('repl-usage', `usage: ${usage}`),
  badDuration: (text: string) => m('repl-bad-duration', `invalid duration '${text}' (examples: 1s, 250ms, 2m)`),
  badSeed: (text: string) => m('repl-bad-seed', `invalid seed '${text}': an integer from 0 to 4294967295`),
  noSuchMap: (name: string) => m('repl-no-such-map', `no map named ${name} in this run`),
  mapRetyped: (name: string) => m('repl-map-retyped', `${name} changed its layout; its entries were dropped`),
  nothingToDump: () => m('repl-nothing-to-dump', 'nothing entered yet'),
  fileUnwritable: (path: string, reason: string) => m('repl-file-unwritable', `failed to write '${path}': ${reason}`),
  // Notes the REPL prints about itself (on stderr).
  welcome: (version: string, world: string) =>
    m('repl-welcome', `bpftrace-ts ${version}: a REPL over a synthetic world (${world}).\nType .help for help, Ctrl-D to leave.`),
  world: (seed: number, cpus: number, workload: string) => m('repl-world', `seed ${seed}, ${cpus} CPUs, workload ${workload}`),
  newWorld: (world: string) => m('repl-new-world', `a new world: ${world}`),
  ran: (duration: string, events: number, at: string) => m('repl-ran', `ran ${duration}: ${events} events (the world is at ${at})`),
  stoppedAfter: (duration: string, events: number, at: string) =>
    m('repl-stopped', `stopped after ${duration}: ${events} events (the world is at ${at})`),
  runEnded: () => m('repl-run-ended', 'the run ended: its probes are detached and its maps are gone'),
  noRun: () => m('repl-no-run', 'no run under way'),
  noMaps: () => m('repl-no-maps', 'no maps'),
  noProbesAttached: () => m('repl-no-probes', 'no probes attached'),
  noProbeMatches: (pattern: string) => m('repl-no-probe-matches', `no probes match '${pattern}'`),
  saved: (path: string) => m('repl-saved', `wrote ${path}`),
  reset: () => m('repl-reset', 'everything entered is gone; the world starts again'),
  leaveHint: () => m('repl-leave-hint', '(.exit or Ctrl-D leaves)'),
  workloads: (current: string, names: readonly string[]) => m('repl-workloads', `workload ${current} (available: ${names.join(', ')})`),
};
