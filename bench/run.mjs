/**
 * `npm run bench`: supply-risk against DuckDB and pandas on the same synthetic data, in one run
 * (issue 7). Never a unit test: times depend on the machine, so they are printed and written to
 * bench/results/latest.json together with the machine they came from.
 *
 * Steps: generate the data (or reuse it) in os.tmpdir(); run every task N times for each tool as a
 * fresh process (median time, peak RSS); check that the peers' numbers equal supply-risk's; print the
 * table, the targets with met/missed, and write the JSON.
 *
 * Environment: BENCH_ROWS (default 2000000), BENCH_RUNS (3), BENCH_STARTUP_RUNS (10), BENCH_YEAR
 * (2020), BENCH_TIMEOUT_S (600, per run), BENCH_PYTHON (a python with pandas), BENCH_NO_GNU_TIME=1
 * (use the Node fallback for memory), BENCH_ONLY=startup (only the start-up target: no data is
 * generated, no peer runs, nothing written), BENCH_ONLY=report-pairs (only report --year against
 * ../shared/bench/duckdb-report.mjs in alternated pairs, bench/pairs.mjs; BENCH_PAIRS, default 9).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareFacts, exporterFacts, peerFacts, peerTotals, reportFacts, tradeTotals, trendFacts } from './lib/check.mjs';
import { buildProblem, cliCommands, duckdbVersion, gitFacts, hasBaciImporter, machineFacts, pandasPython, positiveInt } from './lib/environment.mjs';
import { distinctMaterials, ensureGenerated, YEARS } from './lib/generate.mjs';
import { median, memorySource, runOnce } from './lib/measure.mjs';
import { printChecks, printTargets, printTimes, seconds, writeResults } from './lib/output.mjs';
import { REPORT_PAIRS_LIMIT, reportPairs } from './pairs.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'supply-risk.js');
const DUCKDB_PEER = join(ROOT, 'bench', 'peers', 'duckdb-peer.mjs');
const PANDAS_PEER = join(ROOT, 'bench', 'peers', 'pandas_peer.py');
const RESULTS = join(ROOT, 'bench', 'results', 'latest.json');
/** The memory target compares peak RSS at the full size with this smaller size. */
const REFERENCE_ROWS = 200_000;
const IMPORTER = 'JPN';
const NODE = process.execPath;

const log = (line = '') => process.stdout.write(`${line}\n`);
const progress = (line) => process.stderr.write(`${line}\n`);

function config() {
  return {
    rows: positiveInt('BENCH_ROWS', 2_000_000),
    runs: positiveInt('BENCH_RUNS', 3),
    startupRuns: positiveInt('BENCH_STARTUP_RUNS', 10),
    year: positiveInt('BENCH_YEAR', 2020),
    timeoutMs: positiveInt('BENCH_TIMEOUT_S', 600) * 1000,
  };
}

/** The embedded HS map when the project ships one (the realistic case), else the generated one. */
function hsMapFor(generated) {
  const shipped = join(ROOT, 'data', 'hs-codes.csv');
  return existsSync(shipped) ? shipped : generated.hsMap;
}

/**
 * Every task as the commands of each tool. `kind: 'peers'` tasks compare supply-risk with DuckDB and
 * pandas; `kind: 'single'` ones measure one thing against a baseline or alone.
 */
function defineTasks({ cfg, data, reference, tools }) {
  const { duckdb, pandas, hasTrend, hasBaci } = tools;
  const peer = (tool, task, ...args) => {
    if (tool === 'duckdb') return duckdb.skipped ? { skipped: duckdb.skipped } : { command: NODE, args: [DUCKDB_PEER, task, ...args] };
    return pandas.skipped ? { skipped: pandas.skipped } : { command: pandas.python, args: [PANDAS_PEER, task, ...args] };
  };
  const cli = (available, why, ...args) => (available ? { command: NODE, args: [BIN, ...args] } : { skipped: why });
  const year = String(cfg.year);
  const hsMap = hsMapFor(data);
  const tasks = [
    {
      id: 'report',
      kind: 'peers',
      title: `report --year ${year}`,
      impls: {
        'supply-risk': cli(true, '', 'report', '--data', data.data, '--year', year, '--json'),
        duckdb: peer('duckdb', 'report', data.data, IMPORTER, year),
        pandas: peer('pandas', 'report', data.data, IMPORTER, year),
      },
    },
    {
      id: 'trend',
      kind: 'peers',
      title: 'trend (all rows)',
      impls: {
        'supply-risk': cli(hasTrend, 'trend not implemented', 'trend', '--data', data.data, '--format', 'json'),
        duckdb: peer('duckdb', 'trend', data.data, IMPORTER),
        pandas: peer('pandas', 'trend', data.data, IMPORTER),
      },
    },
    {
      id: 'import-baci',
      kind: 'peers',
      title: 'import baci',
      impls: {
        'supply-risk': cli(hasBaci, 'import baci not implemented', 'import', 'baci', data.baci, '--hs-map', hsMap),
        // The peers write their CSV to a file, as supply-risk writes its CSV to stdout.
        duckdb: peer('duckdb', 'baci', data.baci, hsMap, data.baciCountries, join(tools.scratch, 'duckdb-baci.csv')),
        pandas: peer('pandas', 'baci', data.baci, hsMap, data.baciCountries, join(tools.scratch, 'pandas-baci.csv')),
      },
    },
    startupTask(cfg),
  ];
  if (reference) {
    tasks.push({
      id: 'report-reference',
      kind: 'single',
      title: `memory reference: report --year ${year} at ${REFERENCE_ROWS} rows`,
      impls: { 'supply-risk': cli(true, '', 'report', '--data', reference.data, '--year', year, '--json') },
    });
  }
  return tasks;
}

/** `report --json` on the embedded data against `node -e 0`, fresh processes, round by round. */
function startupTask(cfg) {
  return {
    id: 'startup',
    kind: 'single',
    title: 'start-up: report --json on the embedded data',
    runs: cfg.startupRuns,
    impls: {
      'supply-risk': { command: NODE, args: [BIN, 'report', '--json'] },
      'node -e 0': { command: NODE, args: ['-e', '0'] },
    },
  };
}

/** Issue 13: the embedded `report` within 4x of `node -e 0` (median of the runs). */
const STARTUP_LIMIT = 4;

function startupTarget(startup) {
  const value = ratioTo(startup, 'supply-risk', 'node -e 0');
  const missing = startup['supply-risk']?.skipped ?? startup['supply-risk']?.error ?? 'start-up not measured';
  return target(
    `report on the embedded data within ${STARTUP_LIMIT}x of node -e 0`,
    value,
    STARTUP_LIMIT,
    value === null ? missing : `${value.toFixed(2)}x (target <= ${STARTUP_LIMIT}x)`,
  );
}

function lastLine(text) {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? '(no message)';
}

/** Peers report their in-process work time in their JSON; keep it next to the process time. */
function computeMsOf(stdoutFile) {
  try {
    return JSON.parse(readFileSync(stdoutFile, 'utf8')).computeMs ?? null;
  } catch {
    return null;
  }
}

/**
 * Runs each tool of the task `runs` times, round by round (tool A, B, C, then again), so that a
 * slow phase of the machine hits every tool alike. Each run has its own stdout file, so a failed
 * run (e.g. while dist/ is being rebuilt) does not overwrite the output of a good one; the tool's
 * figures come from its good runs and the failures are reported.
 */
async function measureTask(task, runs, scratch, timeoutMs) {
  const records = {};
  for (const [tool, impl] of Object.entries(task.impls)) {
    records[tool] = impl.skipped ? { skipped: impl.skipped } : { runsMs: [], rssMb: [], computeMs: [], errors: [], stdoutFile: null };
  }
  for (let round = 1; round <= runs; round++) {
    for (const [tool, impl] of Object.entries(task.impls)) {
      const record = records[tool];
      if (record.skipped) continue;
      const stdoutFile = join(scratch, `${task.id}-${tool.replace(/\W+/g, '_')}-${round}.out`);
      const run = await runOnce(impl.command, impl.args, { cwd: ROOT, stdoutFile, scratch, timeoutMs });
      if (run.code !== 0) {
        const error = run.timedOut ? run.stderr : `exit ${run.code}: ${lastLine(run.stderr)}`;
        record.errors.push(error);
        progress(`  ${task.title} | ${tool} run ${round}/${runs} FAILED (${error})`);
        continue;
      }
      record.stdoutFile = stdoutFile;
      record.runsMs.push(run.ms);
      record.rssMb.push(run.rssMb);
      const computeMs = tool === 'duckdb' || tool === 'pandas' ? computeMsOf(stdoutFile) : null;
      if (computeMs !== null) record.computeMs.push(computeMs);
      if (runs <= 3 || round === runs) progress(`  ${task.title} | ${tool} run ${round}/${runs}: ${seconds(run.ms)}`);
    }
  }
  return summarise(records);
}

function summarise(records) {
  const results = {};
  for (const [tool, record] of Object.entries(records)) {
    if (record.skipped) results[tool] = { skipped: record.skipped };
    else if (record.runsMs.length === 0) results[tool] = { failed: true, error: record.errors[0] };
    else {
      const rss = record.rssMb.filter((value) => value !== null);
      results[tool] = {
        medianMs: median(record.runsMs),
        runsMs: record.runsMs.map(Math.round),
        // The largest of the runs: memory targets are about the worst case.
        peakRssMb: rss.length > 0 ? Math.max(...rss) : null,
        medianComputeMs: record.computeMs.length > 0 ? median(record.computeMs) : null,
        ...(record.errors.length > 0 ? { failedRuns: record.errors.length, error: record.errors[0] } : {}),
        stdoutFile: record.stdoutFile,
      };
    }
  }
  return results;
}

function ratioTo(results, tool, peerTool) {
  const own = results[tool];
  const peer = results[peerTool];
  return own?.medianMs && peer?.medianMs ? own.medianMs / peer.medianMs : null;
}

const readJson = (result) => JSON.parse(readFileSync(result.stdoutFile, 'utf8'));
const usable = (result) => result && !result.skipped && !result.failed;

function skippedCheck(name, why) {
  return { name, skipped: true, detail: why };
}

function factCheck(name, expected, actual, options) {
  const result = compareFacts(expected, actual, options);
  const unknown = result.unknown > 0 ? ` (${result.unknown} unknown in supply-risk, not compared)` : '';
  const detail = result.ok
    ? `${result.compared} values equal${unknown}`
    : result.compared === 0
      ? 'nothing to compare'
      : `${result.mismatchCount} of ${result.compared} differ (first ones below)`;
  return { name, ok: result.ok, detail, mismatches: result.mismatches, compared: result.compared };
}

/** Each peer against supply-risk for report; the exporters' concentration DuckDB against pandas. */
function checkReport({ results }) {
  const checks = [];
  const cli = results['supply-risk'];
  for (const tool of ['duckdb', 'pandas']) {
    const name = `report: ${tool} = supply-risk (world HHI/total/top share, ${IMPORTER} supplier HHI, top supplier share, imports, exports, import reliance)`;
    if (!usable(results[tool])) checks.push(skippedCheck(name, `${tool} did not run`));
    else if (!usable(cli)) checks.push(skippedCheck(name, 'supply-risk report did not run'));
    else checks.push(factCheck(name, reportFacts(readJson(cli)), peerFacts(readJson(results[tool]))));
  }
  const name = 'exporter shares and HHI per material, stage and year: duckdb = pandas';
  if (usable(results.duckdb) && usable(results.pandas))
    checks.push(factCheck(name, exporterFacts(readJson(results.duckdb)), exporterFacts(readJson(results.pandas))));
  else checks.push(skippedCheck(name, 'needs both peers'));
  return checks;
}

/** trend's JSON is not specified yet: compare whatever series it carries that the peers compute. */
function checkTrend({ results }) {
  const cli = results['supply-risk'];
  const checks = [];
  for (const tool of ['duckdb', 'pandas']) {
    const name = `trend: ${tool} = supply-risk`;
    if (!usable(cli)) {
      checks.push(skippedCheck(name, cli?.skipped ?? 'supply-risk trend did not run'));
      continue;
    }
    if (!usable(results[tool])) {
      checks.push(skippedCheck(name, `${tool} did not run`));
      continue;
    }
    const { facts, recognised } = trendFacts(readJson(cli));
    if (recognised.length === 0) checks.push(skippedCheck(name, 'no series recognised in the trend JSON (see TREND_FIELDS in bench/lib/check.mjs)'));
    else {
      const check = factCheck(`${name} (${recognised.join(', ')})`, facts, peerFacts(readJson(results[tool])), { twoWay: false, fields: recognised });
      checks.push(check);
    }
  }
  return checks;
}

/** Total quantity written per material, stage and year: supply-risk's CSV against each peer's. */
async function checkBaci({ results }) {
  const cli = results['supply-risk'];
  const checks = [];
  const cliTotals = usable(cli) ? await tradeTotals(cli.stdoutFile) : null;
  for (const tool of ['duckdb', 'pandas']) {
    const name = `import baci: ${tool} = supply-risk (quantity per material, stage and year)`;
    if (!cliTotals) checks.push(skippedCheck(name, cli?.skipped ?? 'supply-risk import baci did not run'));
    else if (!usable(results[tool])) checks.push(skippedCheck(name, `${tool} did not run`));
    else checks.push(factCheck(name, cliTotals, peerTotals(readJson(results[tool]))));
  }
  return checks;
}

function target(name, value, limit, detail) {
  if (value === null || value === undefined) return { name, status: 'not measured', detail };
  const met = value <= limit;
  return { name, status: met ? 'met' : 'missed', value, limit, detail };
}

/** Issue 14: report --year at most 0.9x the DuckDB reference, median of alternated pairs (bench/pairs.mjs). */
function pairsTarget(pairs) {
  const name = `report --year Y at most ${REPORT_PAIRS_LIMIT}x the DuckDB reference (median of alternated pairs)`;
  if (pairs.status === 'not measured') return { name, status: 'not measured', detail: pairs.detail };
  const detail = `${pairs.medianRatio.toFixed(3)}x over ${pairs.pairs} pairs (spread ${pairs.minRatio.toFixed(3)}-${pairs.maxRatio.toFixed(3)}; ${pairs.medianOwnMs} ms against ${pairs.medianPeerMs} ms)`;
  return { ...target(name, pairs.medianRatio, REPORT_PAIRS_LIMIT, detail), detail };
}

/** The targets of issues 7, 13 and 14, as ratios measured in this run. */
function evaluateTargets(byId, cfg, pairs) {
  const report = byId.report.results;
  const trend = byId.trend.results;
  const baci = byId['import-baci'].results;
  const startup = byId.startup.results;
  const fmt = (value, limit) => `${value.toFixed(2)}x (target <= ${limit}x)`;
  // Why a ratio is missing: the CLI command skipped or failed, else a peer missing.
  const why = (results, fallback) => results['supply-risk']?.skipped ?? results['supply-risk']?.error ?? fallback;
  const ratioTarget = (name, value, limit, missingWhy) => target(name, value, limit, value === null ? missingWhy : fmt(value, limit));
  const targets = [
    pairsTarget(pairs),
    ratioTarget('trend (all rows) at or below pandas', byId.trend.ratios.pandas, 1, why(trend, 'pandas did not run')),
    ratioTarget('import baci at or below DuckDB', byId['import-baci'].ratios.duckdb, 1, why(baci, 'DuckDB did not run')),
    startupTarget(startup),
  ];
  const peak = report['supply-risk']?.peakRssMb ?? null;
  const referencePeak = byId['report-reference']?.results['supply-risk']?.peakRssMb ?? null;
  if (cfg.rows === REFERENCE_ROWS) {
    targets.push({
      name: `report peak RSS at ${cfg.rows} rows within 1.3x of ${REFERENCE_ROWS} rows`,
      status: 'not measured',
      detail: `this run is at the reference size (set BENCH_ROWS above ${REFERENCE_ROWS})`,
    });
  } else {
    const growth = peak !== null && referencePeak !== null ? peak / referencePeak : null;
    targets.push(
      target(
        `report peak RSS at ${cfg.rows} rows within 1.3x of ${REFERENCE_ROWS} rows`,
        growth,
        1.3,
        growth === null ? 'peak RSS not measured' : `${Math.round(peak)} MB vs ${Math.round(referencePeak)} MB = ${growth.toFixed(2)}x (target <= 1.3x)`,
      ),
    );
  }
  targets.push(
    target(`report peak RSS at ${cfg.rows} rows under 300 MB`, peak, 300, peak === null ? 'peak RSS not measured' : `${Math.round(peak)} MB (target < 300 MB)`),
  );
  return targets;
}

/** results/latest.json: small and stable (no file paths of this machine, no per-row output). */
function resultsJson({ cfg, data, tools, tasks, checks, targets, notes, loadAtStart }) {
  const size = (path) => Math.round((statSync(path).size / 2 ** 20) * 10) / 10;
  const round = (value, digits) => (typeof value === 'number' ? Number(value.toFixed(digits)) : value);
  const strip = (results) =>
    Object.fromEntries(
      Object.entries(results).map(([tool, { stdoutFile: _stdoutFile, medianMs, medianComputeMs, peakRssMb, ...rest }]) => [
        tool,
        { ...rest, medianMs: round(medianMs, 1), medianComputeMs: round(medianComputeMs, 1), peakRssMb: round(peakRssMb, 1) },
      ]),
    );
  const ratios = (task) => Object.fromEntries(Object.entries(task.ratios ?? {}).map(([peer, value]) => [peer, round(value, 3)]));
  return {
    ranAt: new Date().toISOString(),
    machine: { ...machineFacts(), memorySource, loadAverageAtStart: loadAtStart },
    source: gitFacts(ROOT),
    parameters: {
      rows: cfg.rows,
      years: YEARS,
      materials: distinctMaterials(),
      year: cfg.year,
      importer: IMPORTER,
      runs: cfg.runs,
      startupRuns: cfg.startupRuns,
      tradeCsvMb: size(data.trade),
      baciCsvMb: size(data.baci),
      hsMap: hsMapFor(data) === data.hsMap ? 'generated (data/hs-codes.csv absent)' : 'data/hs-codes.csv',
    },
    peers: {
      duckdb: tools.duckdb.skipped ? { skipped: tools.duckdb.skipped } : { version: tools.duckdb.version },
      pandas: tools.pandas.skipped ? { skipped: tools.pandas.skipped } : { version: tools.pandas.version, python: tools.pandas.pythonVersion },
    },
    tasks: tasks.map((task) => ({ id: task.id, title: task.title, results: strip(task.results), ratios: ratios(task) })),
    checks: checks.map(({ name, ok, skipped, detail, mismatches }) => ({
      name,
      status: skipped ? 'skipped' : ok ? 'pass' : 'fail',
      detail,
      ...(mismatches?.length ? { mismatches } : {}),
    })),
    targets: targets.map(({ value, ...rest }) => ({ ...rest, ...(value !== undefined ? { value: round(value, 3) } : {}) })),
    notes,
  };
}

/** The machine's state before this run adds its own load (generation included). */
function busyNote(cores) {
  const load = Number(loadavg()[0].toFixed(2));
  // Other work on the machine inflates every time: say so rather than let a busy machine pass for a slow tool.
  const note =
    load > Math.max(1, cores / 2) ? `the machine was busy at the start (1-minute load average ${load} on ${cores} cores): times are inflated and noisy` : null;
  return { load, note };
}

/** Data, scratch folder, and which tools and commands this run can measure. */
function prepare(cfg, notes) {
  const data = ensureGenerated(cfg.rows, progress);
  const reference = cfg.rows === REFERENCE_ROWS ? null : ensureGenerated(REFERENCE_ROWS, progress);
  const scratch = mkdtempSync(join(tmpdir(), 'supply-risk-bench-run-'));
  const commands = cliCommands(ROOT, BIN);
  const tools = {
    scratch,
    duckdb: duckdbVersion(join(ROOT, 'bench')),
    pandas: pandasPython(),
    hasTrend: commands.has('trend'),
    hasBaci: hasBaciImporter(ROOT, BIN, commands),
  };
  if (!tools.hasTrend) notes.push('trend: skipped: trend not implemented');
  if (!tools.hasBaci) notes.push('import baci: skipped: import baci not implemented');
  return { data, reference, scratch, tools };
}

function printHeader(cfg, machine, data, tools, notes) {
  log(
    `supply-risk benchmark: ${cfg.rows} trade rows, ${YEARS} years, ${distinctMaterials()} materials; median of ${cfg.runs} runs (start-up: ${cfg.startupRuns})`,
  );
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.totalMemoryGb} GB, Node ${machine.node}; peak RSS from ${memorySource}`);
  log(`data: ${data.dir}`);
  const duckdb = tools.duckdb.version ?? `skipped: ${tools.duckdb.skipped}`;
  const pandas = tools.pandas.version ? `${tools.pandas.version} (${tools.pandas.python})` : `skipped: ${tools.pandas.skipped}`;
  log(`peers: DuckDB ${duckdb}; pandas ${pandas}`);
  for (const note of notes) log(`note: ${note}`);
}

async function runTasks(tasks, cfg, scratch, notes) {
  for (const task of tasks) {
    progress(`${task.title} ...`);
    task.results = await measureTask(task, task.runs ?? cfg.runs, scratch, cfg.timeoutMs);
    for (const [tool, result] of Object.entries(task.results)) {
      if (result.failedRuns) notes.push(`${task.title}: ${result.failedRuns} run(s) of ${tool} failed (${result.error}); its figures are from the other runs`);
    }
    if (task.kind === 'peers') {
      task.ratios = { duckdb: ratioTo(task.results, 'supply-risk', 'duckdb'), pandas: ratioTo(task.results, 'supply-risk', 'pandas') };
    }
  }
  return Object.fromEntries(tasks.map((task) => [task.id, task]));
}

/** BENCH_ONLY=startup: the start-up target alone, for a quick check after a change to start-up. */
async function startupOnly(cfg) {
  const scratch = mkdtempSync(join(tmpdir(), 'supply-risk-bench-run-'));
  try {
    const problem = buildProblem(ROOT);
    if (problem?.startsWith('dist/ is missing')) throw new Error(problem);
    if (problem) log(`note: ${problem}`);
    const { note: busy } = busyNote(machineFacts().cores);
    if (busy) log(`note: ${busy}`);
    const task = startupTask(cfg);
    task.results = await measureTask(task, task.runs, scratch, cfg.timeoutMs);
    printTimes([task], log);
    printTargets([startupTarget(task.results)], log);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const cfg = config();
  if (process.env.BENCH_ONLY === 'startup') return startupOnly(cfg);
  if (process.env.BENCH_ONLY === 'report-pairs') return void (await reportPairs({ log }));
  if (process.env.BENCH_ONLY) throw new Error(`BENCH_ONLY=${process.env.BENCH_ONLY}: only "startup" and "report-pairs" are known`);
  const machine = machineFacts();
  const notes = [];
  const { load: loadAtStart, note: busy } = busyNote(machine.cores);
  if (busy) notes.push(busy);
  const problem = buildProblem(ROOT);
  if (problem?.startsWith('dist/ is missing')) throw new Error(problem);
  if (problem) notes.push(problem);

  const { data, reference, scratch, tools } = prepare(cfg, notes);
  printHeader(cfg, machine, data, tools, notes);
  const tasks = defineTasks({ cfg, data, reference, tools });
  try {
    const byId = await runTasks(tasks, cfg, scratch, notes);
    // The checks come first: times of tools that disagree would compare nothing.
    const checks = [...checkReport(byId.report), ...checkTrend(byId.trend), ...(await checkBaci(byId['import-baci']))];
    printChecks(checks, log);
    log('');
    printTimes(tasks, log);
    log('');
    const pairs = await reportPairs({ log });
    const targets = evaluateTargets(byId, cfg, pairs);
    printTargets(targets, log);
    for (const note of notes) log(`note: ${note}`);
    writeResults(RESULTS, resultsJson({ cfg, data, tools, tasks, checks, targets, notes, loadAtStart }));
    log(`\nwrote ${RESULTS}`);
    if (checks.some((check) => !check.skipped && !check.ok)) process.exitCode = 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
