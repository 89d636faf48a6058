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
function bigTrade(eol: string, broken = false): string {
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
    rows.push(`${material},${next() < 0.5 ? 'mining' : 'refining'},${exporter},${importer},${2000 + Math.floor(next() * 24)},${Math.round(next() * 8000) / 8},t`);
  }
  if (broken) rows[400_000] = 'cobalt,mining,AUS,JPN,2005,-3,t';
  return `${rows.join(eol)}${eol}`;
}

const PRODUCTION = [PRODUCTION_HEADER, 'cobalt,mining,COD,2023,170000,t', 'cobalt,refining,CHN,2023,150000,t', 'lithium,mining,AUS,2023,86000,t', 'lithium,refining,CHN,2023,113900,t'].join('\n');

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
    for (const args of [['validate', '--format', 'json'], ['report', '--json']]) {
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
  });
});
