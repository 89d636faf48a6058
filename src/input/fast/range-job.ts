/**
 * One byte range's share of a threaded read of trade.csv (parallel.ts): the same reader and rules as
 * the one-thread path, on that range, with the units production.csv already set. In the checking pass
 * it sends back counts and years; in a full read, its rows as one sorted run (its finished table: see
 * merge-runs.ts).
 *
 * Worker threads run it (trade-worker.ts), and so does the reading thread itself for the last range:
 * it would otherwise wait idle while the workers read, and one worker fewer is one start of a thread
 * and of its modules fewer (about 0.2 s of a core).
 */
import { ImportSummary } from './trade-lines.js';
import { UnitRegistry, type FileStats, type LoadFilter } from '../loading.js';
import { TradeTable } from '../trade-table.js';
import type { Progress } from '../csv.js';
import type { SortedRun } from './merge-runs.js';

export interface ByteRange {
  start: number;
  end: number;
  /** The file's first line (with its line end), read before the range. */
  header: Buffer;
}

/** A range's job: what the main thread sends a worker, or does itself for the last range. */
export interface TradeJob {
  path: string;
  /** `summary`: the checking pass; `rows`: every row, sent back as one sorted run. */
  mode: 'summary' | 'rows';
  /** A full read: sum the rows of each fact (the first range only: later ranges' rows are summed after its sums, merge-runs.ts). */
  sumRows?: boolean;
  /** A full read: about how many rows the range holds (the table reserves room for them at once). */
  expectedRows?: number;
  range: { start: number; end: number; header: Uint8Array };
  years?: number[];
  materials?: string[];
  /** Every country code the folder knows (built in and countries.csv): the worker need not load the built-in list. */
  knownCodes: string[];
  units: [string, string, string][];
}

/** The last message of a range's job. */
export interface TradeJobResult {
  stats: FileStats;
  /** The checking pass only (a full read's years come from the merged table). */
  importYears: [string, number[]][];
  countries: string[];
  units: [string, string, string][];
}

export type WorkerMessage = { progress: Progress } | { run: SortedRun } | { result: TradeJobResult };

/** Sends a message to the thread that merges the parts; `transfer`: buffers it may move rather than copy. */
export type PostMessage = (message: WorkerMessage, transfer?: ArrayBuffer[]) => void;

/** dataset.ts readTradeRows, passed in: this module is loaded by dataset.ts itself (through parallel.ts). */
export type ReadTradeRows = (
  path: string,
  isKnown: (code: string) => boolean,
  units: UnitRegistry,
  filter: LoadFilter,
  table: TradeTable,
  summary: ImportSummary | undefined,
  range: ByteRange,
) => Promise<FileStats>;

/** Reads `job`'s range and posts its run (a full read without problems) and then its result. */
export async function readRange(job: TradeJob, post: PostMessage, readTradeRows: ReadTradeRows): Promise<void> {
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
  if (!summary && stats.problems.length === 0 && stats.problemsOmitted === 0) sendRun(table, post);
  const result: TradeJobResult = {
    stats,
    importYears: summary ? [...summary.importYears(table)].map(([key, years]) => [key, [...years]]) : [],
    countries: summary ? [...summary.countries(table)] : [],
    units: [...units.units].filter(([key]) => !seeded.has(key)).map(([key, unit]) => [key, unit, units.firstSeen.get(key) ?? '']),
  };
  post({ result });
}

/** The finished table, its columns moved (not copied) to the merging thread when that is another. */
function sendRun(table: TradeTable, post: PostMessage): void {
  table.finish();
  const run = table.snapshot();
  const columns = [run.sliceOf, run.exporterOf, run.importerOf, run.quantityOf, run.valueUsdOf, run.valuedQuantityOf];
  post(
    { run },
    columns.map((column) => column.buffer as ArrayBuffer),
  );
}
