/**
 * Jupyter counts cursor positions in Unicode code points; JavaScript strings index UTF-16 units.
 * These convert between the two so completion works after an emoji or a CJK comment.
 */

export function codePointToUtf16(text: string, codePoints: number): number {
  let units = 0;
  let points = 0;
  while (points < codePoints && units < text.length) {
    const c = text.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < text.length ? 2 : 1;
    points++;
  }
  return units;
}

export function utf16ToCodePoint(text: string, units: number): number {
  let points = 0;
  for (let i = 0; i < units && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) i++;
    points++;
  }
  return points;
}

/** 1-based line and column (UTF-16) of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { line, column: offset - lineStart + 1 };
}

export function lineText(text: string, line: number): string {
  return text.split('\n')[line - 1] ?? '';
}
