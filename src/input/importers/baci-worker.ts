/**
 * The worker thread of baci-parallel.ts: reads one BACI CSV (or its part from a line start on) with
 * the byte reader and sends the kept flows in batches, in file order, then its tally. Batch buffers come back to be reused, so the
 * worker allocates a handful of them however long the file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../problems.js';
import { ProductList, readBaciLines, type FlowSink } from './baci-csv.js';
import { FLOW_FIELDS, tallyData, type BaciWorkerJob, type BaciWorkerMessage, type WorkerPart } from './baci-parallel.js';
import type { TradeOptions } from './trade-filter.js';
import { Tally } from './types.js';

/** Flows per batch: large enough that messages are few, small enough to start summing early. */
const BATCH_FLOWS = 8192;

class BatchSink implements FlowSink {
  private readonly ids = new Map<string, number>();
  private codes: string[] = [];
  private rows: Float64Array<ArrayBuffer> = new Float64Array(BATCH_FLOWS * FLOW_FIELDS);
  private count = 0;
  private readonly spare: Float64Array<ArrayBuffer>[] = [];

  constructor(private readonly send: (message: BaciWorkerMessage, transfer: ArrayBuffer[]) => void) {}

  /** A batch buffer sent back by the main thread. */
  recycle(rows: Float64Array<ArrayBuffer>): void {
    this.spare.push(rows);
  }

  countryId(code: string): number {
    let id = this.ids.get(code);
    if (id === undefined) {
      this.ids.set(code, (id = this.ids.size));
      this.codes.push(code);
    }
    return id;
  }

  addFlow(entry: number, exporter: number, importer: number, year: number, quantity: number, valueUsd: number | null): void {
    const at = this.count * FLOW_FIELDS;
    const rows = this.rows;
    rows[at] = entry;
    rows[at + 1] = exporter;
    rows[at + 2] = importer;
    rows[at + 3] = year;
    rows[at + 4] = quantity;
    rows[at + 5] = valueUsd ?? NaN;
    if (++this.count === BATCH_FLOWS) this.flush();
  }

  flush(tally?: Tally): void {
    const batch = { codes: this.codes, rows: this.rows, count: this.count };
    this.send(tally ? { kind: 'done', tally: tallyData(tally), ...batch } : { kind: 'flows', ...batch }, [this.rows.buffer]);
    this.codes = [];
    this.rows = this.spare.pop() ?? new Float64Array(BATCH_FLOWS * FLOW_FIELDS);
    this.count = 0;
  }
}

/** Reads as told by the main thread's first message; later messages are batch buffers coming back. */
function serve(port: NonNullable<typeof parentPort>, job: BaciWorkerJob): void {
  const send = (message: BaciWorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  const sink = new BatchSink(send);
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
    const unwanted = new Map(products.entries.map((entry, index) => [`${entry.material}|${entry.stage}`, job.unwanted[index] ?? null]));
    const options: TradeOptions = {
      hsMap,
      ...(job.years ? { years: job.years } : {}),
      ...(job.country ? { country: job.country } : {}),
      ...(job.unwanted.some((reason) => reason !== null) ? { select: (material: string, stage: string) => unwanted.get(`${material}|${stage}`) ?? null } : {}),
    };
    const tally = new Tally();
    await readBaciLines(job.path, options, products, tally, sink, job.chunkSize ? { chunkSize: job.chunkSize } : {}, part);
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
