/**
 * Cells the compiler thread compiles while the kernel is idle after start-up, so that V8 has
 * optimised TypeScript's checker and emitter before the user's own cells arrive.
 *
 * Right after the warm-up a new one-liner takes several times longer to compile than once a few
 * hundred cells have gone through, and a 100-line cell about four times longer
 * (bench/kernel/compile.js). The cells are compiled and never committed, so no name they declare
 * reaches the notebook; each is small, so a request that arrives meanwhile waits for one of them at
 * most.
 */

/** Typical notebook code: declarations with and without types, calls, classes, generics, await. */
const MIXED = `const values: number[] = [1, 2, 3].map((x) => x * 2);
let total = 0;
for (const v of values) total += Math.sqrt(v) * 2 + (v % 3);
function mean(xs: number[]): number { return xs.reduce((a, b) => a + b, 0) / xs.length; }
const label = \`mean \${mean(values).toFixed(2)} of \${values.length}\`;
interface Point { x: number; y: number; name?: string }
const points: Point[] = values.map((v, i) => ({ x: v, y: i, name: String(i) }));
class Counter { private n = 0; add(by = 1): this { this.n += by; return this; } get value(): number { return this.n; } }
const counter = new Counter().add(2).add();
const byName = new Map<string, Point>(points.map((p) => [p.name ?? '', p]));
const far = points.filter((p) => Math.hypot(p.x, p.y) > 1).sort((a, b) => a.x - b.x);
async function later<T>(value: T): Promise<T> { return value; }
const answer = await later({ total, label, count: counter.value, far: far.length, keys: [...byName.keys()] });
type Pair = [string, number];
const pairs: Pair[] = Object.entries({ a: 1, b: 2 });
const text = JSON.stringify(answer) + pairs.join(',');
text.length > 0 ? text.slice(0, 10) : undefined
`;

/** Many declarations of one kind, like a long cell of constants. */
function declarations(round: number): string {
  const lines = Array.from({ length: 60 }, (_, i) => `const w${round}_${i}: number = Math.max(${i}, ${round}) * ${i % 5} - ${i};`);
  lines.push(`const all${round} = [w${round}_0, w${round}_1].map((x) => x + 1);`, `all${round}.length`);
  return lines.join('\n');
}

/**
 * The training cells, in order: short ones first, as they are the commonest. Every text differs
 * (numbers, suffixed names): the same text against the same program reuses the last compile, which
 * would train nothing.
 */
export function trainingCells(): string[] {
  const cells: string[] = [];
  for (let i = 0; i < 40; i++) cells.push(`${i} * 2 + 1`);
  for (let round = 0; round < 12; round++) {
    cells.push(MIXED.replace(/\b(values|total|mean|label|points|Counter|counter|byName|far|later|answer|pairs|text)\b/g, `$1_${round}`));
    cells.push(declarations(round));
  }
  return cells;
}
