module.exports = {
  ...require('@envoy-fleet/config/jest'),
  // Suites run real containers (on vfs storage, where each one copies its image): give them time.
  testTimeout: 120_000,
  // The envoy-sim image the suites run in place of Envoy: imported once per run, removed at the end.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
