import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { BufferSink, type CliIo } from '../../src/cli/io.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/supply-risk.js', import.meta.url));

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (no colour, not a terminal). */
export async function runCli(argv: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const io: CliIo = { stdout, stderr, env: { NO_COLOR: '1', ...env }, stdoutIsTTY: false, stderrIsTTY: false, cwd: ROOT };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs the built binary as a user would (needs `npm run build`, which `npm test` does first). */
export function spawnCli(argv: string[], env: Record<string, string> = {}): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
