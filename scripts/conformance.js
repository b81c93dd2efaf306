#!/usr/bin/env node
// Launcher for `npm run conformance -- DIR`: runs src/ebpf/conformance-cli.ts straight from
// source through Vite's module runner (a devDependency via vitest), so no build is needed
// and a half-built tree elsewhere cannot stop it. Exit status is the CLI's.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const entry = fileURLToPath(new URL('../src/ebpf/conformance-cli.ts', import.meta.url));
const { module } = await runnerImport(entry, { configFile: false, logLevel: 'error' });
process.exitCode = module.main(process.argv.slice(2));
