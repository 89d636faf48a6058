import { describe, expect, it } from 'vitest';
import { BufferSink, type CliIo } from '../../src/cli/io.js';
import { progressLine, progressReporter } from '../../src/cli/progress.js';

function io(stderrIsTTY: boolean, env: Record<string, string> = {}): CliIo {
  return { stdout: new BufferSink(), stderr: new BufferSink(), env, stdoutIsTTY: false, stderrIsTTY, cwd: '/' };
}

describe('progress indicator', () => {
  it('says rows, rate, percentage and time left', () => {
    // 500,000 rows in 2 s = 250,000 rows/s; a quarter of the bytes in 2 s leaves 6 s.
    expect(progressLine({ file: 'trade.csv', bytesRead: 25, bytesTotal: 100, rowsRead: 500_000 }, 2)).toBe(
      'trade.csv: 500,000 rows, 250,000 rows/s, 25%, about 6 s left',
    );
  });

  it('is shown only to a person: a terminal, not CI, not --quiet', () => {
    expect(progressReporter(io(true), {}).listener).toBeTypeOf('function');
    expect(progressReporter(io(false), {}).listener).toBeUndefined();
    expect(progressReporter(io(true, { CI: 'true' }), {}).listener).toBeUndefined();
    expect(progressReporter(io(true), { quiet: true }).listener).toBeUndefined();
  });
});
