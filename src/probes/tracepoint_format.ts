// Parses the text of a tracefs `format` file (events/<category>/<event>/format) into its
// fields: name, C type, offset, size, signedness, __data_loc and array length. Input is the
// file's exact text; output is plain data. It does not read files (catalog.ts does) and does
// not decide bpftrace's typing of `args` (the checker does, from these facts).

import { parseCType, type CType, type CTypeNames } from './ctype.js';

export interface TracepointField {
  readonly name: string;
  /**
   * The field's type as the format file spells it, with any array suffix moved onto it:
   * 'const char *', 'char[16]' (from 'char prev_comm[16]'), '__data_loc char[]'.
   */
  readonly typeText: string;
  /** The declaration exactly as written after `field:`, which `bpftrace -lv` prints. */
  readonly decl: string;
  readonly offset: number;
  /**
   * Bytes the field occupies in the record. It can differ from type.size: syscall
   * tracepoints store every argument in 8 bytes ('int dfd' has size 8), and a __data_loc
   * field is a 4-byte locator.
   */
  readonly size: number;
  readonly signed: boolean;
  /**
   * A dynamic array: the 4-byte field holds (length << 16) | offset of the data within the
   * record. `type` then describes the data ('char[]', arrayLength 0).
   */
  readonly dataLoc: boolean;
  /** Element count of a fixed array field ('char comm[16]' → 16); 0 for a dynamic one. */
  readonly arrayLength?: number;
  /** The fields before the format's first blank line: common_type, common_flags, common_preempt_count, common_pid. */
  readonly common: boolean;
  readonly type: CType;
}

export interface TracepointFormat {
  readonly category: string;
  readonly event: string;
  /** The `ID:` line: the event's id in this kernel (the world may use it as common_type). */
  readonly id: number;
  /** Every field in file order, the common ones first (flagged `common`). */
  readonly fields: readonly TracepointField[];
  /** Bytes of the record a program's context points to: the end of the last field. */
  readonly size: number;
  /** The `print fmt:` line's text after the colon. */
  readonly printFmt: string;
}

const FIELD_LINE = /^\s*field:([^;]*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/;

/** A field whose type the catalog cannot resolve still has a known size: keep it usable. */
function fallbackType(typeText: string, size: number, signed: boolean): CType {
  if (typeText.includes('*')) {
    return { text: typeText, base: 'void', baseKind: 'void', baseSize: 0, signed: false, pointerDepth: 1, size: 8 };
  }
  return { text: typeText, base: typeText, baseKind: 'int', baseSize: size, signed, pointerDepth: 0, size };
}

export function parseTracepointFormat(
  text: string,
  category: string,
  event: string,
  names: CTypeNames,
): TracepointFormat {
  const fields: TracepointField[] = [];
  let id = -1;
  let printFmt = '';
  let common = true;
  let inFormat = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('ID:')) {
      id = Number(line.slice(3).trim());
      continue;
    }
    if (line.startsWith('format:')) {
      inFormat = true;
      continue;
    }
    if (line.startsWith('print fmt:')) {
      printFmt = line.slice('print fmt:'.length).trim();
      inFormat = false;
      continue;
    }
    if (!inFormat) continue;
    if (line.trim() === '') {
      if (fields.length > 0) common = false;
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (!m) continue;
    const decl = m[1]!;
    const offset = Number(m[2]);
    const size = Number(m[3]);
    const signed = m[4] === '1';
    // The name is the last word, as bpftrace splits it; an array suffix rides on the name.
    const cut = Math.max(decl.lastIndexOf(' '), decl.lastIndexOf('\t'));
    let typePart = decl.slice(0, cut).trim();
    let name = decl.slice(cut + 1);
    let arrayLength: number | undefined;
    const arr = /^(\w+)\[(\d*)\]$/.exec(name);
    if (arr) {
      name = arr[1]!;
      arrayLength = arr[2] === '' ? 0 : Number(arr[2]);
      typePart = `${typePart}[${arr[2]}]`;
    }
    const dataLoc = typePart.startsWith('__data_loc');
    if (dataLoc) arrayLength = 0;
    const dataText = dataLoc ? typePart.slice('__data_loc'.length).trim() : typePart;
    const type = parseCType(dataText, names) ?? fallbackType(dataText, size, signed);
    const field: TracepointField = {
      name,
      typeText: typePart,
      decl,
      offset,
      size,
      signed,
      dataLoc,
      common,
      type,
      ...(arrayLength !== undefined ? { arrayLength } : {}),
    };
    fields.push(field);
  }
  const size = fields.reduce((end, f) => Math.max(end, f.offset + f.size), 0);
  return { category, event, id, fields, size, printFmt };
}
