// bpftrace's config variables: a table of keys with their kind and default, and the
// resolution of the script's `config = { … }` block plus caller overrides (environment
// variables win over the script, as in bpftrace). In: Config AST nodes; out: ConfigValues
// and diagnostics. It does not read the environment itself: the CLI passes overrides in.

import type { Config, ConfigEntry } from '../parse/ast.js';
import type { DiagnosticBag } from '../diag/diagnostic.js';
import type { SourceFile } from '../diag/source.js';
import { checkMessages as M } from '../diag/messages.js';

export interface ConfigValues {
  readonly cache_user_symbols: 'PER_PID' | 'PER_PROGRAM' | 'NONE';
  readonly cpp_demangle: boolean;
  readonly lazy_symbolication: boolean;
  readonly license: string;
  readonly log_size: number;
  readonly max_bpf_progs: number;
  readonly max_cat_bytes: number;
  readonly max_map_keys: number;
  readonly max_probes: number;
  /** Bytes of str()/buf()/path() results and of every string bpftrace reads (NUL included). */
  readonly max_strlen: number;
  readonly missing_probes: 'error' | 'warn' | 'ignore';
  readonly on_stack_limit: number;
  readonly perf_rb_pages: number;
  readonly print_maps_on_exit: boolean;
  readonly probe_inline: boolean;
  readonly show_debug_info: boolean;
  readonly stack_mode: 'bpftrace' | 'perf' | 'raw';
  readonly str_trunc_trailer: string;
  readonly symbol_source: 'dwarf' | 'symbol_table';
  readonly use_blazesym: boolean;
  readonly unstable_import_statement: Unstable;
  readonly unstable_tseries: Unstable;
  readonly unstable_typeinfo: Unstable;
  readonly unstable_dw_ustack: Unstable;
  readonly unstable_map_decl: Unstable;
  readonly unstable_macro: Unstable;
}

export type Unstable = 'enable' | 'warn' | 'error';

type Kind = 'int' | 'bool' | 'string' | 'choice';

interface ConfigKey {
  readonly key: keyof ConfigValues;
  readonly kind: Kind;
  /** For 'choice' keys: the accepted values (identifiers or strings). */
  readonly choices?: readonly string[];
}

const UNSTABLE = ['enable', 'warn', 'error'] as const;

/** Every key a script may set, with how its value is read. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  { key: 'cache_user_symbols', kind: 'choice', choices: ['PER_PID', 'PER_PROGRAM', 'NONE'] },
  { key: 'cpp_demangle', kind: 'bool' },
  { key: 'lazy_symbolication', kind: 'bool' },
  { key: 'license', kind: 'string' },
  { key: 'log_size', kind: 'int' },
  { key: 'max_bpf_progs', kind: 'int' },
  { key: 'max_cat_bytes', kind: 'int' },
  { key: 'max_map_keys', kind: 'int' },
  { key: 'max_probes', kind: 'int' },
  { key: 'max_strlen', kind: 'int' },
  { key: 'missing_probes', kind: 'choice', choices: ['ignore', 'warn', 'error'] },
  { key: 'on_stack_limit', kind: 'int' },
  { key: 'perf_rb_pages', kind: 'int' },
  { key: 'print_maps_on_exit', kind: 'bool' },
  { key: 'probe_inline', kind: 'bool' },
  { key: 'show_debug_info', kind: 'bool' },
  { key: 'stack_mode', kind: 'choice', choices: ['bpftrace', 'perf', 'raw'] },
  { key: 'str_trunc_trailer', kind: 'string' },
  { key: 'symbol_source', kind: 'choice', choices: ['dwarf', 'symbol_table'] },
  { key: 'use_blazesym', kind: 'bool' },
  { key: 'unstable_import_statement', kind: 'choice', choices: UNSTABLE },
  { key: 'unstable_tseries', kind: 'choice', choices: UNSTABLE },
  { key: 'unstable_typeinfo', kind: 'choice', choices: UNSTABLE },
  { key: 'unstable_dw_ustack', kind: 'choice', choices: UNSTABLE },
  { key: 'unstable_map_decl', kind: 'choice', choices: UNSTABLE },
  { key: 'unstable_macro', kind: 'choice', choices: UNSTABLE },
];

/** bpftrace 0.23's defaults (max_strlen 1024, missing_probes warn, …). */
export const DEFAULT_CONFIG: ConfigValues = {
  cache_user_symbols: 'PER_PID',
  cpp_demangle: true,
  lazy_symbolication: false,
  license: 'GPL',
  log_size: 1000000,
  max_bpf_progs: 1024,
  max_cat_bytes: 10240,
  max_map_keys: 4096,
  max_probes: 1024,
  max_strlen: 1024,
  missing_probes: 'warn',
  on_stack_limit: 32,
  perf_rb_pages: 64,
  print_maps_on_exit: true,
  probe_inline: false,
  show_debug_info: false,
  stack_mode: 'bpftrace',
  str_trunc_trailer: '..',
  symbol_source: 'dwarf',
  use_blazesym: false,
  unstable_import_statement: 'enable',
  unstable_tseries: 'enable',
  unstable_typeinfo: 'enable',
  unstable_dw_ustack: 'enable',
  unstable_map_decl: 'enable',
  unstable_macro: 'enable',
};

/** Settings bpftrace only takes from the environment. */
const ENV_ONLY = new Set(['btf', 'debug_output', 'kernel_build', 'kernel_source', 'max_ast_nodes', 'verify_llvm_ir', 'vmlinux']);

const LICENSES = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

/** `BPFTRACE_MAX_STRLEN`, `MAX_STRLEN`, `max_strlen` all name the same key. */
export function normalizeConfigKey(raw: string): string {
  const lower = raw.toLowerCase();
  return lower.startsWith('bpftrace_') ? lower.slice('bpftrace_'.length) : lower;
}

export function configKey(raw: string): ConfigKey | undefined {
  const k = normalizeConfigKey(raw);
  return CONFIG_KEYS.find((c) => c.key === k);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Applies the config block(s), then the caller's overrides (environment variables or the
 * CLI), which take precedence. Errors go to `bag`; the returned values are usable even then.
 */
export function resolveConfig(
  blocks: readonly { node: Config; source: SourceFile }[],
  overrides: Readonly<Record<string, string | number | boolean>> | undefined,
  bag: DiagnosticBag,
): ConfigValues {
  const values: Mutable<ConfigValues> = { ...DEFAULT_CONFIG };
  const setByScript = new Set<string>();
  for (const { node, source } of blocks) {
    for (const entry of node.entries) {
      const key = applyEntry(values, entry, source, bag);
      if (key) setByScript.add(key);
    }
  }
  for (const [raw, value] of Object.entries(overrides ?? {})) {
    const key = configKey(raw);
    if (!key) continue;
    const parsed = parseOverride(key, value);
    if (parsed !== undefined) (values as Record<string, unknown>)[key.key] = parsed;
  }
  return values;
}

function applyEntry(values: Mutable<ConfigValues>, entry: ConfigEntry, source: SourceFile, bag: DiagnosticBag): string | undefined {
  const normalized = normalizeConfigKey(entry.key);
  if (ENV_ONLY.has(normalized)) {
    bag.error(source, entry.span, M.configEnvOnly(normalized));
    return undefined;
  }
  const key = configKey(entry.key);
  if (!key) {
    bag.error(source, entry.span, M.configUnknown(entry.key));
    return undefined;
  }
  const v = entry.value;
  const given = v.kind === 'Int' ? 'int' : v.kind === 'String' ? 'string' : v.kind === 'Bool' ? 'bool' : 'identifier';
  const set = (x: unknown) => ((values as Record<string, unknown>)[key.key] = x);
  switch (key.kind) {
    case 'int':
      if (v.kind !== 'Int') return typeError();
      set(Number(v.value));
      return key.key;
    case 'bool':
      if (v.kind === 'Bool') set(v.value);
      else if (v.kind === 'Int' && (v.value === 0n || v.value === 1n)) set(v.value === 1n);
      else if (v.kind === 'Int') {
        bag.error(source, entry.span, M.configBoolValue(entry.key, v.value));
        return undefined;
      } else if (v.kind === 'Identifier' && (v.name === 'true' || v.name === 'false')) set(v.name === 'true');
      else return typeError();
      return key.key;
    case 'string':
      if (v.kind !== 'String') return typeError();
      if (key.key === 'license' && !LICENSES.has(v.value)) {
        bag.error(source, entry.value.span, M.configLicense(v.value));
        return undefined;
      }
      set(v.value);
      return key.key;
    case 'choice': {
      const text = v.kind === 'String' ? v.value : v.kind === 'Identifier' ? v.name : undefined;
      if (text === undefined) return typeError();
      const choice = key.choices!.find((c) => c === text) ?? key.choices!.find((c) => c.toLowerCase() === text.toLowerCase());
      if (!choice) {
        bag.error(source, entry.value.span, M.configChoice(key.key, key.choices!));
        return undefined;
      }
      set(choice);
      return key.key;
    }
  }

  function typeError(): undefined {
    const expected = key!.kind === 'choice' ? (key!.key === 'stack_mode' ? 'stack_mode' : 'string') : key!.kind === 'bool' ? 'int' : key!.kind;
    bag.error(source, entry.span, M.configType(entry.key, given === 'identifier' ? 'none' : given, expected));
    return undefined;
  }
}

function parseOverride(key: ConfigKey, value: string | number | boolean): unknown {
  switch (key.kind) {
    case 'int': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true') return true;
      if (value === 0 || value === '0' || value === 'false') return false;
      return undefined;
    case 'string':
      return String(value);
    case 'choice':
      return key.choices!.find((c) => c.toLowerCase() === String(value).toLowerCase());
  }
}
