/**
 * How wide a label will be, without a font engine: the static SVG is drawn in Node, where no text
 * can be measured, so each character counts by its class. The widths are DejaVu Sans's (what
 * "Helvetica, Arial, sans-serif" falls back to on Linux, measured in Chromium), the widest of the
 * fonts a viewer picks for that family; Helvetica and Arial are 5–15 % narrower, so a label that
 * fits by this estimate fits there too.
 */

const NARROW = new Set([...'ijl.,:;\'|!']);
const SEMI_NARROW = new Set([...'fIrt()[]{}-/\\"`']);
const WIDE = new Set([...'mwMW%…—']);
const SYMBOL = new Set([...'×·–+=<>_~^*#&@$']);

/** Width of one character in em. */
function charEm(ch: string): number {
  if (ch === ' ') return 0.32;
  if (NARROW.has(ch)) return 0.32;
  if (SEMI_NARROW.has(ch)) return 0.4;
  if (WIDE.has(ch)) return 0.95;
  if (SYMBOL.has(ch)) return 0.84;
  if (/[0-9]/.test(ch)) return 0.64;
  if (/[a-z]/.test(ch)) return 0.6;
  if (/[A-Z]/.test(ch)) return 0.72;
  // CJK, kana, Hangul and full-width forms take a whole em
  const cp = ch.codePointAt(0)!;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xff60)) return 1;
  return 0.7;
}

/** Estimated width in pixels of `text` at `fontSize` pixels. */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em * fontSize;
}

/**
 * The largest font size from `size` down to `minSize` (in steps of 0.5) at which `text` fits
 * `maxWidth` pixels; below that, the text is cut at the end with "…" at `minSize`. A label that
 * fits unchanged keeps its text and size.
 */
export function fitText(text: string, size: number, maxWidth: number, minSize = 8): { text: string; size: number } {
  for (let s = size; s >= minSize; s -= 0.5) if (textWidth(text, s) <= maxWidth) return { text, size: s };
  const chars = [...text];
  while (chars.length > 0 && textWidth(chars.join('') + '…', minSize) > maxWidth) chars.pop();
  return { text: chars.length > 0 ? chars.join('').trimEnd() + '…' : '', size: minSize };
}
