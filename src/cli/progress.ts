/**
 * A one-line progress indicator on stderr for long reads: rows read, rate and time left. Shown only
 * to a person: stderr is a terminal, not in CI, not with --quiet, and only once a read has taken a
 * moment, so small files print nothing.
 */
import type { Progress, ProgressListener } from '../input/csv.js';
import type { CliIo } from './io.js';

const FIRST_AFTER_MS = 500;
const EVERY_MS = 200;

export function progressReporter(io: CliIo, options: { quiet?: boolean }): { listener?: ProgressListener; done(): void } {
  if (options.quiet || !io.stderrIsTTY || io.env.CI) return { done: () => undefined };
  const started = Date.now();
  let lastShown = 0;
  let shown = false;
  const listener: ProgressListener = (progress) => {
    const now = Date.now();
    if (now - started < FIRST_AFTER_MS || now - lastShown < EVERY_MS) return;
    lastShown = now;
    shown = true;
    io.stderr.write(`\r\u001b[2K${progressLine(progress, (now - started) / 1000)}`);
  };
  return {
    listener,
    done: () => {
      if (shown) io.stderr.write('\r\u001b[2K');
    },
  };
}

export function progressLine(progress: Progress, seconds: number): string {
  const fraction = progress.bytesTotal > 0 ? progress.bytesRead / progress.bytesTotal : 1;
  const rate = seconds > 0 ? progress.rowsRead / seconds : 0;
  const left = fraction > 0 ? (seconds / fraction) * (1 - fraction) : 0;
  return `${progress.file}: ${progress.rowsRead.toLocaleString('en-US')} rows, ${Math.round(rate).toLocaleString('en-US')} rows/s, ${(fraction * 100).toFixed(0)}%, about ${Math.ceil(left)} s left`;
}
