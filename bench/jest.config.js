module.exports = {
  ...require('@envoy-fleet/config/jest'),
  testMatch: ['<rootDir>/*/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
};
