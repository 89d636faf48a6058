/**
 * What this run can measure: the CLI's commands (trend and import baci may not exist yet), the peers
 * (DuckDB from the dev dependency, pandas from whichever python has it), and the machine facts that
 * go next to the figures (a time means little without the machine it came from).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, ...options });
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Command names from the "Commands:" section of commander's --help. */
export function cliCommands(root, bin) {
  const help = run(process.execPath, [bin, '--help'], { cwd: root });
  const section = help.stdout.split(/^Commands:\s*$/m)[1] ?? '';
  return new Set([...section.matchAll(/^\s{2}([a-z][\w-]*)/gm)].map((match) => match[1]));
}

/** True when `import` exists and its help names the baci source. */
export function hasBaciImporter(root, bin, commands) {
  if (!commands.has('import')) return false;
  const help = run(process.execPath, [bin, 'import', '--help'], { cwd: root });
  return help.ok && /\bbaci\b/i.test(help.stdout);
}

export function duckdbVersion(root) {
  // The package's exports hide its package.json from require(); read it where npm put it.
  const manifest = join(root, 'node_modules', '@duckdb', 'node-api', 'package.json');
  if (!existsSync(manifest)) return { skipped: 'DuckDB not installed (npm install --prefix bench: @duckdb/node-api is a dependency of bench/package.json)' };
  // Loading the module proves its native binary works on this platform and Node.
  const probe = run(process.execPath, ['--input-type=module', '-e', "await import('@duckdb/node-api')"], { cwd: root });
  if (!probe.ok) return { skipped: `@duckdb/node-api does not load: ${probe.stderr.trim().split('\n').at(-1)}` };
  return { version: JSON.parse(readFileSync(manifest, 'utf8')).version };
}

/** The first python with pandas: BENCH_PYTHON, then python3 on PATH, then Debian's /usr/bin/python3. */
export function pandasPython() {
  const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(Boolean);
  for (const python of new Set(candidates)) {
    const probe = run(python, ['-c', 'import pandas, sys; print(pandas.__version__, sys.version.split()[0])']);
    if (probe.ok) {
      const [version, pythonVersion] = probe.stdout.trim().split(' ');
      return { python, version, pythonVersion };
    }
  }
  return { skipped: 'pandas not installed (e.g. apt-get install python3-pandas)' };
}

export function machineFacts() {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    totalMemoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** The commit measured, and whether the work tree had uncommitted changes (read-only git). */
export function gitFacts(root) {
  const head = run('git', ['rev-parse', '--short', 'HEAD'], { cwd: root });
  const status = run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root });
  return head.ok ? { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' } : { commit: null };
}

function newestMtime(dir, suffix) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, suffix));
    else if (entry.name.endsWith(suffix)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The CLI runs dist/ (compiled JS): say so when it is missing or older than src/. */
export function buildProblem(root) {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) return 'dist/ is missing: run `npm run build` first';
  if (newestMtime(join(root, 'src'), '.ts') > newestMtime(join(root, 'dist'), '.js')) {
    return 'dist/ is older than src/: the figures are for the last build (run `npm run build` to measure the current source)';
  }
  return null;
}

/** A whole number above 0 from the environment variable `name`, or `fallback` when it is unset or empty. */
export function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}
