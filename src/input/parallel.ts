/**
 * Checking a large trade.csv with several threads: the pass that reads every row but keeps no facts
 * (`validate`, and the first pass of an analysis of the latest years over a large file). The file
 * is cut at line ends into byte ranges; each worker thread reads its range as if the header came
 * first, with the same reader and rules as the one-thread path, and the counts, year lists and
 * units are merged here.
 *
 * It runs only where it gives exactly the one-thread result: a file without quote characters (no
 * field can hide a line end), lone carriage returns or NUL bytes. When a worker finds any problem,
 * or the workers disagree on a unit, the file is read again on one thread, so that every message,
 * line number and count is that of the plain path.
 */
import { createReadStream, existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Country } from './countries.js';
import type { Progress } from './csv.js';
import type { FileStats, LoadFilter, TradeRead, UnitRegistry } from './dataset.js';
import { TradeTable } from './trade-table.js';

export interface ByteRange {
  start: number;
  end: number;
  /** The file's first line (with its line end), read before the range. */
  header: Buffer;
}

/** What the main thread sends a worker. */
export interface TradeJob {
  path: string;
  range: { start: number; end: number; header: Uint8Array };
  years?: number[];
  materials?: string[];
  customCountries: [string, Country][];
  units: [string, string, string][];
}

/** What a worker sends back (no facts: the checking pass keeps none). */
export interface TradeJobResult {
  stats: FileStats;
  importYears: [string, number[]][];
  countries: string[];
  units: [string, string, string][];
}

/** Below this size one thread is quicker than starting workers. */
const PARALLEL_MIN_BYTES = 16 << 20;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const QUOTE = 34;

export async function readTradeInParallel(
  path: string,
  customCountries: ReadonlyMap<string, Country>,
  units: UnitRegistry,
  filter: LoadFilter,
  threads: number,
): Promise<TradeRead | null> {
  // Only the checking pass is shared out: it sends back counts and year lists, which merge exactly.
  // Moving a million facts between threads costs more than it saves, and sums of floating-point
  // quantities added in another order could differ in their last digit from the one-thread result.
  if (threads < 2 || !filter.tradeSummaryOnly) return null;
  const worker = new URL('./trade-worker.js', import.meta.url);
  // Under a TypeScript test runner there is no compiled worker: read on one thread.
  if (!existsSync(fileURLToPath(worker))) return null;
  const size = await stat(path).then(
    (info) => (info.isFile() ? info.size : 0),
    () => 0,
  );
  if (size < PARALLEL_MIN_BYTES) return null;
  const plan = await planRanges(path, size, threads);
  if (!plan) return null;
  const base: Omit<TradeJob, 'range'> = {
    path,
    ...(filter.years ? { years: [...filter.years] } : {}),
    ...(filter.materials ? { materials: [...filter.materials] } : {}),
    customCountries: [...customCountries],
    units: [...units.units].map(([key, unit]) => [key, unit, units.firstSeen.get(key) ?? '']),
  };
  // The progress line follows the sum of what the workers have read.
  const done = plan.ranges.map(() => ({ bytes: 0, rows: 0 }));
  const report = (part: number, progress: Progress): void => {
    done[part] = { bytes: progress.bytesRead, rows: progress.rowsRead };
    filter.progress?.({
      file: progress.file,
      bytesRead: done.reduce((sum, entry) => sum + entry.bytes, 0),
      bytesTotal: size,
      rowsRead: done.reduce((sum, entry) => sum + entry.rows, 0),
    });
  };
  let results: TradeJobResult[];
  try {
    results = await Promise.all(
      plan.ranges.map(([start, end], part) => runWorker(worker, { ...base, range: { start, end, header: plan.header } }, (progress) => report(part, progress))),
    );
  } catch {
    return null;
  }
  return mergeResults(results, units);
}

function runWorker(url: URL, job: TradeJob, onProgress: (progress: Progress) => void): Promise<TradeJobResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: job });
    worker.on('message', (message: { progress: Progress } | { result: TradeJobResult }) => {
      if ('progress' in message) onProgress(message.progress);
      else resolve(message.result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`trade worker exited with ${code}`));
    });
  });
}

/**
 * The header and up to `parts` byte ranges cut just after line ends; null when the file has a quote
 * character, a lone carriage return or a NUL byte (the one-thread path then reads and reports it).
 */
export async function planRanges(path: string, size: number, parts: number): Promise<{ header: Buffer; ranges: [number, number][] } | null> {
  let offset = 0;
  let headerEnd = -1;
  let previousWasCr = false;
  const cuts: number[] = [];
  let targets: number[] = [];
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (chunk.indexOf(QUOTE) !== -1 || chunk.indexOf(0) !== -1) return null;
    if (previousWasCr && chunk[0] !== NEWLINE) return null;
    for (let i = chunk.indexOf(CARRIAGE_RETURN); i !== -1; i = chunk.indexOf(CARRIAGE_RETURN, i + 1)) {
      if (i + 1 < chunk.length && chunk[i + 1] !== NEWLINE) return null;
    }
    previousWasCr = chunk[chunk.length - 1] === CARRIAGE_RETURN;
    if (headerEnd === -1) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) return null; // a header longer than a chunk: not worth splitting
      headerEnd = newline + 1;
      targets = Array.from({ length: parts - 1 }, (_, k) => headerEnd + Math.floor(((k + 1) * (size - headerEnd)) / parts));
    }
    while (targets.length > 0 && (targets[0] ?? 0) < offset + chunk.length) {
      const target = targets[0] ?? 0;
      const newline = chunk.indexOf(NEWLINE, Math.max(0, target - offset));
      if (newline === -1) break; // the cut falls in the next chunk
      cuts.push(offset + newline + 1);
      targets.shift();
    }
    offset += chunk.length;
  }
  if (headerEnd === -1) return null;
  const header = Buffer.alloc(headerEnd);
  const handle = await open(path);
  try {
    await handle.read(header, 0, headerEnd, 0);
  } finally {
    await handle.close();
  }
  const bounds = [headerEnd, ...cuts.filter((cut) => cut > headerEnd && cut < size), size];
  const ranges: [number, number][] = [];
  for (let k = 0; k + 1 < bounds.length; k++) if ((bounds[k + 1] ?? 0) > (bounds[k] ?? 0)) ranges.push([bounds[k] ?? 0, bounds[k + 1] ?? 0]);
  return ranges.length > 1 ? { header, ranges } : null;
}

/** Sums the workers' results in file order; null when the one-thread path must decide instead. */
function mergeResults(results: readonly TradeJobResult[], units: UnitRegistry): TradeRead | null {
  if (results.some((result) => result.stats.problems.length > 0 || result.stats.problemsOmitted > 0)) return null;
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
  return { facts: new TradeTable(), stats, importYears, countries };
}
