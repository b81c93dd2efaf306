#!/usr/bin/env node
// bin/bpftrace-ts.js, from source: the same main() with the real process (stdin, signals,
// exit code), run through Vite's module runner so the hardening tests can spawn the current
// code without a build. Not for users: bin/bpftrace-ts.js runs the built CLI.

import { fileURLToPath } from 'node:url';
import { createServer, createServerModuleRunner } from 'vite';

const server = await createServer({
  configFile: false,
  root: fileURLToPath(new URL('..', import.meta.url)),
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  appType: 'custom',
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
const { main } = await runner.import(fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)));

main(process.argv.slice(2)).then(async (code) => {
  process.exitCode = code;
  await server.close();
});
