/**
 * The worker thread of baci-parallel.ts: reads one BACI CSV (or its part from a line start on) with
 * the byte reader and sends the kept flows in batches, in file order, then its tally. Batch buffers come back to be reused, so the
 * worker allocates a handful of them however long the file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../domain/problems.js';
import { BatchSink } from './baci-batches.js';
import { ProductList, readBaciLines } from './baci-csv.js';
import type { BaciWorkerJob, BaciWorkerMessage, WorkerPart } from './baci-parallel.js';
import type { TradeOptions } from './trade-filter.js';
import { Tally } from './types.js';

/** Reads as told by the main thread's first message; later messages are batch buffers coming back. */
function serve(port: NonNullable<typeof parentPort>, job: BaciWorkerJob): void {
  const send = (message: BaciWorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  const sink = new BatchSink(send, job.batchFlows);
  port.on('message', (message: Float64Array<ArrayBuffer> | { part?: WorkerPart }) => {
    if (message instanceof Float64Array) sink.recycle(message);
    else void read(job, message.part, sink, send);
  });
}

async function read(job: BaciWorkerJob, part: WorkerPart | undefined, sink: BatchSink, send: (message: BaciWorkerMessage) => void): Promise<void> {
  try {
    const hsMap = new Map(job.hsMap);
    const products = new ProductList(hsMap);
    // --materials/--stages as decided on the main thread for each entry (a function does not cross threads).
    const unwanted = new Map<string, Map<string, string | null>>();
    products.entries.forEach((entry, index) => {
      const stages = unwanted.get(entry.material) ?? new Map<string, string | null>();
      unwanted.set(entry.material, stages.set(entry.stage, job.unwanted[index] ?? null));
    });
    const options: TradeOptions = {
      hsMap,
      ...(job.years ? { years: job.years } : {}),
      ...(job.country ? { country: job.country } : {}),
      ...(job.unwanted.some((reason) => reason !== null) ? { select: (material: string, stage: string) => unwanted.get(material)?.get(stage) ?? null } : {}),
    };
    const tally = new Tally();
    await readBaciLines(job.path, options, products, tally, sink, job.chunkSize ? { chunkSize: job.chunkSize } : {}, part, () => sink.pause());
    sink.flush(tally);
  } catch (error) {
    if (error instanceof InputError) send({ kind: 'failed', problems: error.problems, message: error.message });
    else {
      const code = (error as { code?: unknown }).code;
      send({ kind: 'failed', message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) });
    }
  }
}

if (parentPort) serve(parentPort, workerData as BaciWorkerJob);
