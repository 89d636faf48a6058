/**
 * Reading a large trade.csv with several threads. The file is cut at line ends into byte ranges;
 * each worker thread reads its range as if the header came first, with the same reader and rules as
 * the one-thread path (range-job.ts), and this thread reads the last range the same way meanwhile.
 * Two kinds of read are shared out:
 * - the checking pass (`validate`, and the first pass of an analysis of the latest years): workers
 *   send back counts and year lists, which merge exactly;
 * - a full read (every row of every year, as `trend` needs): each worker parses and checks its rows,
 *   puts them in canonical order and sends them back as one sorted run; this thread merges the runs
 *   (merge-runs.ts), range after range for equal keys, so every sum is the one-thread sum, to the
 *   last bit.
 * Reads filtered to some years or materials stay on one thread: they mostly skip lines, and one
 * reader's memory is all they need.
 *
 * It runs only where it gives exactly the one-thread result: a file whose ranges hold no quote
 * character (no field can hide a line end) and whose first chunk has no lone carriage return. When
 * a worker finds any problem, or the workers disagree on a unit, the file is read again on one
 * thread, so that every message, line number and count is that of the plain path.
 */
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
// Loaded only when a file is large enough for workers: the module costs a small read its start-up time.
import type { Worker } from 'node:worker_threads';
import type { Country } from '../../domain/countries.js';
import { CHUNK_BYTES, hasLoneCarriageReturn, type Progress } from '../csv.js';
import type { FileStats, LoadFilter, TradeRead, UnitRegistry } from '../loading.js';
import { ImportSummary } from './trade-lines.js';
import { mergeSortedRuns, type SortedRun } from './merge-runs.js';
import { readRange, type ReadTradeRows, type TradeJob, type TradeJobResult, type WorkerMessage } from './range-job.js';
import { TradeTable } from '../trade-table.js';

/** Below this size one thread is quicker than starting workers. */
const PARALLEL_MIN_BYTES = 16 << 20;
/** How far past a planned cut to look for the line end it moves to. */
const CUT_WINDOW_BYTES = 1 << 16;
const NEWLINE = 10;
const QUOTE = 34;

/**
 * Worker threads started for a read, one for each byte range but the last (which this thread reads),
 * before the job they will be given: a worker's start (Node's start of a thread and its modules,
 * about 200 ms of one core) then overlaps with this thread reading production.csv and countries.csv,
 * whose units and codes the job carries.
 */
export interface TradeWorkers {
  path: string;
  size: number;
  mode: TradeJob['mode'];
  plan: { header: Buffer; ranges: [number, number][]; estimatedRows: number };
  workers: StartedWorker[];
}

/**
 * Starts the workers of a threaded read of `path`, or null where the file is read on one thread
 * (too small, filtered to some years or materials for a full read, one thread allowed, no compiled
 * worker, or a file whose layout the workers cannot split). Workers not given a job (stop) or given
 * one (readTradeInParallel) end either way; they never keep the process alive on their own.
 */
export async function startTradeWorkers(path: string, filter: LoadFilter, threads: number): Promise<TradeWorkers | null> {
  const mode = filter.tradeSummaryOnly ? 'summary' : 'rows';
  if (threads < 2 || (mode === 'rows' && (filter.years || filter.materials))) return null;
  const url = new URL('./trade-worker.js', import.meta.url);
  // Under a TypeScript test runner there is no compiled worker: read on one thread.
  if (!existsSync(fileURLToPath(url))) return null;
  const size = await stat(path).then(
    (info) => (info.isFile() ? info.size : 0),
    () => 0,
  );
  if (size < PARALLEL_MIN_BYTES) return null;
  const plan = await planRanges(path, size, threads);
  if (!plan) return null;
  const { Worker: WorkerThread } = await import('node:worker_threads');
  return { path, size, mode, plan, workers: plan.ranges.slice(1).map(() => new StartedWorker(new WorkerThread(url))) };
}

/** Ends workers that will not be given a job (the read stopped before the trade file). */
export function stopTradeWorkers(started: TradeWorkers | null): void {
  for (const worker of started?.workers ?? []) worker.stop();
}

/**
 * The threaded read itself: the workers' jobs, this thread's own range, then the merge of what all
 * of them read; null when the file must be read on one thread instead (a problem in any range, units
 * that differ between ranges, a worker that failed). `readTradeRows` is dataset.ts's reader.
 */
export async function readTradeInParallel(
  started: TradeWorkers | null,
  countries: ReadonlyMap<string, Country>,
  units: UnitRegistry,
  filter: LoadFilter,
  readTradeRows: ReadTradeRows,
): Promise<TradeRead | null> {
  if (!started) return null;
  const { path, size, mode, plan, workers } = started;
  const base: Omit<TradeJob, 'range'> = {
    path,
    mode,
    ...(filter.years ? { years: [...filter.years] } : {}),
    ...(filter.materials ? { materials: [...filter.materials] } : {}),
    knownCodes: [...countries.keys()],
    units: [...units.units].map(([key, unit]) => [key, unit, units.firstSeen.get(key) ?? '']),
  };
  const here = plan.ranges.length - 1;
  // The progress line follows the sum of what the ranges have read.
  const done = plan.ranges.map(() => ({ bytes: 0, rows: 0 }));
  // Never backwards: the workers' messages that waited for this thread's range come in afterwards.
  let shown = { bytes: 0, rows: 0 };
  const report = (part: number, progress: Progress): void => {
    done[part] = { bytes: progress.bytesRead, rows: progress.rowsRead };
    const sum = part === here ? progressWhileReadingHere(done, plan.ranges, here) : totalProgress(done);
    shown = { bytes: Math.max(shown.bytes, sum.bytes), rows: Math.max(shown.rows, sum.rows) };
    filter.progress?.({ file: progress.file, bytesRead: shown.bytes, bytesTotal: size, rowsRead: shown.rows });
  };
  const runs: (SortedRun | undefined)[] = plan.ranges.map(() => undefined);
  const listenersOf = (part: number): WorkerListeners => ({
    progress: (progress) => report(part, progress),
    run: (run) => (runs[part] = run),
    result: (result) => {
      // One range's problem means a one-thread read: stop the workers now.
      if (hasProblems(result)) for (const running of workers) running.stop();
    },
  });
  const jobOf = (part: number): TradeJob => {
    const [start, end] = plan.ranges[part] as [number, number];
    return { ...base, ...rowsJob(mode, part, start, end, plan, size), range: { start, end, header: plan.header } };
  };
  // The workers' jobs first (they start reading at once), then this thread's range: reading is
  // synchronous here, so the workers' messages wait until it is done.
  const working = workers.map((worker, part) => worker.run(jobOf(part), listenersOf(part)));
  let results: TradeJobResult[];
  try {
    results = await Promise.all([...working, readHere(jobOf(here), listenersOf(here), readTradeRows)]);
  } catch {
    stopTradeWorkers(started);
    return null;
  }
  const merged = mergeResults(results, units);
  if (!merged) return null;
  // The checking pass keeps no facts: an empty table, as the one-thread checking pass leaves it.
  if (mode === 'summary') return { ...merged, facts: new TradeTable() };
  const sorted = runs.filter((run): run is SortedRun => run !== undefined);
  if (sorted.length !== plan.ranges.length) return null;
  const table = mergeSortedRuns(sorted);
  // The listeners' closures outlive this call: drop the runs (tens of megabytes) now they are merged.
  runs.fill(undefined);
  const summary = ImportSummary.of(table);
  return { stats: merged.stats, facts: table, importYears: summary.importYears(table), countries: summary.countries(table) };
}

interface WorkerListeners {
  progress: (progress: Progress) => void;
  run: (run: SortedRun) => void;
  result: (result: TradeJobResult) => void;
}

/** A worker thread started ahead of its job; what it says before the job is given waits for it. */
class StartedWorker {
  private listeners: WorkerListeners | undefined;
  private failure: Error | undefined;
  private failed: ((error: Error) => void) | undefined;

  constructor(private readonly worker: Worker) {
    // Not holding the process open while it waits: a read that stops early (a bad production.csv)
    // must not hang. It is held open once it has a job.
    worker.unref();
    worker.on('message', (message: WorkerMessage) => this.listeners && deliver(this.listeners, message));
    worker.once('error', (error: Error) => this.fail(error));
    worker.once('exit', (code) => this.fail(new Error(`trade worker exited with ${code} before its result`)));
  }

  /** Gives the worker its job; resolves with its last message, rejects if it fails or exits first. */
  run(job: TradeJob, listeners: WorkerListeners): Promise<TradeJobResult> {
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.failed = reject;
      this.listeners = {
        ...listeners,
        result: (result) => {
          this.failed = undefined;
          listeners.result(result);
          resolve(result);
        },
      };
      this.worker.ref();
      this.worker.postMessage(job);
    });
  }

  stop(): void {
    void this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.failed?.(error);
  }
}

/** What every range has read, summed. */
export function totalProgress(done: readonly { bytes: number; rows: number }[]): { bytes: number; rows: number } {
  return done.reduce((sum, entry) => ({ bytes: sum.bytes + entry.bytes, rows: sum.rows + entry.rows }), { bytes: 0, rows: 0 });
}

/**
 * The progress of the whole read while this thread reads its own range (`here`): the workers'
 * messages wait until it is done, so each range that has reported less than this thread's share of
 * its own range is counted at that share, with this thread's rows per byte. The ranges start
 * together and read at about the same speed: without this, the line would show half the file read
 * at best, and twice the time left, until this thread's range is done.
 */
export function progressWhileReadingHere(
  done: readonly { bytes: number; rows: number }[],
  ranges: readonly (readonly [number, number])[],
  here: number,
): { bytes: number; rows: number } {
  const own = done[here] ?? { bytes: 0, rows: 0 };
  const [start, end] = ranges[here] ?? [0, 0];
  const share = end > start ? own.bytes / (end - start) : 1;
  const rowsPerByte = own.bytes > 0 ? own.rows / own.bytes : 0;
  return totalProgress(
    done.map((entry, part) => {
      const [from, to] = ranges[part] ?? [0, 0];
      const bytes = Math.round(share * (to - from));
      return entry.bytes >= bytes ? entry : { bytes, rows: Math.round(bytes * rowsPerByte) };
    }),
  );
}

/** This thread's own range: the job a worker would be given, read here; resolves with its result. */
async function readHere(job: TradeJob, listeners: WorkerListeners, readTradeRows: ReadTradeRows): Promise<TradeJobResult> {
  let result: TradeJobResult | undefined;
  await readRange(
    job,
    (message) => {
      if ('result' in message) result = message.result;
      deliver(listeners, message);
    },
    readTradeRows,
  );
  if (!result) throw new Error('the range read here gave no result');
  return result;
}

function deliver(on: WorkerListeners, message: WorkerMessage): void {
  if ('progress' in message) on.progress(message.progress);
  else if ('run' in message) on.run(message.run);
  else on.result(message.result);
}

/** What a worker of a full read does besides reading: sum its rows (the first range) and reserve room for them. */
function rowsJob(mode: TradeJob['mode'], part: number, start: number, end: number, plan: { estimatedRows: number }, size: number): Partial<TradeJob> {
  if (mode !== 'rows') return {};
  // 5% over the estimate: a table short of room by a few rows would copy its columns to grow.
  return { sumRows: part === 0, expectedRows: Math.ceil((1.05 * plan.estimatedRows * (end - start)) / Math.max(1, size)) };
}

/**
 * The header and up to `parts` byte ranges cut just after line ends, found by reading a little
 * around each cut (the workers check their own ranges for quote characters). Null for a file the
 * one-thread reader would read as a whole with csv-parse (lone carriage returns in its first chunk),
 * a quoted header, or no line end near a cut.
 */
export async function planRanges(
  path: string,
  size: number,
  parts: number,
): Promise<{ header: Buffer; ranges: [number, number][]; estimatedRows: number } | null> {
  const handle = await open(path);
  try {
    const first = Buffer.alloc(Math.min(size, CHUNK_BYTES));
    await handle.read(first, 0, first.length, 0);
    const headerEnd = first.indexOf(NEWLINE) + 1;
    if (headerEnd === 0 || hasLoneCarriageReturn(first) || first.subarray(0, headerEnd).includes(QUOTE)) return null;
    const bounds = [headerEnd];
    const window = Buffer.alloc(CUT_WINDOW_BYTES);
    for (let k = 1; k < parts; k += 1) {
      const target = headerEnd + Math.floor((k * (size - headerEnd)) / parts);
      const { bytesRead } = await handle.read(window, 0, CUT_WINDOW_BYTES, target);
      const newline = window.subarray(0, bytesRead).indexOf(NEWLINE);
      if (newline === -1) return null;
      const cut = target + newline + 1;
      if (cut > (bounds.at(-1) ?? 0) && cut < size) bounds.push(cut);
    }
    bounds.push(size);
    const ranges: [number, number][] = [];
    for (let k = 0; k + 1 < bounds.length; k++) ranges.push([bounds[k] ?? 0, bounds[k + 1] ?? 0]);
    // Rows in the file, from the lines of the first chunk: a full read reserves room for them at once.
    let lines = 0;
    for (let at = first.indexOf(NEWLINE, headerEnd); at !== -1; at = first.indexOf(NEWLINE, at + 1)) lines += 1;
    const estimatedRows = lines > 0 ? Math.ceil((lines * (size - headerEnd)) / Math.max(1, first.length - headerEnd)) : 0;
    return ranges.length > 1 ? { header: Buffer.from(first.subarray(0, headerEnd)), ranges, estimatedRows } : null;
  } finally {
    await handle.close();
  }
}

function hasProblems(result: TradeJobResult): boolean {
  return result.stats.problems.length > 0 || result.stats.problemsOmitted > 0;
}

/** Counts, units and (checking pass) years of the workers, in file order; null when one thread must decide. */
function mergeResults(results: readonly TradeJobResult[], units: UnitRegistry): Omit<TradeRead, 'facts'> | null {
  if (results.some(hasProblems)) return null;
  for (const result of results) {
    for (const [key, unit, where] of result.units) {
      const known = units.units.get(key);
      if (known === undefined) {
        units.units.set(key, unit);
        units.firstSeen.set(key, where);
      } else if (known !== unit) return null;
    }
  }
  const importYears = new Map<string, Set<number>>();
  const countries = new Set<string>();
  const stats: FileStats = { ...(results[0]?.stats as FileStats), rowsRead: 0, rowsUsed: 0, rowsRejected: 0, rowsBlank: 0, rowsSkipped: 0 };
  for (const result of results) {
    for (const [key, years] of result.importYears) {
      const known = importYears.get(key) ?? new Set<number>();
      for (const year of years) known.add(year);
      importYears.set(key, known);
    }
    for (const country of result.countries) countries.add(country);
    stats.rowsRead += result.stats.rowsRead;
    stats.rowsUsed += result.stats.rowsUsed;
    stats.rowsRejected += result.stats.rowsRejected;
    stats.rowsBlank += result.stats.rowsBlank;
    stats.rowsSkipped += result.stats.rowsSkipped;
  }
  return { stats, importYears, countries };
}
