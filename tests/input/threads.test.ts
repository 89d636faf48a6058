/**
 * Checking a large trade.csv on several threads must give exactly what one thread gives: the same
 * validate summary, the same report, the same problems when a row is bad. The worker threads run
 * only from the compiled CLI, so these tests spawn the built binary on a generated file above the
 * 16 MiB threshold.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataFolder, PRODUCTION_HEADER, TRADE_HEADER } from '../helpers/data.js';
import { spawnCli } from '../helpers/cli.js';

const COUNTRIES = ['AUS', 'CHL', 'CHN', 'COD', 'IDN', 'JPN', 'KOR', 'DEU', 'FIN', 'BEL', 'ZAF', 'GAB', 'BRA', 'CAN'];

/** About 17 MB of deterministic trade rows over 2000-2023. */
function bigTrade(eol: string, brokenAt: number | null = null, tenths = false): string {
  let seed = 99;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const rows = [TRADE_HEADER];
  for (let i = 0; i < 480_000; i += 1) {
    const exporter = COUNTRIES[Math.floor(next() * COUNTRIES.length)] ?? 'AUS';
    let importer = COUNTRIES[Math.floor(next() * COUNTRIES.length)] ?? 'JPN';
    if (importer === exporter) importer = exporter === 'JPN' ? 'KOR' : 'JPN';
    const material = next() < 0.5 ? 'cobalt' : 'lithium';
    // Eighths add up exactly in any order; tenths do not, which shows the order sums were made in.
    const quantity = tenths ? (Math.round(next() * 80000) / 10).toFixed(1) : String(Math.round(next() * 8000) / 8);
    rows.push(`${material},${next() < 0.5 ? 'mining' : 'refining'},${exporter},${importer},${2000 + Math.floor(next() * 24)},${quantity},t`);
  }
  if (brokenAt !== null) rows[brokenAt] = 'cobalt,mining,AUS,JPN,2005,-3,t';
  return `${rows.join(eol)}${eol}`;
}

const PRODUCTION = [
  PRODUCTION_HEADER,
  'cobalt,mining,COD,2023,170000,t',
  'cobalt,refining,CHN,2023,150000,t',
  'lithium,mining,AUS,2023,86000,t',
  'lithium,refining,CHN,2023,113900,t',
].join('\n');

function folder(trade: string): string {
  const dir = dataFolder({ 'production.csv': PRODUCTION });
  writeFileSync(join(dir, 'trade.csv'), trade);
  return dir;
}

describe('reading a large trade file on several threads', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('%s: validate and report give the same bytes on one and on two threads', (_name, eol) => {
    const dir = folder(bigTrade(eol));
    // validate: the checking pass; report: that pass, then one year on one thread; trend: every row,
    // parsed by the workers and summed here in file order.
    for (const args of [
      ['validate', '--format', 'json'],
      ['report', '--json'],
      ['trend', '--format', 'json'],
    ]) {
      const one = spawnCli([...args, '--data', dir, '--quiet'], { SUPPLY_RISK_THREADS: '1' });
      const two = spawnCli([...args, '--data', dir, '--quiet'], { SUPPLY_RISK_THREADS: '2' });
      expect(one.code).toBe(0);
      expect(two.stdout).toBe(one.stdout);
      expect(two.code).toBe(one.code);
    }
    const summary = JSON.parse(spawnCli(['validate', '--data', dir, '--format', 'json'], { SUPPLY_RISK_THREADS: '2' }).stdout);
    expect(summary.files[1]).toMatchObject({ file: 'trade.csv', rowsRead: 480_000, rowsUsed: 480_000 });
  });

  // On two threads a worker reads the first half of the file and the main thread the second.
  it.each([
    ['far into the file (the range the main thread reads)', 400_000],
    ['early in the file (the range a worker reads)', 50_000],
  ])('a bad row %s: the same problem and counts as on one thread', (_where, row) => {
    const dir = folder(bigTrade('\n', row));
    const one = spawnCli(['validate', '--data', dir, '--format', 'json', '--quiet'], { SUPPLY_RISK_THREADS: '1' });
    const two = spawnCli(['validate', '--data', dir, '--format', 'json', '--quiet'], { SUPPLY_RISK_THREADS: '2' });
    expect(two.code).toBe(2);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stderr).toContain(`error: trade.csv:${row + 1}:6: quantity "-3" is negative`);
    // A full read (trend) meets it in a worker too, and reports it as one thread does.
    const trendOne = spawnCli(['trend', '--data', dir, '--quiet'], { SUPPLY_RISK_THREADS: '1' });
    const trendTwo = spawnCli(['trend', '--data', dir, '--quiet'], { SUPPLY_RISK_THREADS: '2' });
    expect(trendTwo.code).toBe(2);
    expect(trendTwo.stderr).toBe(trendOne.stderr);
    expect(trendTwo.stderr).toContain(`error: trade.csv:${row + 1}:6: quantity "-3" is negative`);
  });

  it.each([
    ['far into the file (read by the main thread)', 0.75],
    ['early in the file (read by a worker)', 0.2],
  ])('a quoted field %s: the threads give up and one thread reads it, with the same result', (_where, share) => {
    const plain = bigTrade('\n');
    const at = plain.indexOf(',t\n', Math.floor(plain.length * share));
    const text = `${plain.slice(0, at)},"t"\n${plain.slice(at + 3)}`;
    const dir = folder(text);
    for (const args of [
      ['validate', '--format', 'json'],
      ['trend', '--format', 'json'],
    ]) {
      const one = spawnCli([...args, '--data', dir, '--quiet'], { SUPPLY_RISK_THREADS: '1' });
      const two = spawnCli([...args, '--data', dir, '--quiet'], { SUPPLY_RISK_THREADS: '2' });
      expect(one.code).toBe(0);
      expect(two.stdout).toBe(one.stdout);
    }
  });

  it('a full read on two threads stores the very sums one thread makes (rows added in file order)', async () => {
    // The worker threads exist only in the compiled code, which `npm test` builds first.
    const { loadDataset } = (await import('../../dist/input/dataset.js' as string)) as typeof import('../../src/input/dataset.js');
    const text = bigTrade('\n', null, true);
    const dir = folder(text);
    const one = await loadDataset(dir, { threads: 1 });
    const two = await loadDataset(dir, { threads: 2 });
    expect(two.trade.length).toBe(one.trade.length);
    expect(Array.from(two.trade.quantityOf.subarray(0, two.trade.length))).toEqual(Array.from(one.trade.quantityOf.subarray(0, one.trade.length)));
    // The test can fail: in this data some fact's rows, added in another order, give another sum.
    const byFact = new Map<string, number[]>();
    for (const line of text.split('\n').slice(1, -1)) {
      const [material, stage, exporter, importer, year, quantity] = line.split(',');
      const key = [material, stage, exporter, importer, year].join(',');
      byFact.set(key, [...(byFact.get(key) ?? []), Number(quantity)]);
    }
    const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
    const sensitive = [...byFact].find(([, values]) => sum(values) !== sum([...values].reverse()));
    expect(sensitive).toBeDefined();
    const [key = '', values = []] = sensitive ?? [];
    const fact = two.trade.facts().find((f) => [f.material, f.stage, f.exporter, f.importer, f.year].join(',') === key);
    expect(fact?.quantity).toBe(sum(values));
  });

  it('two threads are one worker and the main thread, each reading one half, merged into the one-thread table', async () => {
    type Parallel = typeof import('../../src/input/fast/parallel.js');
    type Datasets = typeof import('../../src/input/dataset.js');
    const { startTradeWorkers, readTradeInParallel } = (await import('../../dist/input/fast/parallel.js' as string)) as Parallel;
    const { loadDataset, readTradeRows } = (await import('../../dist/input/dataset.js' as string)) as Datasets;
    const { UnitRegistry } = (await import('../../dist/input/loading.js' as string)) as typeof import('../../src/input/loading.js');
    const { builtInCountries } = (await import('../../dist/domain/countries.js' as string)) as typeof import('../../src/domain/countries.js');
    const dir = folder(bigTrade('\n', null, true));
    const path = join(dir, 'trade.csv');
    const started = await startTradeWorkers(path, {}, 2);
    expect(started?.plan.ranges).toHaveLength(2);
    expect(started?.workers).toHaveLength(1);
    // Not null: the threaded read itself, not the one-thread read it falls back to.
    const read = await readTradeInParallel(started, builtInCountries(), new UnitRegistry(), {}, readTradeRows);
    expect(read).not.toBeNull();
    expect(read?.stats).toMatchObject({ rowsRead: 480_000, rowsUsed: 480_000, rowsRejected: 0 });
    const one = await loadDataset(dir, { threads: 1 });
    expect(read?.facts.length).toBe(one.trade.length);
    expect(read?.facts.facts()).toEqual(one.trade.facts());
  });
});
