/**
 * `npm run build`, after tsc: writes dist/embedded-data.bin, the embedded data (data/) as the CSV
 * readers load it (see prebuilt.ts), and checks it: the file is read back the way a command reads
 * it and must equal what the CSVs gave, else it is removed and commands read the CSVs. Data with
 * problems is not prebuilt either (the commands then report the problems as before).
 */
import { isDeepStrictEqual } from 'node:util';
import { builtInCountries } from '../domain/countries.js';
import { TradeCoverage } from './coverage-index.js';
import { inspectDataset } from './dataset.js';
import { datasetSnapshot, embeddedDataDir, fingerprint, prebuiltDataset, removePrebuilt, writePrebuilt } from './prebuilt.js';

async function main(): Promise<number> {
  const dir = embeddedDataDir();
  removePrebuilt();
  // Taken before the files are read: an edit while reading makes the check below fail, not the file stale.
  const before = fingerprint(dir);
  if (before === null) {
    process.stderr.write(`prebuilt embedded data: not written (${dir} cannot be read)\n`);
    return 0;
  }
  const dataset = await inspectDataset(dir, { threads: 1 });
  if (dataset.stats.some((file) => file.problems.length > 0)) {
    process.stderr.write('prebuilt embedded data: not written (the data has problems; run `supply-risk validate`)\n');
    return 0;
  }
  try {
    writePrebuilt(before, { ...datasetSnapshot(dataset), builtInCountries: [...builtInCountries()] });
  } catch (error) {
    removePrebuilt();
    process.stderr.write(`prebuilt embedded data: not written (${error instanceof Error ? error.message : String(error)}; commands read the CSVs)\n`);
    return 0;
  }
  const again = prebuiltDataset(dir);
  // Equal values (deep equality does not look at order), and the same order in every Map, Set and object.
  // The coverage index first: comparing the datasets reads (decodes) every lazy list of `again`.
  const same =
    again !== null &&
    isDeepStrictEqual(TradeCoverage.of(again).snapshot(), TradeCoverage.of(dataset).snapshot()) &&
    isDeepStrictEqual(again, dataset) &&
    sameOrder(again, dataset);
  if (!same) {
    removePrebuilt();
    process.stderr.write('prebuilt embedded data: not written (reading it back did not give what the CSVs give; commands read the CSVs)\n');
    return 0;
  }
  return 0;
}

/** Whether every Map, Set, array and object in `a` lists its keys in the order of `b`'s (their values are compared elsewhere). */
function sameOrder(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || ArrayBuffer.isView(a)) return true;
  if (a instanceof Map && b instanceof Map) {
    const keys = [...b.keys()];
    return [...a.keys()].every((key, i) => Object.is(key, keys[i]) && sameOrder(a.get(key), b.get(key)));
  }
  if (a instanceof Set && b instanceof Set) {
    const items = [...b];
    return [...a].every((item, i) => Object.is(item, items[i]) || (typeof item === 'object' && item !== null && sameOrder(item, items[i])));
  }
  const keys = Reflect.ownKeys(b);
  const own = Reflect.ownKeys(a);
  return (
    own.length === keys.length &&
    own.every((key, i) => key === keys[i] && sameOrder((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key]))
  );
}

process.exitCode = await main();
