// `--dump types`: a readable listing of what the checker resolved — the config that differs
// from the defaults, every map with its key and value types and Linux map type, every probe
// with its attach points, matches, context record and scratch variables, and the format
// strings. In: CheckedProgram; out: text. It prints, nothing else.

import { DEFAULT_CONFIG, type ConfigValues } from './config.js';
import type { CheckedProgram } from './program.js';
import { typeName } from './types.js';

export function dumpTypes(checked: CheckedProgram): string {
  const out: string[] = [];

  const changed = (Object.keys(checked.config) as (keyof ConfigValues)[]).filter((k) => checked.config[k] !== DEFAULT_CONFIG[k]);
  out.push(`config: max_strlen=${checked.config.max_strlen} max_map_keys=${checked.config.max_map_keys} stack_mode=${checked.config.stack_mode}`);
  for (const k of changed) {
    if (k === 'max_strlen' || k === 'max_map_keys' || k === 'stack_mode') continue;
    out.push(`  ${k}=${String(checked.config[k])}`);
  }

  out.push('maps:');
  if (checked.maps.size === 0) out.push('  (none)');
  for (const m of [...checked.maps.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const key = m.keyType ? `[${typeName(m.keyType)}]` : '';
    const params = m.aggregation?.params ? ` (${m.aggregation.params.join(', ')})` : '';
    const flags = [m.bpfMapType, `${m.maxEntries} entries`, ...(m.declared ? ['declared'] : []), ...(m.read ? ['read'] : [])].join(', ');
    out.push(`  ${m.name}${key}: ${typeName(m.valueType)}${params}  [${flags}]`);
  }

  out.push('probes:');
  for (const p of checked.probes) {
    const aps = p.attachPoints.map((a) => a.node.raw).join(', ');
    const prog = p.progType ?? [...new Set(p.attachPoints.map((a) => a.progType))].join('+');
    out.push(`  #${p.index} ${aps}  [${prog}${p.expandPerMatch ? ', one program per match' : ''}]`);
    for (const ap of p.attachPoints) {
      const extra = ap.period ? ` every ${ap.period.value} ${ap.period.unit}` : ap.offset !== undefined ? ` +${ap.offset}` : '';
      out.push(`    ${ap.provider}${extra}: ${ap.matches.length} match${ap.matches.length === 1 ? '' : 'es'}`);
      const shown = ap.matches.slice(0, 8);
      for (const m of shown) {
        const ctx = m.args ? `  args: ${m.args.name}` : '';
        const ret = m.retval ? `  retval: ${typeName(m.retval)}` : '';
        out.push(`      ${m.name}${ctx}${ret}`);
      }
      if (ap.matches.length > shown.length) out.push(`      … ${ap.matches.length - shown.length} more`);
    }
    if (p.builtinsUsed.length > 0) out.push(`    builtins: ${p.builtinsUsed.join(', ')}`);
    for (const v of p.variables) out.push(`    ${v.name}#${v.id}: ${typeName(v.type)}`);
  }
  for (const s of checked.subprogs) {
    out.push(`  fn ${s.node.name}(${s.params.map((p) => `${p.name}: ${typeName(p.type)}`).join(', ')}): ${typeName(s.returnType)}`);
    for (const v of s.variables.slice(s.params.length)) out.push(`    ${v.name}#${v.id}: ${typeName(v.type)}`);
  }

  if (checked.formats.length > 0) {
    out.push('formats:');
    for (const f of checked.formats) {
      out.push(`  #${f.id} ${f.func} ${JSON.stringify(f.format)} (${f.argTypes.map(typeName).join(', ')})`);
    }
  }
  if (checked.namedParams.length > 0) {
    out.push('named parameters:');
    for (const n of checked.namedParams) out.push(`  --${n.name}: ${n.kind} = ${String(n.value)} (default ${String(n.default)})`);
  }
  return out.join('\n') + '\n';
}
