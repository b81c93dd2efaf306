import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds src/parse/generated/ from grammar/bpftrace.ohm when missing or stale.
    globalSetup: ['scripts/build-grammar.js'],
    testTimeout: 60_000,
  },
});
