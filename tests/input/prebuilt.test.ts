/**
 * The prebuilt embedded data (src/input/prebuilt.ts): what a command reads instead of the CSVs
 * must be exactly what the CSVs give, and must be refused as soon as the data folder changes.
 */
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { builtInCountries } from '../../src/domain/countries.js';
import { TradeCoverage } from '../../src/input/coverage-index.js';
import { inspectDataset, loadDataset } from '../../src/input/dataset.js';
import { datasetSnapshot, embeddedDataDir, fingerprint, isEmbeddedDataDir, prebuiltDataset, readPrebuilt, writePrebuilt } from '../../src/input/prebuilt.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { dataFolder } from '../helpers/data.js';

const temporaryFile = (): string => join(mkdtempSync(join(tmpdir(), 'supply-risk-prebuilt-')), 'data.bin');

describe('prebuilt data', () => {
  it('reads back exactly the dataset the CSVs give (the embedded data)', async () => {
    const dir = embeddedDataDir();
    const file = temporaryFile();
    const print = fingerprint(dir);
    expect(print).not.toBeNull();
    const dataset = await loadDataset(dir, { threads: 1 });
    writePrebuilt(print!, { ...datasetSnapshot(dataset), builtInCountries: [...builtInCountries()] }, file);
    const again = prebuiltDataset(dir, file);
    expect(again).not.toBeNull();
    // The coverage index is restored, not built from the facts (which stay undecoded until read).
    expect(Object.getOwnPropertyDescriptor(again, 'coverage')?.get).toBeTypeOf('function');
    expect(TradeCoverage.of(again!).snapshot()).toEqual(TradeCoverage.of(dataset).snapshot());
    expect(TradeCoverage.of(again!).extent('cobalt', 'mining', 'JPN', 2024, 'import')).toBe(
      TradeCoverage.of(dataset).extent('cobalt', 'mining', 'JPN', 2024, 'import'),
    );
    expect(isDeepStrictEqual(again, dataset)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(again, 'coverage')?.get).toBeUndefined();
    expect(Object.keys(again!)).toEqual(Object.keys(dataset));
    expect([...(again?.importYears.keys() ?? [])]).toEqual([...dataset.importYears.keys()]);
    expect(again?.trade.facts()).toEqual(dataset.trade.facts());
  });

  it('keeps every kind of value it stores (Map, Set, typed arrays, undefined, NaN, -0, rows of one shape)', () => {
    const dir = dataFolder({});
    const file = temporaryFile();
    const rows = Array.from({ length: 40 }, (_, i) => ({ text: `t${i % 3}`, maybe: i % 2 ? null : 'x', whole: i, real: i / 3, odd: i === 5 ? undefined : i }));
    const payload = {
      rows,
      map: new Map<string, unknown>([
        ['a', new Set([1, 2])],
        ['b', new Map([[2020, 0.5]])],
      ]),
      years: new Map([['x', new Set([2020, 2021])]]),
      scores: new Map([
        [
          'AUS',
          new Map([
            [2019, -0.25],
            [2020, 1.5],
          ]),
        ],
      ]),
      numbers: [Number.NaN, -0, Number.POSITIVE_INFINITY, 1e-300],
      columns: { ints: Int32Array.from([1, -2, 3]), doubles: Float64Array.from([0.1, Number.NaN, -0]) },
      nothing: undefined,
      plain: { nested: [1, 'two', { three: true }] },
    };
    writePrebuilt(fingerprint(dir)!, payload, file);
    const again = readPrebuilt(dir, file) as typeof payload;
    expect(isDeepStrictEqual(again, payload)).toBe(true);
    expect(Object.is(again.numbers[1], -0)).toBe(true);
    expect(again.rows.map((row) => Object.keys(row))).toEqual(rows.map((row) => Object.keys(row)));
  });

  it('is refused when a file of the data folder changes, appears or disappears, and when the file is damaged', () => {
    const dir = dataFolder({ 'production.csv': 'material,stage,country,year,quantity,unit\ncobalt,mining,COD,2023,100,t\n' });
    const file = temporaryFile();
    writePrebuilt(fingerprint(dir)!, { value: 1 }, file);
    expect(readPrebuilt(dir, file)).toEqual({ value: 1 });
    // Same size, another modification time.
    utimesSync(join(dir, 'production.csv'), new Date(2001, 0, 1), new Date(2001, 0, 1));
    expect(readPrebuilt(dir, file)).toBeNull();
    writePrebuilt(fingerprint(dir)!, { value: 2 }, file);
    writeFileSync(join(dir, 'coverage.csv'), 'material,stage,importer,year,flow\n');
    expect(readPrebuilt(dir, file)).toBeNull();
    writePrebuilt(fingerprint(dir)!, { value: 3 }, file);
    writeFileSync(file, readFileSync(file).subarray(0, 40));
    expect(readPrebuilt(dir, file)).toBeNull();
    expect(readPrebuilt(dir, join(dir, 'absent.bin'))).toBeNull();
  });

  it('is only for the embedded data folder', () => {
    expect(isEmbeddedDataDir(embeddedDataDir())).toBe(true);
    expect(isEmbeddedDataDir(dataFolder({}))).toBe(false);
  });

  it('the built command (prebuilt data) reports what the CSVs give, byte for byte', async () => {
    for (const args of [
      ['report', '--json'],
      ['gaps', '--json'],
      ['trend', '--json'],
    ]) {
      const built = spawnCli(args);
      const read = await runCli(args);
      expect(built.code).toBe(read.code);
      expect(built.stdout).toBe(read.stdout);
      expect(built.stderr).toBe(read.stderr);
    }
  });

  it('a copy of the data folder is read from its CSVs and gives the same report', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'supply-risk-data-'));
    for (const name of ['production.csv', 'trade.csv', 'countries.csv', 'governance.csv', 'coverage.csv', 'trade-gross.csv']) {
      try {
        writeFileSync(join(copy, name), readFileSync(join(embeddedDataDir(), name)));
      } catch {
        // A file the embedded data does not have.
      }
    }
    const fromCopy = spawnCli(['report', '--json', '--data', copy]);
    const embedded = spawnCli(['report', '--json']);
    expect(fromCopy.stdout).toBe(embedded.stdout);
    expect((await inspectDataset(copy, { threads: 1 })).stats).toEqual((await inspectDataset(embeddedDataDir(), { threads: 1 })).stats);
  });
});
