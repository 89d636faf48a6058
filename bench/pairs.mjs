/**
 * `report --year` against the DuckDB reference query, in alternated pairs (issue 14): the machines
 * this runs on are noisy, so each pair runs the two back to back (which goes first alternates), and
 * the target is on the median of the per-pair ratios, printed with their spread.
 *
 * The file is the one the reference is held against: ../shared/bench/gen-trade.mjs's 2M rows (and
 * its production.csv), generated once into os.tmpdir(); without ../shared, the bench's own
 * generator (bench/lib/generate.mjs). The reference is ../shared/bench/duckdb-report.mjs, run from a
 * scratch folder whose node_modules is bench/'s (it needs @duckdb/node-api beside it); without it,
 * bench/peers/duckdb-peer.mjs's report task, the same query.
 *
 * Run: `node bench/pairs.mjs` or `BENCH_ONLY=report-pairs npm run bench`. Environment: BENCH_ROWS
 * (2000000), BENCH_YEAR (2020), BENCH_PAIRS (9, at least 7), BENCH_SHARED (the ../shared folder).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { positiveInt } from './lib/environment.mjs';
import { ensureGenerated } from './lib/generate.mjs';
import { median, runOnce } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'supply-risk.js');
const NODE = process.execPath;
/** The median ratio report --year / DuckDB must not pass (issue 14). */
export const REPORT_PAIRS_LIMIT = 0.9;
const MIN_PAIRS = 7;

/** gen-trade.mjs's trade and production files, made once per row count. */
function sharedData(shared, rows, log) {
  const generator = join(shared, 'bench', 'gen-trade.mjs');
  if (!existsSync(generator)) return null;
  const dir = join(tmpdir(), 'supply-risk-bench', `shared-gen-trade-rows${rows}`);
  const marker = join(dir, 'complete.json');
  if (!existsSync(marker)) {
    log(`generating ${rows} rows with ${generator} into ${dir} ...`);
    mkdirSync(dir, { recursive: true });
    const write = (args, file) => {
      const result = spawnSync('sh', ['-c', `"${NODE}" "${generator}" ${args} > "${join(dir, file)}"`], { stdio: ['ignore', 'ignore', 'inherit'] });
      if (result.status !== 0) throw new Error(`gen-trade.mjs ${args} failed`);
    };
    write(String(rows), 'trade.csv');
    write('0 production', 'production.csv');
    writeFileSync(marker, JSON.stringify({ rows }));
  }
  return { data: dir, source: 'gen-trade.mjs' };
}

/** The reference command: the shared query run beside bench/node_modules, else the bench's own peer. */
function referenceCommand(shared, scratch, data, year) {
  const script = join(shared, 'bench', 'duckdb-report.mjs');
  const modules = join(ROOT, 'bench', 'node_modules');
  if (existsSync(script) && existsSync(join(modules, '@duckdb', 'node-api'))) {
    const dir = join(scratch, 'reference');
    mkdirSync(dir);
    copyFileSync(script, join(dir, 'duckdb-report.mjs'));
    symlinkSync(modules, join(dir, 'node_modules'), 'dir');
    return { args: [join(dir, 'duckdb-report.mjs'), data, year, 'JPN'], name: '../shared/bench/duckdb-report.mjs' };
  }
  if (!existsSync(join(modules, '@duckdb', 'node-api'))) return null;
  return { args: [join(ROOT, 'bench', 'peers', 'duckdb-peer.mjs'), 'report', data, 'JPN', year], name: 'bench/peers/duckdb-peer.mjs report' };
}

export async function reportPairs({ log = (line) => process.stdout.write(`${line}\n`) } = {}) {
  const rows = positiveInt('BENCH_ROWS', 2_000_000);
  const year = String(positiveInt('BENCH_YEAR', 2020));
  const pairs = Math.max(MIN_PAIRS, positiveInt('BENCH_PAIRS', 9));
  const shared = process.env.BENCH_SHARED ?? join(ROOT, '..', 'shared');
  const data = sharedData(shared, rows, log) ?? { data: ensureGenerated(rows, log).data, source: 'bench/lib/generate.mjs' };
  const scratch = mkdtempSync(join(tmpdir(), 'supply-risk-bench-pairs-'));
  try {
    const reference = referenceCommand(shared, scratch, data.data, year);
    if (!reference) return { status: 'not measured', detail: 'DuckDB is not installed (npm install --prefix bench)' };
    const ours = [BIN, 'report', '--data', data.data, '--year', year, '--json', '--quiet'];
    const run = async (args) => {
      const result = await runOnce(NODE, args, { cwd: ROOT, stdoutFile: join(scratch, 'out.json'), scratch });
      if (result.code !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
      return result.ms;
    };
    log(`report --year ${year} against ${reference.name}, ${pairs} alternated pairs, ${rows} rows (${data.source})`);
    // One warm-up of each: the first run pays for the page cache, whoever it is.
    await run(ours);
    await run(reference.args);
    const measured = [];
    for (let pair = 0; pair < pairs; pair += 1) {
      const oursFirst = pair % 2 === 0;
      const first = await run(oursFirst ? ours : reference.args);
      const second = await run(oursFirst ? reference.args : ours);
      const [own, peer] = oursFirst ? [first, second] : [second, first];
      measured.push({ own, peer, ratio: own / peer });
      log(`  pair ${pair + 1}: supply-risk ${Math.round(own)} ms, DuckDB ${Math.round(peer)} ms, ratio ${(own / peer).toFixed(3)}`);
    }
    const ratios = measured.map((entry) => entry.ratio);
    const result = {
      pairs,
      rows,
      year: Number(year),
      data: data.source,
      reference: reference.name,
      medianOwnMs: Math.round(median(measured.map((entry) => entry.own))),
      medianPeerMs: Math.round(median(measured.map((entry) => entry.peer))),
      medianRatio: median(ratios),
      minRatio: Math.min(...ratios),
      maxRatio: Math.max(...ratios),
    };
    const met = result.medianRatio <= REPORT_PAIRS_LIMIT;
    log(
      `median ratio ${result.medianRatio.toFixed(3)} (spread ${result.minRatio.toFixed(3)}-${result.maxRatio.toFixed(3)}); ` +
        `median times ${result.medianOwnMs} ms against ${result.medianPeerMs} ms; target <= ${REPORT_PAIRS_LIMIT}x: ${met ? 'met' : 'missed'}`,
    );
    return { status: met ? 'met' : 'missed', ...result };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await reportPairs();
  if (result.status === 'not measured') process.stdout.write(`not measured: ${result.detail}\n`);
}
