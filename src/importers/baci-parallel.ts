/**
 * A BACI CSV read into sorted runs (baci-runs.ts), a large one on two threads. A plain file is cut
 * at a line start: this thread reads the first part while a worker thread starts and reads the
 * rest; each collects its kept flows and sorts them (both in the tables of both), and then, for a
 * lone file, each merges a range of keys of both runs (file order within a key: this thread's rows
 * first); else the caller merges the runs of all files. The worker numbers its lines after those of
 * the first part (counted beforehand as readline counts them), and its tally is merged in as if its
 * lines had been counted here. A gzip file cannot be cut and is read on this thread.
 *
 * Below PARALLEL_MIN_BYTES starting a thread costs more than it saves, and under a TypeScript test
 * runner there is no compiled worker: the file is then read on this thread.
 */
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, type Problem } from '../domain/problems.js';
import { BaciLines, DEFAULT_CHUNK_SIZE, fileChunks, ProductList, readBaciLines, type BaciCsvOptions, type Columns } from './baci-csv.js';
import {
  finishPart,
  firstAtLeast,
  mergeRuns,
  runRows,
  RunSink,
  sinkTables,
  unionTables,
  type KeyTables,
  type ReadPart,
  type SortedRun,
  type SortedTrade,
} from './baci-runs.js';
import type { HsEntry } from './hs-map.js';
import type { CoverageData, CoverageSeen, TradeOptions } from './trade-filter.js';
import type { Tally } from './types.js';
import type { YearRange } from './values.js';

/** Below this file size the file is read on this thread. */
const PARALLEL_MIN_BYTES = 16 << 20;
/**
 * The share of a plain file this thread reads. Both threads do the same work per line (read,
 * collect, sort), but the worker starts about a tenth of a second late: a little over half
 * balanced the two best on the bench file (0.45, 0.5 and 0.55 were tried).
 */
const OWN_SHARE = 0.55;
const NEWLINE = 0x0a;
const CR = 0x0d;

/** The part of a plain file a worker reads: from a line start on, after `lines` lines, with the header's columns. */
export interface WorkerPart {
  start: number;
  lines: number;
  columns: Columns;
  /** About how many flows it will keep (from the first chunk), to take room for them at once. */
  expectedFlows: number;
}

/** What the worker is given: the file, the read size and the options, as data; then where to read (WorkerPart). */
export interface BaciWorkerJob {
  path: string;
  chunkSize?: number;
  years?: YearRange;
  country?: string;
  /** The HS map as [key, entry] pairs, in the map's order. */
  hsMap: [string, HsEntry][];
  /** What --materials and --stages say of each entry (in the same order): why it is left out, or null. */
  unwanted: (string | null)[];
}

export interface TallyData {
  read: number;
  kept: number;
  skipped: [string, number][];
  examples: [string, string[]][];
}

/** What the worker sends, in this order (or `failed` at any point). */
export type BaciWorkerMessage =
  /** Its tables, once its part is read: it then waits for the tables of both parts, so that both runs are ranked alike. */
  | { kind: 'tables'; tables: KeyTables }
  /** Its rows below the split key (see MergeSplit), its gross weights, tally and coverage. */
  | { kind: 'head'; part: ReadPart; tally: TallyData; coverage: CoverageData }
  /** The rows from the split key on, of both parts, merged. */
  | { kind: 'merged'; trade: SortedTrade }
  | { kind: 'failed'; problems?: Problem[]; message: string; code?: string };

/**
 * What the main thread sends the worker once both runs are sorted: the key from which on the worker
 * merges (its rows below it come to the main thread, which merges those), the main thread's rows
 * from that key on, and whether to merge at all (else all its rows come to the main thread).
 */
export interface MergeSplit {
  split: number;
  tail: SortedRun;
  merge: boolean;
}

/**
 * The share of the keys (of its own run) this thread merges when a file is read on two threads: the
 * worker merges the rest meanwhile, and its rows arrive while this thread makes the coverage rows.
 */
const MAIN_MERGE_SHARE = 0.5;

/**
 * A BACI CSV read: without `merged`, its sorted runs in file order, holding all the file's flows,
 * for the caller to merge. With it (two threads asked to merge), the flows are merged already: the
 * first keys here, the rest (`merged.rest`) as the worker finishes them. The gross weights of its
 * converted flows come as runs in file order either way.
 */
export interface BaciRead {
  runs: SortedRun[];
  grossRuns: SortedRun[];
  merged?: { trade: SortedTrade; rest: Promise<SortedTrade> };
}

/**
 * Reads one BACI CSV (plain or .gz) into sorted runs: on this thread, or on two when that pays (or
 * when `reading.threads` asks for it and a compiled worker exists). With two threads and `merge`,
 * the two threads also merge the flows, each a range of keys. Kept flows go into the runs, skipped
 * ones into the tally, what the file covers into `coverage`.
 */
export async function readBaciRuns(
  path: string,
  options: TradeOptions,
  tally: Tally,
  reading: BaciCsvOptions,
  coverage: CoverageSeen,
  merge: boolean,
): Promise<BaciRead> {
  const products = new ProductList(options.hsMap);
  const label = basename(path);
  const sink = new RunSink(`CEPII BACI, ${label}`, products, coverage);
  const url = new URL('./baci-worker.js', import.meta.url);
  if (!(await worthAThread(path, reading, url))) {
    await readBaciLines(path, options, products, tally, sink, reading);
    return alone(finishPart(sink));
  }
  const job: BaciWorkerJob = {
    path,
    ...(reading.chunkSize ? { chunkSize: reading.chunkSize } : {}),
    ...(options.years ? { years: options.years } : {}),
    ...(options.country ? { country: options.country } : {}),
    hsMap: [...options.hsMap],
    unwanted: products.entries.map((entry) => options.select?.(entry.material, entry.stage) ?? null),
  };
  // The thread starts now and reads once told where: it boots while this thread reads the header.
  const worker = new WorkerRun(url, job);
  const chunkSize = reading.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const lines = new BaciLines(label, options, products, tally, sink);
  // Set once the worker's last message is left to the caller to wait for.
  let handedOver: Promise<unknown> | undefined;
  try {
    const size = (await stat(path)).size;
    const sample = Math.min(chunkSize, size);
    const keptBefore = tally.kept;
    for await (const chunk of fileChunks(path, chunkSize, 0, sample)) lines.push(chunk);
    // Kept flows per byte in the first chunk, a little more to be safe: room taken once, not doubled up to.
    const flowsPerByte = (1.05 * (tally.kept - keptBefore)) / Math.max(sample, 1);
    const expectedFlows = (bytes: number): number => Math.ceil(bytes * flowsPerByte) + 1024;
    const cut = lines.columns ? await lineStartAfter(path, Math.max(sample, Math.floor(size * OWN_SHARE))) : null;
    if (cut === null || !lines.columns) {
      // No header in the first chunk, or no line end near the cut: the rest is read here.
      await worker.stop();
      for await (const chunk of fileChunks(path, chunkSize, sample)) lines.push(chunk);
      lines.end();
      return alone(finishPart(sink));
    }
    worker.send({ start: cut, lines: await countLines(path, cut), columns: lines.columns, expectedFlows: expectedFlows(size - cut) });
    sink.reserve(expectedFlows(cut));
    for await (const chunk of fileChunks(path, chunkSize, sample, cut)) lines.push(chunk);
    lines.count();
    // Both parts ranked in the tables of both, each sorted on its own thread.
    const tables = unionTables([sinkTables(sink), (await worker.next('tables')).tables]);
    worker.send({ tables });
    const own = finishPart(sink, tables);
    // Keys below `split` are merged here, the rest by the worker; without `merge`, all of the
    // worker's run comes here.
    const split = merge && own.run.count > 0 ? (own.run.key[Math.floor(own.run.count * MAIN_MERGE_SHARE)] ?? Infinity) : Infinity;
    const below = firstAtLeast(own.run, split);
    worker.send({ split, tail: runRows(own.run, below, own.run.count), merge } satisfies MergeSplit);
    const head = await worker.next('head');
    mergeTally(tally, head.tally);
    coverage.merge(head.coverage);
    const grossRuns = [own.gross, head.part.gross].filter((run) => run !== null);
    if (!merge) return { runs: [own.run, head.part.run], grossRuns };
    const trade = mergeRuns([runRows(own.run, 0, below), head.part.run]);
    // The worker goes on merging while the caller makes its coverage rows; it stops once done.
    const rest = worker.next('merged').then((message) => message.trade);
    handedOver = rest.finally(() => worker.stop()).catch(() => undefined);
    return { runs: [], grossRuns, merged: { trade, rest } };
  } finally {
    if (!handedOver) await worker.stop();
  }
}

/** A file read on one thread: its one run. */
function alone(part: ReadPart): BaciRead {
  return { runs: [part.run], grossRuns: part.gross ? [part.gross] : [] };
}

/** Whether to read on two threads: a plain file, a compiled worker, and a large file (or `threads: true`). */
async function worthAThread(path: string, reading: BaciCsvOptions, worker: URL): Promise<boolean> {
  if (reading.threads === false || path.endsWith('.gz') || !existsSync(fileURLToPath(worker))) return false;
  if (reading.threads === true) return true;
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  return size >= PARALLEL_MIN_BYTES;
}

/** A worker reading the second part of a file: its messages are taken in order (see BaciWorkerMessage). */
class WorkerRun {
  private readonly thread: Worker;
  private readonly received: BaciWorkerMessage[] = [];
  private waiting: { resolve: (message: BaciWorkerMessage) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(url: URL, job: BaciWorkerJob) {
    this.thread = new Worker(url, { workerData: job });
    this.thread.on('message', (message: BaciWorkerMessage) => {
      if (message.kind === 'failed') return this.fail(workerFailure(message));
      this.received.push(message);
      this.wake();
    });
    this.thread.once('error', (error) => this.fail(error));
    this.thread.once('exit', (code) => this.fail(new Error(`BACI reader thread stopped (exit code ${code})`)));
  }

  send(message: WorkerPart | { tables: KeyTables } | MergeSplit, transfer: ArrayBuffer[] = []): void {
    this.thread.postMessage(message, transfer);
  }

  /** The worker's next message, which must be of this kind; its failure as the reader's error. */
  next<K extends BaciWorkerMessage['kind']>(kind: K): Promise<Extract<BaciWorkerMessage, { kind: K }>> {
    return new Promise<BaciWorkerMessage>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.wake();
    }).then((message) => {
      if (message.kind !== kind) throw new Error(`BACI reader thread sent ${message.kind}, not ${kind}`);
      return message as Extract<BaciWorkerMessage, { kind: K }>;
    });
  }

  /** Ends the thread (its work is taken, or no longer wanted). */
  async stop(): Promise<void> {
    this.failure ??= new Error('BACI reader thread stopped');
    await this.thread.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const message = this.received.shift();
    if (message) {
      this.waiting = undefined;
      waiting.resolve(message);
    } else if (this.failure) {
      this.waiting = undefined;
      waiting.reject(this.failure);
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
