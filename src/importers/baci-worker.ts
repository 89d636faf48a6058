/**
 * The worker thread of baci-parallel.ts: reads the second part of a BACI CSV (from a line start on)
 * with the byte reader, sorts its kept flows into a run (baci-runs.ts) in the tables of both parts,
 * hands the main thread its rows of the main thread's range of keys (with its tally, coverage and
 * gross weights), and merges and writes the other range. Runs and text are in shared memory.
 */
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../domain/problems.js';
import { ProductList, readBaciLines } from './baci-csv.js';
import { tallyData, type BaciWorkerJob, type BaciWorkerMessage, type MergeSplit, type WorkerPart } from './baci-parallel.js';
import { finishPart, firstAtLeast, mergeRuns, runRows, RunSink, sinkTables, tradeBuffers, type KeyTables } from './baci-runs.js';
import type { TradeOptions } from './trade-filter.js';
import { sharedTradeLines } from './trade-csv.js';
import { Tally } from './types.js';

/** The main thread's messages, in order: where to read, the tables to sort in, where to split the merge. */
function serve(port: NonNullable<typeof parentPort>, job: BaciWorkerJob): void {
  const later = { tables: promised<KeyTables>(), split: promised<MergeSplit>() };
  port.on('message', (message: WorkerPart | { tables: KeyTables } | MergeSplit) => {
    if ('start' in message) void work(port, job, message, later.tables.promise, later.split.promise);
    else if ('tables' in message) later.tables.resolve(message.tables);
    else later.split.resolve(message);
  });
}

function promised<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Reads its part, sorts it, hands over its rows below the split and merges the rest. */
async function work(
  port: NonNullable<typeof parentPort>,
  job: BaciWorkerJob,
  part: WorkerPart,
  tables: Promise<KeyTables>,
  split: Promise<MergeSplit>,
): Promise<void> {
  const send = (message: BaciWorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  try {
    const options = tradeOptions(job);
    const products = new ProductList(options.hsMap);
    const tally = new Tally();
    const sink = new RunSink(`CEPII BACI, ${basename(job.path)}`, products);
    sink.reserve(part.expectedFlows);
    await readBaciLines(job.path, options, products, tally, sink, job.chunkSize ? { chunkSize: job.chunkSize } : {}, part);
    send({ kind: 'tables', tables: sinkTables(sink) });
    const own = finishPart(sink, await tables);
    const { split: key, tail, merge } = await split;
    const below = firstAtLeast(own.run, key);
    const head = runRows(own.run, 0, below);
    send({ kind: 'head', part: { ...own, run: head }, tally: tallyData(tally), coverage: sink.coverage.data() });
    if (!merge) return;
    // The main thread's rows first: they come first in the file.
    const trade = mergeRuns([tail, runRows(own.run, below, own.run.count)]);
    // Its lines too, while the main thread writes its own; in shared memory, so they are not copied.
    const text = sharedTradeLines(trade);
    send({ kind: 'merged', trade: text ? { ...trade, text } : trade }, tradeBuffers(trade));
  } catch (error) {
    if (error instanceof InputError) send({ kind: 'failed', problems: error.problems, message: error.message });
    else {
      const code = (error as { code?: unknown }).code;
      send({ kind: 'failed', message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) });
    }
  }
}

/** The main thread's options, rebuilt from the job (a function does not cross threads). */
function tradeOptions(job: BaciWorkerJob): TradeOptions {
  const hsMap = new Map(job.hsMap);
  const products = new ProductList(hsMap);
  // --materials/--stages as decided on the main thread for each entry.
  const unwanted = new Map<string, Map<string, string | null>>();
  products.entries.forEach((entry, index) => {
    const stages = unwanted.get(entry.material) ?? new Map<string, string | null>();
    unwanted.set(entry.material, stages.set(entry.stage, job.unwanted[index] ?? null));
  });
  return {
    hsMap,
    ...(job.years ? { years: job.years } : {}),
    ...(job.country ? { country: job.country } : {}),
    ...(job.unwanted.some((reason) => reason !== null) ? { select: (material: string, stage: string) => unwanted.get(material)?.get(stage) ?? null } : {}),
  };
}

if (parentPort) serve(parentPort, workerData as BaciWorkerJob);
