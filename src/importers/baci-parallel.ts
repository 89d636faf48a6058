/**
 * A large BACI CSV read on two threads. A plain file is cut at a line start: this thread reads the
 * first part (its first chunk tells how large a part, see ownShare) while a worker thread starts and
 * reads the rest, in order, sending its kept flows in batches. This thread adds its own flows to the sums, then the worker's, in the order of the file,
 * so every sum is made exactly as on one thread (additions in file order, rounded after each). The
 * worker counts its skipped lines, numbering them after the lines of the first part (counted
 * beforehand as readline counts them), and its tally is merged in at the end as if its lines had
 * been counted here. A gzip file cannot be cut: the worker reads all of it.
 *
 * This thread also does all the summing, so it takes the smaller part. Below PARALLEL_MIN_BYTES
 * starting a thread costs more than it saves, and under a TypeScript test runner there is no
 * compiled worker: the file is then read on this thread.
 */
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, type Problem } from '../domain/problems.js';
import { BaciLines, DEFAULT_CHUNK_SIZE, fileChunks, ProductList, SumSink, type BaciCsvOptions, type Columns } from './baci-csv.js';
import type { HsEntry } from './hs-map.js';
import type { CoverageData, FlowTracking, TradeOptions, TradeSum } from './trade-filter.js';
import type { Tally } from './types.js';
import type { YearRange } from './values.js';

/** Below this file size the file is read on this thread. */
const PARALLEL_MIN_BYTES = 16 << 20;
/**
 * The share of a plain file this thread reads itself, given the share of lines kept in the sample.
 * This thread also sums every kept line, which costs about three times reading a line, so the two
 * threads are equally busy when it reads (1 - 3 kept) / 2 of the file: nearly half when few lines
 * are kept (a real BACI year keeps a few percent), none when a third or more are (the worker also
 * needs time to start, hence at most 45%).
 */
function ownShare(kept: number): number {
  return Math.min(0.45, Math.max(0, (1 - 3 * kept) / 2));
}
const NEWLINE = 0x0a;
const CR = 0x0d;
/** Numbers per flow in a batch: entry, exporter, importer, year, gross tonnes, value (NaN for none). */
export const FLOW_FIELDS = 6;

/** The part of a plain file a worker reads: from a line start on, after `lines` lines, with the header's columns. */
export interface WorkerPart {
  start: number;
  lines: number;
  columns: Columns;
}

/** What the worker is given: the file, the read size and the options, as data; then where to read (see begin). */
export interface BaciWorkerJob {
  path: string;
  chunkSize?: number;
  batchFlows?: number;
  years?: YearRange;
  country?: string;
  /** The HS map as [key, entry] pairs, in the map's order. */
  hsMap: [string, HsEntry][];
  /** What --materials and --stages say of each entry (in the same order): why it is left out, or null. */
  unwanted: (string | null)[];
}

/** Flows in file order; country ids index the codes of all batches so far (`codes` are the new ones). */
export interface FlowBatch {
  codes: string[];
  rows: Float64Array<ArrayBuffer>;
  count: number;
}

export interface TallyData {
  read: number;
  kept: number;
  skipped: [string, number][];
  examples: [string, string[]][];
}

export type BaciWorkerMessage =
  | ({ kind: 'flows' } & FlowBatch)
  | ({ kind: 'done'; tally: TallyData; coverage: CoverageData } & FlowBatch)
  | { kind: 'failed'; problems?: Problem[]; message: string; code?: string };

/**
 * Reads the file on two threads when that pays (or when `reading.threads` asks for it and a
 * compiled worker exists); false when the file is to be read on this thread alone.
 */
export async function readBaciCsvInParallel(
  path: string,
  options: TradeOptions,
  tally: Tally,
  sum: TradeSum,
  reading: BaciCsvOptions = {},
  track: FlowTracking = {},
): Promise<boolean> {
  if (reading.threads === false) return false;
  const url = new URL('./baci-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return false;
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  if (reading.threads !== true && size < PARALLEL_MIN_BYTES) return false;
  const products = new ProductList(options.hsMap);
  const label = basename(path);
  const sink = new SumSink(sum, `CEPII BACI, ${label}`, products, track);
  const job: BaciWorkerJob = {
    path,
    ...(reading.chunkSize ? { chunkSize: reading.chunkSize } : {}),
    ...(reading.batchFlows ? { batchFlows: reading.batchFlows } : {}),
    ...(options.years ? { years: options.years } : {}),
    ...(options.country ? { country: options.country } : {}),
    hsMap: [...options.hsMap],
    unwanted: products.entries.map((entry) => options.select?.(entry.material, entry.stage) ?? null),
  };
  // The thread starts now and reads once told where: it boots while this thread looks at the file.
  const run = new WorkerRun(url, job, sink, tally);
  try {
    if (path.endsWith('.gz')) {
      run.begin();
      await run.finish();
      return true;
    }
    // The first chunk is a sample: it has the header, and its share of kept lines sets this thread's share.
    const chunkSize = reading.chunkSize ?? DEFAULT_CHUNK_SIZE;
    const lines = new BaciLines(label, options, products, tally, sink);
    const keptBefore = tally.kept;
    const sample = Math.min(chunkSize, size);
    for await (const chunk of fileChunks(path, chunkSize, 0, sample)) lines.push(chunk);
    const kept = (tally.kept - keptBefore) / Math.max(lines.lines, 1);
    const cut = lines.columns ? await lineStartAfter(path, Math.max(sample, Math.floor(size * ownShare(kept)))) : null;
    if (cut === null || !lines.columns) {
      // No header in the sample, or no line end near the cut: the rest is read here.
      await run.stop();
      for await (const chunk of fileChunks(path, chunkSize, sample)) lines.push(chunk);
      lines.end();
      return true;
    }
    run.begin({ start: cut, lines: await countLines(path, cut), columns: lines.columns });
    for await (const chunk of fileChunks(path, chunkSize, sample, cut)) lines.push(chunk);
    lines.count();
    await run.finish();
  } catch (error) {
    await run.stop();
    throw error;
  }
  return true;
}

/**
 * A worker reading (part of) a file. Its batches wait until finish() is called, after this thread
 * has read what comes before them; then they are summed in order as they come.
 */
class WorkerRun {
  private readonly thread: Worker;
  private readonly waiting: BaciWorkerMessage[] = [];
  private readonly countries: number[] = [];
  private summing = false;
  private failure: Error | undefined;
  private done = false;
  private settle: ((error?: Error) => void) | undefined;

  constructor(
    url: URL,
    job: BaciWorkerJob,
    private readonly sink: SumSink,
    private readonly tally: Tally,
  ) {
    this.thread = new Worker(url, { workerData: job });
    this.thread.on('message', (message: BaciWorkerMessage) => (this.summing ? this.receive(message) : this.waiting.push(message)));
    this.thread.once('error', (error) => this.fail(error));
    this.thread.once('exit', (code) => this.fail(new Error(`BACI reader thread stopped (exit code ${code})`)));
  }

  /** Tells the worker to read the file, or its part from a line start on. */
  begin(part?: WorkerPart): void {
    this.thread.postMessage({ part });
  }

  /** Sums the worker's flows (those waiting, then the rest as they come) and merges its tally. */
  finish(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // The thread is gone before the import goes on, so it takes no time from what follows.
      this.settle = (error) => void this.thread.terminate().finally(() => (error ? reject(error) : resolve()));
      this.summing = true;
      for (const message of this.waiting.splice(0)) this.receive(message);
      if (this.failure) this.fail(this.failure);
    });
  }

  async stop(): Promise<void> {
    this.done = true;
    await this.thread.terminate();
  }

  private receive(message: BaciWorkerMessage): void {
    if (this.done) return;
    try {
      if (message.kind === 'failed') return this.fail(workerFailure(message));
      this.add(message);
      if (message.kind === 'flows') return void this.thread.postMessage(message.rows, [message.rows.buffer]); // reused by the worker
      mergeTally(this.tally, message.tally);
      this.sink.coverage.merge(message.coverage);
      this.done = true;
      this.settle?.();
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    if (!this.settle) return; // reported by finish()
    this.done = true;
    this.settle(error);
  }

  private add(batch: FlowBatch): void {
    for (const code of batch.codes) this.countries.push(this.sink.countryId(code));
    const rows = batch.rows;
    for (let row = 0; row < batch.count; row++) {
      const at = row * FLOW_FIELDS;
      const value = rows[at + 5] ?? NaN;
      const exporter = this.countries[rows[at + 1] ?? 0] ?? 0;
      const importer = this.countries[rows[at + 2] ?? 0] ?? 0;
      this.sink.addFlow(rows[at] ?? 0, exporter, importer, rows[at + 3] ?? NaN, rows[at + 4] ?? NaN, Number.isNaN(value) ? null : value);
    }
  }
}

/** The offset of the first line start at or after `from` (just after a line feed), or null when there is none nearby. */
async function lineStartAfter(path: string, from: number): Promise<number | null> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 16);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, from);
    const newline = buffer.subarray(0, bytesRead).indexOf(NEWLINE);
    return newline === -1 ? null : from + newline + 1;
  } finally {
    await file.close();
  }
}

/**
 * The lines before `end` (a line start) as readline counts them: every line feed, and every
 * carriage return that is not followed by one (a lone CR ends a line too).
 */
async function countLines(path: string, end: number): Promise<number> {
  let lines = 0;
  let crAtEnd = false;
  for await (const chunk of fileChunks(path, DEFAULT_CHUNK_SIZE, 0, end)) {
    if (crAtEnd && chunk[0] !== NEWLINE) lines += 1;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) lines += 1;
    for (let at = chunk.indexOf(CR); at !== -1; at = chunk.indexOf(CR, at + 1)) if (at + 1 < chunk.length && chunk[at + 1] !== NEWLINE) lines += 1;
    crAtEnd = chunk[chunk.length - 1] === CR;
  }
  return lines;
}

/** The worker's error, as the one-thread reader would have thrown it. */
function workerFailure(message: { problems?: Problem[]; message: string; code?: string }): Error {
  if (message.problems) return new InputError(message.problems);
  const error = new Error(message.message) as Error & { code?: string };
  if (message.code !== undefined) error.code = message.code;
  return error;
}

export function tallyData(tally: Tally): TallyData {
  return { read: tally.read, kept: tally.kept, skipped: [...tally.skipped], examples: [...tally.examples] };
}

/**
 * Adds a later part's tally to `into` as if its records had been counted there one by one: counts
 * add up, and its examples (the first few of each reason) are offered in order, so `into` keeps the
 * same few examples per reason that counting every record in order would have kept.
 */
export function mergeTally(into: Tally, from: TallyData): void {
  into.read += from.kept;
  into.kept += from.kept;
  const examples = new Map(from.examples);
  for (const [reason, count] of from.skipped) {
    const offered = examples.get(reason) ?? [];
    for (const example of offered) into.skip(reason, example);
    const rest = count - offered.length;
    if (rest <= 0) continue;
    into.read += rest;
    into.skipped.set(reason, (into.skipped.get(reason) ?? 0) + rest);
  }
}
