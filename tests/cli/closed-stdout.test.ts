/**
 * A reader that closes stdout early (`supply-risk report --json | head -1`) ends the run quietly:
 * no stack trace, nothing on stderr about it, and the run's own exit code (0 for a report).
 * These spawn the built binary (`npm test` builds it first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the binary with a stdout pipe that the parent closes as soon as the first bytes arrive (or at once). */
function runClosingStdout(args: string[], closeAtOnce: boolean): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    if (closeAtOnce) child.stdout.destroy();
    else child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stderr }));
  });
}

describe('a closed stdout (EPIPE)', () => {
  it('report --json with stdout closed before anything is written: exit 0, stderr quiet', async () => {
    const result = await runClosingStdout(['report', '--json', '--quiet'], true);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('report --json with stdout closed after the first chunk: exit 0, no stack trace', async () => {
    const result = await runClosingStdout(['report', '--json', '--quiet'], false);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/EPIPE|Error|^\s+at /m);
  });

  it('warnings still reach stderr when only stdout is closed', async () => {
    const result = await runClosingStdout(['report', '--json'], true);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: ');
    expect(result.stderr).not.toMatch(/EPIPE|^\s+at /m);
  });

  it('`report --json | head -1` in a shell with pipefail succeeds', () => {
    // The JSON report of the embedded data is far larger than a pipe's buffer, so head's exit
    // really does close the pipe under the writer.
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" report --json --quiet | head -1`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(result.stdout).toBe('{\n');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
