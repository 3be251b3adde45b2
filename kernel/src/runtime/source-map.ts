/**
 * Maps positions in a cell's emitted JavaScript back to the cell's TypeScript, so tracebacks point
 * at the lines the user wrote. A minimal decoder for the source map "mappings" (VLQ) format.
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** [generated column, source line, source column] segments per generated line (all 0-based). */
export type DecodedMappings = Array<Array<[number, number, number]>>;

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = DIGIT.get(ch);
    if (digit === undefined) throw new Error(`invalid source map character "${ch}"`);
    value += (digit & 31) << shift;
    if (digit & 32) { shift += 5; continue; }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

export function decodeMappings(mappings: string): DecodedMappings {
  const lines: DecodedMappings = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const line of mappings.split(';')) {
    const segments: Array<[number, number, number]> = [];
    let column = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      column += v[0];
      if (v.length >= 4) {
        sourceLine += v[2];
        sourceColumn += v[3];
        segments.push([column, sourceLine, sourceColumn]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/** 1-based JS line/column -> 1-based source line/column (nearest segment at or before). */
export function originalPosition(map: DecodedMappings, line: number, column: number): { line: number; column: number } | undefined {
  const segments = map[line - 1];
  if (!segments || segments.length === 0) return undefined;
  let best = segments[0];
  for (const s of segments) {
    if (s[0] <= column - 1) best = s;
    else break;
  }
  return { line: best[1] + 1, column: best[2] + 1 + Math.max(0, column - 1 - best[0]) };
}
