/**
 * A worker thread's share of reading a large trade.csv (see parallel.ts): the same reader and rules
 * as the one-thread path, on one byte range, with the units already set by production.csv. In the
 * checking pass it sends back counts and years; in a full read, its rows as one sorted run (its
 * finished table: see merge-runs.ts).
 */
import { parentPort } from 'node:worker_threads';
import { readTradeRows } from '../dataset.js';
import { UnitRegistry } from '../loading.js';
import type { TradeJob, TradeJobResult, WorkerMessage } from './parallel.js';
import { ImportSummary } from './trade-lines.js';
import { TradeTable } from '../trade-table.js';

// Started before its job is known (parallel.ts startTradeWorkers): the modules above load meanwhile.
const job = await new Promise<TradeJob>((resolve) => parentPort?.once('message', resolve));
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => parentPort?.postMessage(message, transfer);
const known = new Set(job.knownCodes);
const units = new UnitRegistry();
for (const [key, unit, where] of job.units) {
  units.units.set(key, unit);
  units.firstSeen.set(key, where);
}
const seeded = new Set(units.units.keys());
// The first range's rows are summed here (in file order, as the one-thread read sums them); a later
// range's rows stay apart, to be summed after the earlier ranges' (merge-runs.ts).
const table = new TradeTable({ aggregate: job.sumRows === true });
if (job.sumRows) table.sumAtFinish();
if (job.expectedRows) table.reserve(job.expectedRows);
const summary = job.mode === 'summary' ? new ImportSummary() : undefined;

/** The finished table, its columns moved (not copied) to the main thread. */
function sendRun(): void {
  table.finish();
  const run = table.snapshot();
  const columns = [run.sliceOf, run.exporterOf, run.importerOf, run.quantityOf, run.valueUsdOf, run.valuedQuantityOf];
  post(
    { run },
    columns.map((column) => column.buffer as ArrayBuffer),
  );
}

const stats = await readTradeRows(
  job.path,
  (code) => known.has(code),
  units,
  {
    ...(job.years ? { years: new Set(job.years) } : {}),
    ...(job.materials ? { materials: new Set(job.materials) } : {}),
    progress: (progress) => post({ progress }),
  },
  table,
  summary,
  { start: job.range.start, end: job.range.end, header: Buffer.from(job.range.header) },
);
if (!summary && stats.problems.length === 0 && stats.problemsOmitted === 0) sendRun();
const result: TradeJobResult = {
  stats,
  importYears: summary ? [...summary.importYears(table)].map(([key, years]) => [key, [...years]]) : [],
  countries: summary ? [...summary.countries(table)] : [],
  units: [...units.units].filter(([key]) => !seeded.has(key)).map(([key, unit]) => [key, unit, units.firstSeen.get(key) ?? '']),
};
post({ result });
