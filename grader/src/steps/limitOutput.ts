/**
 * nbgrader's LimitOutput, plus a cap on characters: a cell that prints megabytes keeps its first
 * lines and a note. A stream is shortened, never dropped, so a stderr stream still fails its test
 * cell as nbgrader's rule says, and an execute_result (partial credit) is always kept.
 */
import { step } from '../pipeline';
import type { Output } from '../notebook';

export interface OutputLimits {
  /** Lines of stream output kept per cell (nbgrader's LimitOutput.max_lines). */
  maxLines: number;
  /** Characters of output kept per cell, streams and rich outputs together. */
  maxChars: number;
  /** Traceback lines kept per error (nbgrader's LimitOutput.max_traceback). */
  maxTraceback: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = { maxLines: 1000, maxChars: 100_000, maxTraceback: 100 };

const TRUNCATED = '... Output truncated ...';

/** Consecutive writes to one stream become one output, as Jupyter front ends show them. */
export function mergeStreams(outputs: readonly Output[]): Output[] {
  const merged: Output[] = [];
  for (const o of outputs) {
    const last = merged[merged.length - 1];
    if (o.output_type === 'stream' && last?.output_type === 'stream' && last.name === o.name) {
      merged[merged.length - 1] = { ...last, text: last.text + o.text };
    } else {
      merged.push(o.output_type === 'stream' ? { ...o } : o);
    }
  }
  return merged;
}

function size(o: Output): number {
  if (o.output_type === 'stream') return o.text.length;
  if (o.output_type === 'error') return o.evalue.length + o.traceback.reduce((n, l) => n + l.length, 0);
  return JSON.stringify(o.data).length;
}

export function limitOutputs(outputs: readonly Output[], limits: OutputLimits): Output[] {
  let lines = 0;
  let chars = 0;
  return mergeStreams(outputs).map((o) => {
    if (o.output_type === 'stream') {
      let text = o.text;
      const textLines = text.split('\n');
      if (lines + textLines.length > limits.maxLines) {
        text = [...textLines.slice(0, Math.max(0, limits.maxLines - lines - 1)), TRUNCATED].join('\n');
      }
      if (chars + text.length > limits.maxChars) text = text.slice(0, Math.max(0, limits.maxChars - chars)) + `\n${TRUNCATED}`;
      lines += text.split('\n').length;
      chars += text.length;
      return { ...o, text };
    }
    if (o.output_type === 'error') {
      let traceback = o.traceback;
      if (traceback.length > limits.maxTraceback) {
        const start = Math.floor(limits.maxTraceback / 2);
        const end = limits.maxTraceback - start - 1;
        traceback = [...traceback.slice(0, start), '... Traceback truncated ...', ...traceback.slice(traceback.length - end)];
      }
      // The kernel repeats the error's message in the traceback's first line: a huge message is
      // cut there too, each line to its share of the limit, so the location lines after it stay.
      if (traceback.reduce((n, l) => n + l.length, 0) > limits.maxChars) {
        const share = Math.floor(limits.maxChars / traceback.length);
        traceback = traceback.map((l) => (l.length > share ? l.slice(0, share) + TRUNCATED : l));
      }
      const evalue = o.evalue.length > limits.maxChars ? o.evalue.slice(0, limits.maxChars) + TRUNCATED : o.evalue;
      const limited = { ...o, evalue, traceback };
      chars += size(limited);
      return limited;
    }
    const n = size(o);
    if (chars + n > limits.maxChars) {
      const plain = o.data['text/plain'];
      // Keep a short text/plain: a partial-credit number must survive.
      const data = typeof plain === 'string' && plain.length <= 1000 ? { 'text/plain': plain } : { 'text/plain': `[${n} characters of output removed: more than the grader keeps]` };
      chars += JSON.stringify(data).length;
      return { ...o, data };
    }
    chars += n;
    return o;
  });
}

export const limitOutput = step<{ outputLimits: OutputLimits }>('limitOutput', (nb, ctx) => {
  for (const cell of nb.cells) {
    if (cell.cell_type === 'code') cell.outputs = limitOutputs(cell.outputs ?? [], ctx.outputLimits);
  }
});
