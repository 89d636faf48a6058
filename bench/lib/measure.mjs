/**
 * Runs one command as a child process and measures its wall time and peak memory.
 *
 * Every implementation (the CLI, the DuckDB and pandas peers, `node -e 0`) is measured the same way,
 * as a fresh process, so start-up and file reading count for all of them alike.
 * Peak memory comes from GNU time (`/usr/bin/time -v`, "Maximum resident set size"), which sees the
 * child's whole process tree (DuckDB's and pandas' native threads included). Without it, Node
 * commands run inside a small wrapper that reports its own process.resourceUsage().maxRSS; other
 * commands then have no memory figure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GNU_TIME = '/usr/bin/time';
const WRAPPER = fileURLToPath(new URL('./rss-wrapper.mjs', import.meta.url));

/** True when GNU time is there and understands -v (BusyBox and BSD time do not). */
function detectGnuTime() {
  if (process.env.BENCH_NO_GNU_TIME || !existsSync(GNU_TIME)) return false;
  const probe = spawnSync(GNU_TIME, ['-v', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /Maximum resident set size/.test(probe.stderr);
}

export const memorySource = detectGnuTime() ? 'gnu-time' : 'node-wrapper';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The command line actually spawned, with whichever memory probe is in use. */
function probeCommand(command, args, rssFile) {
  if (memorySource === 'gnu-time') return [GNU_TIME, ['-v', '-o', rssFile, command, ...args]];
  if (command === process.execPath) return [command, [WRAPPER, rssFile, ...args]];
  return [command, args];
}

function readPeakRssMb(rssFile) {
  if (!existsSync(rssFile)) return null;
  const text = readFileSync(rssFile, 'utf8');
  const gnu = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const kb = gnu ? Number(gnu[1]) : Number(text.trim());
  return Number.isFinite(kb) && kb > 0 ? kb / 1024 : null;
}

/**
 * Runs `command args` once, stdout to `stdoutFile` (outputs can be megabytes; a file keeps them out
 * of this process's memory and timing). Resolves to { ms, rssMb, code, stderr, timedOut }.
 * A run longer than `timeoutMs` is killed with its whole process group (GNU time and the command
 * under it), so one runaway task cannot hang the benchmark.
 */
export function runOnce(command, args, { cwd, stdoutFile, scratch, env, timeoutMs = 600_000 }) {
  const rssFile = join(scratch, `rss-${process.hrtime.bigint()}.txt`);
  const [file, argv] = probeCommand(command, args, rssFile);
  const out = openSync(stdoutFile, 'w');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // detached: the child leads its own process group, which the timeout can end as a whole.
    const child = spawn(file, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', out, 'pipe'], detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      // Only the tail is kept: enough to explain a failure.
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      closeSync(out);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      closeSync(out);
      const rssMb = readPeakRssMb(rssFile);
      rmSync(rssFile, { force: true });
      resolve({ ms, rssMb, code: timedOut ? 'timeout' : code, stderr: timedOut ? `killed after ${timeoutMs / 1000} s (BENCH_TIMEOUT_S)` : stderr, timedOut });
    });
  });
}
