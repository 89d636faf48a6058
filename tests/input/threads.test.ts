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
function bigTrade(eol: string, broken = false, tenths = false): string {
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
  if (broken) rows[400_000] = 'cobalt,mining,AUS,JPN,2005,-3,t';
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

  it('a bad row far into the file: the same problem and counts as on one thread', () => {
    const dir = folder(bigTrade('\n', true));
    const one = spawnCli(['validate', '--data', dir, '--format', 'json', '--quiet'], { SUPPLY_RISK_THREADS: '1' });
    const two = spawnCli(['validate', '--data', dir, '--format', 'json', '--quiet'], { SUPPLY_RISK_THREADS: '2' });
    expect(two.code).toBe(2);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stderr).toContain('error: trade.csv:400001:6: quantity "-3" is negative');
    // A full read (trend) meets it in a worker too, and reports it as one thread does.
    const trendOne = spawnCli(['trend', '--data', dir, '--quiet'], { SUPPLY_RISK_THREADS: '1' });
    const trendTwo = spawnCli(['trend', '--data', dir, '--quiet'], { SUPPLY_RISK_THREADS: '2' });
    expect(trendTwo.code).toBe(2);
    expect(trendTwo.stderr).toBe(trendOne.stderr);
    expect(trendTwo.stderr).toContain('error: trade.csv:400001:6: quantity "-3" is negative');
  });

  it('a quoted field far into the file: the workers give up and one thread reads it, with the same result', () => {
    // The quote is in the second half, so only the second worker meets it.
    const plain = bigTrade('\n');
    const at = plain.indexOf(',t\n', Math.floor(plain.length * 0.75));
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
    const text = bigTrade('\n', false, true);
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
});
