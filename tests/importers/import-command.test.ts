import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { importerFixture } from './helpers.js';

const COBALT = importerFixture('usgs/mcs2024-cobal_world.csv');

describe('supply-risk import', () => {
  it('prints CSV on stdout and the summary on stderr without --out', async () => {
    const result = await runCli(['import', 'usgs-mcs', COBALT]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('material,stage,country,year,quantity,unit,source');
    expect(lines).toContain('cobalt,mining,COD,2023,170000,t,"USGS MCS 2024, mcs2024-cobal_world.csv"');
    expect(lines).toHaveLength(27); // header + 26 values
    expect(result.stderr).toContain('usgs-mcs: read 28 records, kept 26, skipped 2');
    expect(result.stderr).toContain('skipped 2: world total row');
  });

  it('writes into --out and replaces its own rows when run again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'supply-risk-cli-'));
    const first = await runCli(['import', 'usgs-mcs', COBALT, '--out', out, '--years', '2023']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(`wrote ${join(out, 'production.csv')}: 13 rows from this import`);
    const again = await runCli(['import', 'usgs-mcs', COBALT, '--out', out, '--years', '2023']);
    expect(again.stderr).toContain('13 rows from this import, replacing 13 from an earlier run of it');
    expect(readFileSync(join(out, 'production.csv'), 'utf8').trim().split('\n')).toHaveLength(14);
    expect(readdirSync(out).sort()).toEqual(['production.csv', 'trade.csv']);
    expect(first.stderr).toContain('created ' + join(out, 'trade.csv') + ' with its header only');
    const valid = await runCli(['validate', '--data', out, '--quiet']);
    expect(valid.code).toBe(0);
  });

  it('exits 2 with one line for bad input, never a stack trace', async () => {
    const unknown = await runCli(['import', 'nosuch', COBALT]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: unknown source "nosuch"; expected usgs-mcs, wgi, itc-trademap, comtrade, baci, iea or wmd\n');
    const missing = await runCli(['import', 'usgs-mcs', 'no/such/mcs2024-cobal_world.csv']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: .*no\/such\/mcs2024-cobal_world\.csv: file not found\n$/);
    const badYears = await runCli(['import', 'usgs-mcs', COBALT, '--years', '2023-2020']);
    expect(badYears.code).toBe(2);
    const misplaced = await runCli(['import', 'usgs-mcs', COBALT, '--country', 'JPN']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--country goes with the comtrade and baci importers');
    expect(`${unknown.stderr}${missing.stderr}${misplaced.stderr}`).not.toMatch(/\n\s+at /);
  });
});
