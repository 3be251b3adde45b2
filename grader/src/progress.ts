/** A one-line progress bar over a batch of submissions; plain lines when not on a terminal. */
export interface Progress {
  start(total: number): void;
  update(done: number, label: string): void;
  finish(): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr, width = 24): Progress {
  let total = 0;
  const started = Date.now();
  const tty = Boolean(stream.isTTY);
  return {
    start(n) {
      total = n;
    },
    update(done, label) {
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const elapsed = ((Date.now() - started) / 1000).toFixed(0);
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${elapsed}s ${label}`;
      if (tty) stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
      else stream.write(line + '\n');
    },
    finish() {
      if (tty) stream.write('\n');
    },
  };
}

export const silentProgress: Progress = { start() {}, update() {}, finish() {} };
