/** Text helpers shared by results, exercises and feedback. */

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
/** Terminal colours taken out of kernel tracebacks, for files and web pages. */
export const stripAnsi = (s: string) => s.replace(ANSI, '');
