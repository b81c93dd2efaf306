// The workload profiles bundled in probes/workloads/*.json: their names and their parsed JSON.
// In: a profile name or a path to a JSON file. Out: WorkloadJson, or an error message that
// names what went wrong (the CLI turns it into a diagnostic). Not the compiler (workload.ts).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { catalogPath } from '../probes/location.js';
import type { WorkloadJson } from './workload.js';

/** The default profile. */
export const DEFAULT_WORKLOAD = 'mixed';

/** Names of the bundled profiles, sorted. */
export function workloadNames(): string[] {
  return readdirSync(catalogPath('workloads'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** A bundled profile by name, or a profile file by path (anything containing '/' or ending in .json). */
export function loadBundledWorkload(nameOrPath: string): WorkloadJson | string {
  const isPath = nameOrPath.includes('/') || nameOrPath.endsWith('.json');
  const file = isPath ? nameOrPath : catalogPath('workloads', `${nameOrPath}.json`);
  if (!existsSync(file)) {
    return isPath
      ? `workload file not found: ${nameOrPath}`
      : `unknown workload '${nameOrPath}' (available: ${workloadNames().join(', ')})`;
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WorkloadJson;
  } catch (e) {
    return `workload ${nameOrPath}: invalid JSON: ${(e as Error).message}`;
  }
}
