import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/schema.js';
import { dataFolder, production } from '../helpers/data.js';
import { fixture, ROOT, runCli, spawnCli } from '../helpers/cli.js';

const WORKED = fixture('worked-example');

describe('supply-risk report (built binary)', () => {
  it('prints a table naming the dominant country, warnings on stderr, exit 0', () => {
    const result = spawnCli(['report', '--data', WORKED]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Supply risk for Japan (JPN)');
    expect(result.stdout).toMatch(/top supplier\s+CHN China 57\.1%/);
    expect(result.stdout).toMatch(/top origin \(mine\)\s+CHN China 61\.1%/);
    // Supplier HHI 10000 x (8^2 + 4^2 + 2^2) / 14^2 = 4286 > 2500: an hhi gap, so the stage is high.
    expect(result.stdout).toMatch(/risk \(policy\)\s+high · 1 gap/);
    expect(result.stdout).not.toContain('warning');
    expect(result.stderr).toContain('warning: no governance score for 5 countries');
  });

  it('--json prints only JSON that matches the contract and the worked example', () => {
    const result = spawnCli(['report', '--data', WORKED, '--json']);
    expect(result.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(result.stdout));
    const importer = (report.materials[0]?.stages.mining as { importer: { topOrigin: { country: string; share: number } } }).importer;
    expect(importer.topOrigin.country).toBe('CHN');
    expect(importer.topOrigin.share).toBeCloseTo(0.6113, 4);
  });

  it('bad input: one line per problem with file:line:column, exit 2, no stack trace', () => {
    const dir = dataFolder({ 'production.csv': production('cobalt,mining,COD,2023,"1,5",t') });
    const result = spawnCli(['report', '--data', dir]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: production.csv:2:5: quantity "1,5" has a decimal comma; write 1.5 (plain digits, "." for decimals)\n');
  });

  it('usage errors exit 2; help exits 0', () => {
    expect(spawnCli(['report', '--year', 'last']).code).toBe(2);
    expect(spawnCli(['frobnicate']).code).toBe(2);
    const unknownOption = spawnCli(['report', '--colour']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--colour'");
    expect(spawnCli(['--help']).code).toBe(0);
  });
});

describe('supply-risk report (in-process)', () => {
  it('a lower-case importer is a usage error with the fix', async () => {
    const result = await runCli(['report', '--data', WORKED, '--importer', 'jpn']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('country codes are upper-case: JPN');
  });

  it('an unknown importer code is named', async () => {
    const result = await runCli(['report', '--data', WORKED, '--importer', 'QQQ']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --importer QQQ is not an ISO 3166-1 alpha-3 code or a country of countries.csv\n');
  });

  it('a missing data folder is named', async () => {
    const result = await runCli(['report', '--data', '/nonexistent/folder']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: /nonexistent/folder: data folder not found\n');
  });

  it('csv format: one row per material and stage, worked-example numbers', async () => {
    const result = await runCli(['report', '--data', WORKED, '--format', 'csv', '--quiet']);
    const [header, row] = result.stdout.trim().split('\n');
    const columns = header?.split(',') ?? [];
    const cells = row?.split(',') ?? [];
    const cell = (name: string): string => cells[columns.indexOf(name)] ?? '';
    expect(cell('material')).toBe('cobalt');
    expect(cell('top_supplier_country')).toBe('CHN');
    expect(Number(cell('top_supplier_share'))).toBeCloseTo(8 / 14, 10);
    expect(Number(cell('world_hhi'))).toBeCloseTo((10000 * (10 ** 2 + 60 ** 2 + 15 ** 2 + 5 ** 2)) / 90 ** 2, 6);
    expect(result.stderr).toBe('');
  });

  it('markdown format has a table row per stage', async () => {
    const result = await runCli(['report', '--data', WORKED, '--format', 'markdown', '--quiet']);
    expect(result.stdout).toContain('| cobalt | mining | 2023 | 90 t | China (CHN) 66.7% |');
  });

  it('--output writes the file and nothing to stdout, leaving no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-out-'));
    const target = join(dir, 'report.json');
    const result = await runCli(['report', '--data', WORKED, '--json', '--quiet', '--output', target]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(target, 'utf8')).importer).toBe('JPN');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('is deterministic: the same data gives byte-identical JSON', async () => {
    const first = await runCli(['report', '--data', WORKED, '--json', '--quiet']);
    const second = await runCli(['report', '--data', WORKED, '--json', '--quiet']);
    expect(first.stdout).toBe(second.stdout);
  });

  it('the committed JSON Schema is the one generated from the contract', async () => {
    const result = await runCli(['schema']);
    expect(result.stdout).toBe(readFileSync(join(ROOT, 'schema/report.schema.json'), 'utf8'));
  });
});

describe('supply-risk validate', () => {
  it('valid folder: per-file counts, exit 0', async () => {
    const result = await runCli(['validate', '--data', WORKED, '--format', 'json', '--quiet']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.valid).toBe(true);
    expect(summary.files[0]).toMatchObject({ file: 'production.csv', rowsRead: 5, rowsUsed: 5, rowsRejected: 0 });
    expect(summary.files[1]).toMatchObject({ file: 'trade.csv', rowsRead: 6, rowsUsed: 6 });
  });

  it('invalid folder: problems on stderr and in the JSON, exit 2', async () => {
    const dir = dataFolder({ 'production.csv': production('cobalt,mining,COD,2023,1,t', 'cobalt,mining,COD,2023,-1,t') });
    const result = await runCli(['validate', '--data', dir, '--format', 'json', '--quiet']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: production.csv:3:5: quantity "-1" is negative');
    const summary = JSON.parse(result.stdout);
    expect(summary.files[0]).toMatchObject({ rowsRead: 2, rowsUsed: 1, rowsRejected: 1 });
    expect(summary.files[0].problems[0]).toEqual({ line: 3, column: 5, message: 'quantity "-1" is negative; quantities must be >= 0' });
  });
});
