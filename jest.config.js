// One jest run, four projects. Every project transpiles with swc to ES2020+ so that async functions
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
    project('simulator'),
    // the simulator's browser render mode, live preview and README pictures, in Debian's Chromium
    project('browser'),
    // e2e functions travel as source text to the runtime: never instrument them
    project('e2e', { coveragePathIgnorePatterns: ['.*'] }),
  ],
};
