/**
 * A large BACI CSV read by a worker thread while this thread sums: the worker runs the byte reader
 * (readBaciLines) over the whole file, in order, and sends the kept flows in batches; this thread
 * adds them to the sums as they come, in the same order, so every sum is made exactly as on one
 * thread (additions in file order, rounded after each). The worker counts the skipped lines; its
 * tally is merged in at the end of the file, as if its lines had been counted here.
 *
 * Reading a year's file (about 11 million lines) takes about as long as summing its flows, so the
 * two halves of the work overlap. Below PARALLEL_MIN_BYTES starting a thread costs more than it
 * saves, and under a TypeScript test runner there is no compiled worker: the file is then read on
 * this thread.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, type Problem } from '../problems.js';
import { ProductList, SumSink, type BaciCsvOptions } from './baci-csv.js';
import type { HsEntry } from './hs-map.js';
import type { TradeOptions, TradeSum } from './trade-filter.js';
import type { Tally } from './types.js';
import type { YearRange } from './values.js';

/** Below this file size the file is read on this thread. */
const PARALLEL_MIN_BYTES = 16 << 20;
/** Numbers per flow in a batch: entry, exporter, importer, year, quantity, value (NaN for none). */
export const FLOW_FIELDS = 6;

/** What the worker is given: the file, the read size and the options, as data. */
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
  | ({ kind: 'done'; tally: TallyData } & FlowBatch)
  | { kind: 'failed'; problems?: Problem[]; message: string; code?: string };

/**
 * Reads the file in a worker when that pays (or when `reading.threads` asks for it and a compiled
 * worker exists); false when the file is to be read on this thread.
 */
export async function readBaciCsvInWorker(path: string, options: TradeOptions, tally: Tally, sum: TradeSum, reading: BaciCsvOptions = {}): Promise<boolean> {
  if (reading.threads === false) return false;
  const worker = new URL('./baci-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(worker))) return false;
  if (reading.threads !== true) {
    const size = await stat(path).then((info) => info.size, () => 0);
    if (size < PARALLEL_MIN_BYTES) return false;
  }
  const products = new ProductList(options.hsMap);
  const job: BaciWorkerJob = {
    path,
    ...(reading.chunkSize ? { chunkSize: reading.chunkSize } : {}),
    ...(options.years ? { years: options.years } : {}),
    ...(options.country ? { country: options.country } : {}),
    hsMap: [...options.hsMap],
    unwanted: products.entries.map((entry) => options.select?.(entry.material, entry.stage) ?? null),
  };
  const sink = new SumSink(sum, `CEPII BACI, ${basename(path)}`, products);
  const countries: number[] = [];
  const add = (batch: FlowBatch): void => {
    for (const code of batch.codes) countries.push(sink.countryId(code));
    const rows = batch.rows;
    for (let row = 0; row < batch.count; row++) {
      const at = row * FLOW_FIELDS;
      const value = rows[at + 5] ?? NaN;
      const exporter = countries[rows[at + 1] ?? 0] ?? 0;
      const importer = countries[rows[at + 2] ?? 0] ?? 0;
      sink.addFlow(rows[at] ?? 0, exporter, importer, rows[at + 3] ?? NaN, rows[at + 4] ?? NaN, Number.isNaN(value) ? null : value);
    }
  };
  await new Promise<void>((resolve, reject) => {
    const thread = new Worker(worker, { workerData: job });
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      // The thread is gone before the import goes on, so it takes no time from what follows.
      void thread.terminate().finally(() => (error === undefined ? resolve() : reject(error instanceof Error ? error : new Error(String(error)))));
    };
    thread.on('message', (message: BaciWorkerMessage) => {
      try {
        if (message.kind === 'failed') return finish(workerFailure(message));
        add(message);
        if (message.kind === 'done') {
          mergeTally(tally, message.tally);
          return finish();
        }
        // The batch's buffer goes back to the worker for its next batch.
        thread.postMessage(message.rows, [message.rows.buffer]);
      } catch (error) {
        finish(error);
      }
    });
    thread.once('error', finish);
    thread.once('exit', (code) => finish(new Error(`BACI reader thread stopped (exit code ${code})`)));
  });
  return true;
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
