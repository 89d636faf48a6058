/**
 * A worker thread's share of reading a large trade.csv (see parallel.ts): it waits for its job and
 * reads its byte range (range-job.ts).
 */
import { parentPort } from 'node:worker_threads';
import { readTradeRows } from '../dataset.js';
import { readRange, type TradeJob, type WorkerMessage } from './range-job.js';

// Started before its job is known (parallel.ts startTradeWorkers): the modules above load meanwhile.
const job = await new Promise<TradeJob>((resolve) => parentPort?.once('message', resolve));
await readRange(job, (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort?.postMessage(message, transfer), readTradeRows);
