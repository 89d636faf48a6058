/**
 * The worker's side of the flow batches (see baci-parallel.ts): kept flows packed six numbers each
 * into buffers that are sent to the main thread and come back to be reused, with a limit on the
 * batches sent and not yet summed.
 */
import { FLOW_FIELDS, tallyData, type BaciWorkerMessage } from './baci-parallel.js';
import type { FlowSink } from './baci-csv.js';
import { CoverageSeen } from './trade-filter.js';
import type { Tally } from './types.js';

/** Flows per batch: large enough that messages are few, small enough to start summing early. */
const BATCH_FLOWS = 8192;
/**
 * Batches sent and not yet summed, at most: the main thread sums the worker's batches only after
 * reading its own part, so the worker stops there rather than hold more (64 batches are 25 MB).
 */
const MAX_WAITING = 64;

/** Kept flows packed into batches for the main thread, with the ids of the country codes they use. */
export class BatchSink implements FlowSink {
  /** Sent with the last batch, to be merged into the main thread's. */
  readonly coverage = new CoverageSeen();
  private readonly ids = new Map<string, number>();
  private codes: string[] = [];
  private rows: Float64Array<ArrayBuffer>;
  private count = 0;
  private readonly spare: Float64Array<ArrayBuffer>[] = [];

  constructor(
    private readonly send: (message: BaciWorkerMessage, transfer: ArrayBuffer[]) => void,
    private readonly batchFlows = BATCH_FLOWS,
    private readonly maxWaiting = MAX_WAITING,
  ) {
    this.rows = new Float64Array(batchFlows * FLOW_FIELDS);
  }

  private waiting = 0;
  private resume: (() => void) | undefined;

  /** A batch buffer sent back by the main thread: that batch is summed. */
  recycle(rows: Float64Array<ArrayBuffer>): void {
    this.spare.push(rows);
    this.waiting -= 1;
    if (this.resume && this.waiting < this.maxWaiting) {
      this.resume();
      this.resume = undefined;
    }
  }

  /** A promise to wait on while maxWaiting batches are not summed (else undefined). */
  pause(): Promise<void> | undefined {
    if (this.waiting < this.maxWaiting) return undefined;
    return new Promise((resolve) => (this.resume = resolve));
  }

  countryId(code: string): number {
    let id = this.ids.get(code);
    if (id === undefined) {
      this.ids.set(code, (id = this.ids.size));
      this.codes.push(code);
    }
    return id;
  }

  addFlow(entry: number, exporter: number, importer: number, year: number, grossTonnes: number, valueUsd: number | null): void {
    const at = this.count * FLOW_FIELDS;
    const rows = this.rows;
    rows[at] = entry;
    rows[at + 1] = exporter;
    rows[at + 2] = importer;
    rows[at + 3] = year;
    rows[at + 4] = grossTonnes;
    rows[at + 5] = valueUsd ?? NaN;
    if (++this.count === this.batchFlows) this.flush();
  }

  flush(tally?: Tally): void {
    const batch = { codes: this.codes, rows: this.rows, count: this.count };
    this.send(tally ? { kind: 'done', tally: tallyData(tally), coverage: this.coverage.data(), ...batch } : { kind: 'flows', ...batch }, [this.rows.buffer]);
    this.waiting += 1;
    this.codes = [];
    this.rows = this.spare.pop() ?? new Float64Array(this.batchFlows * FLOW_FIELDS);
    this.count = 0;
  }
}
