/**
 * Comtrade extracts that drop the breakdown columns (customs procedure, transport mode, second
 * partner) hold a key's total record beside its parts. Hand-made from the real pattern of
 * comtrade_2022.csv.gz (Australia's natural graphite, HS 250490, from Germany: 600 t + 1,650 t and
 * their total 2,250 t; the total's line is repeated, as the extract repeats lines):
 * - kept: the total, 2,250 t and USD 14,002.877 (never 4,500 t);
 * - a nested key (Canada's graphite from Brazil: 10, 30, subtotal 40, total 100, other part 60): the
 *   others add up to 140, not a multiple of 100, so it is counted as nested, and the total 100 t kept;
 * - a key with one record (Chile's graphite from China, 5 t) is untouched.
 * Parts left out: 2 (Australia) + 4 (Canada) = 6 distinct records; the repeated total is a duplicate.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const LINES = [
  'year,reporter,partner,cmd,flow,value,netwgt,qty,qtyunit',
  '2022,36,276,250490,M,3282.227,600000,600000,8',
  '2022,36,276,250490,M,10720.65,1650000,1650000,8',
  '2022,36,276,250490,M,14002.877,2250000,2250000,8',
  '2022,36,276,250490,M,14002.877,2250000,2250000,8',
  '2022,124,76,250490,M,100,10000,10000,8',
  '2022,124,76,250490,M,300,30000,30000,8',
  '2022,124,76,250490,M,400,40000,40000,8',
  '2022,124,76,250490,M,1000,100000,100000,8',
  '2022,124,76,250490,M,600,60000,60000,8',
  '2022,152,156,250490,M,50,5000,5000,8',
];

describe('import comtrade: a total and its breakdown', () => {
  it('keeps the total record of a key, never the total plus its parts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-breakdown-'));
    const file = join(dir, 'comtrade_2022.csv');
    writeFileSync(file, `${LINES.join('\n')}\n`);
    const result = await runCli(['import', 'comtrade', file]);
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    const flow = (exporter: string, importer: string) => rows.find((row) => row[2] === exporter && row[3] === importer);
    expect(flow('DEU', 'AUS')?.slice(5, 8)).toEqual(['2250', 't', '14003']);
    expect(flow('BRA', 'CAN')?.[5]).toBe('100');
    expect(flow('CHN', 'CHL')?.[5]).toBe('5');
    expect(result.stderr).toMatch(/skipped 6: part of a breakdown whose total is also in the file/);
    expect(result.stderr).toMatch(/6 distinct records left out as parts of a breakdown/);
    expect(result.stderr).toMatch(/for 1 reporter, partner, year, code and flow keys the other records do not add up/);
  });
});
