// Fetches the program text named on the command line (-e text, a script file, or stdin)
// as a SourceFile named the way bpftrace names it in messages ("stdin" for -e and -,
// the path for scripts). A file that cannot be read is a one-line error, never a throw.

import { readFile } from 'node:fs/promises';
import type { Message } from '../diag/diagnostic.js';
import { runMessages } from '../diag/messages.js';
import { SourceFile } from '../diag/source.js';
import type { CliIo } from './io.js';
import type { ProgramOrigin } from './options.js';

export type LoadedProgram = { readonly ok: true; readonly source: SourceFile } | { readonly ok: false; readonly message: Message };

/** errno code → the words bpftrace (strerror) uses. */
export const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EROFS: 'Read-only file system',
  EPERM: 'Operation not permitted',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EFBIG: 'File too large',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
};

export async function loadProgram(origin: ProgramOrigin, io: CliIo): Promise<LoadedProgram> {
  switch (origin.kind) {
    case 'inline':
      return { ok: true, source: new SourceFile('stdin', origin.text) };
    case 'stdin':
      return { ok: true, source: new SourceFile('stdin', await io.readStdin()) };
    case 'file':
      try {
        return { ok: true, source: new SourceFile(origin.path, await readFile(origin.path, 'utf8')) };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (code === 'ENOENT') return { ok: false, message: runMessages.fileNotFound(origin.path) };
        const reason = ERRNO_TEXT[code] ?? (e instanceof Error ? e.message : String(e));
        return { ok: false, message: runMessages.fileUnreadable(origin.path, reason) };
      }
  }
}
