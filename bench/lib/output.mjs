/** The printed table, the targets of issue 7 with met/missed, and bench/results/latest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function seconds(ms) {
  if (ms === null || ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const megabytes = (mb) => (mb === null || mb === undefined ? '-' : `${Math.round(mb)} MB`);
const ratio = (value) => (value === null || value === undefined ? '-' : `${value.toFixed(2)}x`);

/** A cell for one tool of one task: its median, or why there is none. */
function timeCell(result) {
  if (!result) return '-';
  if (result.skipped) return 'skipped';
  if (result.failed) return 'FAILED';
  // '*': some runs failed; the figure is from the others (see the notes).
  return `${seconds(result.medianMs)}${result.failedRuns ? '*' : ''}`;
}

function rssCell(task) {
  return ['supply-risk', 'duckdb', 'pandas']
    .map((tool) => task.results[tool])
    .filter(Boolean)
    .map((result) => megabytes(result.peakRssMb))
    .join(' / ');
}

function renderTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  const line = (row) => row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('  ');
  return [line(rows[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function printTimes(tasks, log) {
  const header = ['task', 'supply-risk', 'DuckDB', 'pandas', 'sr/DuckDB', 'sr/pandas', 'peak RSS sr / DuckDB / pandas'];
  const rows = [header];
  for (const task of tasks.filter((t) => t.kind === 'peers')) {
    rows.push([
      task.title,
      timeCell(task.results['supply-risk']),
      timeCell(task.results.duckdb),
      timeCell(task.results.pandas),
      ratio(task.ratios?.duckdb),
      ratio(task.ratios?.pandas),
      rssCell(task),
    ]);
  }
  // A start-up-only run (BENCH_ONLY=startup) has no peer task: no empty table.
  if (rows.length > 1) log(renderTable(rows));
  const work = tasks
    .filter((t) => t.kind === 'peers')
    .flatMap((task) =>
      ['duckdb', 'pandas']
        .filter((tool) => task.results[tool]?.medianComputeMs)
        .map((tool) => `${task.title} ${tool} ${seconds(task.results[tool].medianComputeMs)}`),
    );
  if (work.length > 0) log(`\nPeers' in-process work alone (without runtime and library start-up): ${work.join('; ')}`);
  for (const task of tasks.filter((t) => t.kind === 'single')) {
    const cells = Object.entries(task.results).map(([tool, result]) => `${tool} ${timeCell(result)} (peak RSS ${megabytes(result.peakRssMb)})`);
    log(`${task.title}: ${cells.join(', ')}`);
  }
}

export function printTargets(targets, log) {
  log('\nTargets (issues 7, 13 and 14):');
  for (const target of targets) log(`  [${target.status}] ${target.name}: ${target.detail}`);
}

export function printChecks(checks, log) {
  log('\nResult checks (peers against supply-risk, relative tolerance 1e-6):');
  for (const check of checks) {
    const status = check.skipped ? 'skipped' : check.ok ? 'PASS' : 'FAIL';
    log(`  [${status}] ${check.name}: ${check.detail}`);
    for (const mismatch of check.mismatches ?? []) log(`        ${mismatch}`);
  }
}

export function writeResults(path, results) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
