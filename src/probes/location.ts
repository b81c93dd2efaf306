// Where the probe catalog's data files live: the repository's probes/ folder, found from this
// module's own location (src/probes/ when run from source, dist/probes/ when built; both sit
// two levels below the package root). Paths only; reading and caching is catalog.ts.

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path of a file under probes/, e.g. catalogPath('tracepoints', 'index.txt'). */
export function catalogPath(...parts: string[]): string {
  return join(packageRoot, 'probes', ...parts);
}
