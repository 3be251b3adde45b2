// Fast suites run by default; suites named *.slow.test.ts (real Jupyter clients, JupyterLab in a
// browser, notebooks end to end) run when TSDL_SLOW=1, which `tsdl test` sets. See test/README.md.
const slow = process.env.TSDL_SLOW === '1';
module.exports = {
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/helpers/jest-global-setup.js',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // TypeScript 7's API is ES modules, which Node requires directly but jest's module system
    // does not (before Node 24.9): turned into CommonJS for tests only.
    '/node_modules/typescript-7/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!typescript-7/)'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.venv/', ...(slow ? [] : ['\\.slow\\.test\\.ts$'])],
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/.venv/', '<rootDir>/dist/'],
};
