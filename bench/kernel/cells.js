// The cells the kernel benches send, shared by compile.js and checkers.js; run.py's long_cell is
// the Python twin of longCell (change both together).
'use strict';

/** The same 100-line cell as run.py's long_cell: 98 annotated constants, a function, a call. */
function longCell(tag) {
  const lines = [];
  for (let i = 0; i < 98; i++) lines.push(`const v${tag}_${i}: number = Math.sqrt(${i}) * ${i} + ${i % 7};`);
  lines.push(`function sum${tag}(xs: number[]): number { return xs.reduce((a, b) => a + b, 0); }`);
  lines.push(`sum${tag}([v${tag}_1, v${tag}_2, v${tag}_97])`);
  return lines.join('\n');
}

module.exports = { longCell };
