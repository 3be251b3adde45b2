/**
 * The compile step's whole suite (cell-compiler.test.ts) again, with TypeScript 7's native checker
 * started as the kernel starts it: every cell it can take goes the native path (native-checker.ts,
 * native-declarations.ts, swc-emit.ts), the rest TypeScript 6's, and the notebook must not tell.
 */
process.env.TSDL_TEST_NATIVE_CHECKER = '1';
require('./cell-compiler.test');
// Read once as the suite loaded; a test file run after this one in the same worker must not see it.
delete process.env.TSDL_TEST_NATIVE_CHECKER;
