// One jest run, five projects (server-pg: the server suites again on PostgreSQL, plus its own). Every project transpiles with swc to ES2020+ so that async functions
// stay native: the automator client sends the e2e specs' functions as source text to the runtime.
'use strict';

const swcTransform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      jsc: { target: 'es2020', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    },
  ],
};

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: swcTransform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  // Most suites wait on sockets and real timers, not the CPU: two workers on a two-core machine take a third off the
  // wall time (jest's default would be one).
  maxWorkers: 2,
  projects: [
    project('unit'),
    project('server'),
    // the backend's whole suite once more with the PostgreSQL store (TEST_STORE=postgres), plus the multi-instance
    // tests, on one throwaway cluster started for the run (test/fixtures/pg-cluster.ts)
    project('server-pg', {
      testMatch: ['<rootDir>/test/server/**/*.test.ts', '<rootDir>/test/server-pg/**/*.test.ts'],
      // the SQLite store's own file-level cases; PostgreSQL runs the shared contract in test/server-pg
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/server/store-sqlite\\.test\\.ts$'],
      setupFiles: ['<rootDir>/test/server-pg/select-store.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/server-pg/timeout.ts'],
      globalSetup: '<rootDir>/test/server-pg/global-setup.ts',
      globalTeardown: '<rootDir>/test/server-pg/global-teardown.ts',
    }),
    project('simulator'),
    // the simulator's browser render mode, live preview and README pictures, in Debian's Chromium
    project('browser'),
    // e2e functions travel as source text to the runtime: never instrument them
    project('e2e', { coveragePathIgnorePatterns: ['.*'] }),
  ],
};
