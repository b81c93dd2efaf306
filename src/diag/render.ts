// Renders diagnostics the way bpftrace prints them: `stdin:1:14-17: ERROR: message`, the
// source line, a `~~~` underline under the span, then `HINT:` lines. The only module that
// knows chalk; colour is decided by the caller (TTY and NO_COLOR), never here.

import { Chalk } from 'chalk';
import type { Diagnostic } from './diagnostic.js';
import type { SourceFile, Span } from './source.js';

export interface RenderOptions {
  readonly color?: boolean;
}

/** `name:line:col-col` for a span on one line, `name:line-line` for a span over several. */
export function formatLocation(source: SourceFile, span: Span): string {
  const begin = source.position(span.start);
  // The end is exclusive; an empty span still underlines one column.
  const end = source.position(Math.max(span.end, span.start + 1));
  if (begin.line !== end.line) {
    // A span ending just after a newline belongs to the line before.
    const endLine = end.column === 1 ? end.line - 1 : end.line;
    if (endLine !== begin.line) return `${source.name}:${begin.line}-${endLine}`;
    return `${source.name}:${begin.line}:${begin.column}-${source.line(begin.line).length + 1}`;
  }
  return `${source.name}:${begin.line}:${begin.column}-${end.column}`;
}

/** The lines bpftrace shows under a located message: the source line(s) and the underline. */
export function sourceContext(source: SourceFile, span: Span): string[] {
  const begin = source.position(span.start);
  const endPos = source.position(Math.max(span.end, span.start + 1));
  const endLine = endPos.line !== begin.line && endPos.column === 1 ? endPos.line - 1 : endPos.line;
  if (endLine !== begin.line) {
    const lines: string[] = [];
    for (let l = begin.line; l <= endLine; l++) lines.push(expandTabs(source.line(l)));
    return lines;
  }
  const text = source.line(begin.line);
  const endColumn = endPos.line === begin.line ? endPos.column : text.length + 1;
  let underline = '';
  for (let x = 0; x < text.length && x < endColumn - 1; x++) {
    const mark = x < begin.column - 1 ? ' ' : '~';
    underline += text[x] === '\t' ? mark.repeat(4) : mark;
  }
  return [expandTabs(text), underline];
}

function expandTabs(line: string): string {
  return line.replace(/\t/g, '    ');
}

export function renderDiagnostic(d: Diagnostic, options: RenderOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const label = d.severity === 'error' ? c.red('ERROR:') : c.yellow('WARNING:');
  const out: string[] = [];
  if (d.source && d.span) {
    out.push(`${formatLocation(d.source, d.span)}: ${label} ${d.message}`);
    const [line, underline] = sourceContext(d.source, d.span);
    if (line !== undefined) out.push(line);
    if (underline !== undefined) out.push(c.green(underline));
  } else {
    out.push(`${label} ${d.message}`);
  }
  for (const h of d.hints) out.push(`${c.cyan('HINT:')} ${h}`);
  return out.join('\n') + '\n';
}

export function renderDiagnostics(ds: readonly Diagnostic[], options: RenderOptions = {}): string {
  return ds.map((d) => renderDiagnostic(d, options)).join('');
}
