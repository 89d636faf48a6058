/**
 * A worker thread's share of checking a large trade.csv (see parallel.ts): the same reader and
 * rules as the one-thread path, on one byte range, with the units already set by production.csv.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { builtInCountries } from './countries.js';
import { readTrade, UnitRegistry } from './dataset.js';
import type { TradeJob, TradeJobResult } from './parallel.js';

const job = workerData as TradeJob;
const known = new Set([...builtInCountries().keys(), ...job.customCountries.map(([code]) => code)]);
const units = new UnitRegistry();
for (const [key, unit, where] of job.units) {
  units.units.set(key, unit);
  units.firstSeen.set(key, where);
}
const seeded = new Set(units.units.keys());
const read = await readTrade(
  job.path,
  (code) => known.has(code),
  units,
  {
    ...(job.years ? { years: new Set(job.years) } : {}),
    ...(job.materials ? { materials: new Set(job.materials) } : {}),
    tradeSummaryOnly: true,
    progress: (progress) => parentPort?.postMessage({ progress }),
  },
  { start: job.range.start, end: job.range.end, header: Buffer.from(job.range.header) },
);
const result: TradeJobResult = {
  stats: read.stats,
  importYears: [...read.importYears].map(([key, years]) => [key, [...years]]),
  countries: [...read.countries],
  units: [...units.units].filter(([key]) => !seeded.has(key)).map(([key, unit]) => [key, unit, units.firstSeen.get(key) ?? '']),
};
parentPort?.postMessage({ result });
