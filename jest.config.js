/**
 * One project per test folder; `npm test` (plain `jest`) runs them all. `npx jest --selectProjects
 * unit` runs only test/unit: it has no global setup, so it needs neither Java nor DynamoDB Local.
 * Every other project shares the one in-memory DynamoDB Local the global setup starts (jest runs a
 * global setup module once, however many selected projects name it).
 */
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // middy ships ESM only: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  testTimeout: 30000,
};

const withDynamoDbLocal = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'], setupFiles: ['<rootDir>/test/support/fast-check-limits.ts'] },
    ...['integration', 'faults', 'e2e', 'browser'].map((name) => ({
      ...shared,
      ...withDynamoDbLocal,
      displayName: name,
      roots: [`<rootDir>/test/${name}`],
    })),
  ],
};
