/**
 * A worker thread's share of reading a large trade.csv (see parallel.ts): the same reader and rules
 * as the one-thread path, on one byte range, with the units already set by production.csv. In the
 * checking pass it sends back counts and years; in a full read, its rows in batches of columns.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { builtInCountries } from '../../domain/countries.js';
import { readTradeRows } from '../dataset.js';
import { UnitRegistry } from '../loading.js';
import type { TradeJob, TradeJobResult, WorkerMessage } from './parallel.js';
import { ImportSummary } from './trade-lines.js';
import { TradeTable } from '../trade-table.js';

/** Rows per batch: large enough that messages are few, small enough that this thread's memory stays small. */
const BATCH_ROWS = 1 << 16;

const job = workerData as TradeJob;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => parentPort?.postMessage(message, transfer);
const known = new Set([...builtInCountries().keys(), ...job.customCountries.map(([code]) => code)]);
const units = new UnitRegistry();
for (const [key, unit, where] of job.units) {
  units.units.set(key, unit);
  units.firstSeen.set(key, where);
}
const seeded = new Set(units.units.keys());
const table = new TradeTable({ aggregate: false });
const summary = job.mode === 'summary' ? new ImportSummary() : undefined;

function sendRows(): void {
  const batch = table.takeRows();
  const columns = [batch.sliceOf, batch.exporterOf, batch.importerOf, batch.quantityOf, batch.valueUsdOf];
  post(
    { batch },
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
    progress: (progress) => {
      post({ progress });
      if (table.length >= BATCH_ROWS) sendRows();
    },
  },
  table,
  summary,
  { start: job.range.start, end: job.range.end, header: Buffer.from(job.range.header) },
);
if (!summary) sendRows();
const result: TradeJobResult = {
  stats,
  importYears: summary ? [...summary.importYears(table)].map(([key, years]) => [key, [...years]]) : [],
  countries: summary ? [...summary.countries(table)] : [],
  units: [...units.units].filter(([key]) => !seeded.has(key)).map(([key, unit]) => [key, unit, units.firstSeen.get(key) ?? '']),
};
post({ result });
