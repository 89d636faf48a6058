import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/problems.js';
import { emptyResult, type ProductionRow } from '../../src/importers/types.js';
import { formatQuantity, parseUsgsCell } from '../../src/importers/values.js';
import { writeResult } from '../../src/importers/writer.js';
import { csvField, productionCsv } from '../../src/importers/contract-csv.js';

describe('USGS cells', () => {
  it('reads numbers with thousands separators, padding and estimate marks', () => {
    expect(parseUsgsCell('"72,000"'.replace(/"/g, ''))).toEqual({ kind: 'value', value: 72000, estimated: false });
    expect(parseUsgsCell('1,330,000')).toEqual({ kind: 'value', value: 1330000, estimated: false });
    expect(parseUsgsCell('1230 ')).toEqual({ kind: 'value', value: 1230, estimated: false });
    expect(parseUsgsCell('\u00a0\u00a0\u00a0\u00a0 325')).toEqual({ kind: 'value', value: 325, estimated: false });
    expect(parseUsgsCell(' e24,000')).toEqual({ kind: 'value', value: 24000, estimated: true });
  });

  it('gives the reason for every code that is not a number', () => {
    expect(parseUsgsCell('W')).toEqual({ kind: 'skip', reason: 'withheld to avoid disclosing company proprietary data (W)' });
    expect(parseUsgsCell('      NA')).toEqual({ kind: 'skip', reason: 'not available (NA)' });
    expect(parseUsgsCell('XX')).toEqual({ kind: 'skip', reason: 'not applicable (XX)' });
    expect(parseUsgsCell('E')).toEqual({ kind: 'skip', reason: 'net exporter (E), not a quantity' });
    expect(parseUsgsCell('>50')).toMatchObject({ kind: 'skip', reason: expect.stringContaining('bound') });
    expect(parseUsgsCell('<1')).toMatchObject({ kind: 'skip', reason: expect.stringContaining('bound') });
    expect(parseUsgsCell('Less than ½ unit.')).toMatchObject({ kind: 'skip', reason: expect.stringContaining('less than half') });
    expect(parseUsgsCell('included with ilmenite')).toEqual({ kind: 'skip', reason: 'not a number' });
  });
});

describe('writing the contract files', () => {
  it('writes plain numbers and quotes fields that need it', () => {
    expect(formatQuantity(5311.3 * 1000)).toBe('5311300');
    expect(formatQuantity(15079 * 0.1879)).toBe('2833.3441');
    expect(formatQuantity(0.126 / 1000)).toBe('0.000126');
    expect(formatQuantity(0.126)).toBe('0.126');
    expect(formatQuantity(1e21 / 1e15)).toBe('1000000');
    expect(csvField('USGS MCS 2024, mcs2024-cobal_world.csv')).toBe('"USGS MCS 2024, mcs2024-cobal_world.csv"');
    expect(csvField('say "W"')).toBe('"say ""W"""');
    expect(csvField('plain')).toBe('plain');
  });

  const row = (country: string, quantity: number, source: string, year = 2023): ProductionRow => ({
    material: 'cobalt',
    stage: 'mining',
    country,
    year,
    quantity,
    unit: 't',
    source,
  });

  it('sorts rows and puts ZZZ after the countries', () => {
    const text = productionCsv([row('ZZZ', 6600, 'S'), row('COD', 170000, 'S'), row('AUS', 4600, 'S')]);
    expect(
      text
        .split('\n')
        .slice(1, 4)
        .map((line) => line.split(',')[2]),
    ).toEqual(['AUS', 'COD', 'ZZZ']);
  });

  it('replaces the rows of a re-run, keeps other sources and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-import-'));
    const first = emptyResult();
    first.production = [row('COD', 1, 'USGS MCS 2024, a.csv'), row('AUS', 2, 'USGS MCS 2024, a.csv', 2022)];
    await writeResult(dir, first);
    const other = emptyResult();
    other.production = [{ ...row('CHN', 171700, 'IEA 2024, Cobalt - Refining'), stage: 'refining' }];
    await writeResult(dir, other);
    const again = emptyResult();
    again.production = [row('COD', 170000, 'USGS MCS 2024, a.csv')];
    const [report] = await writeResult(dir, again);
    // The 2023 cobalt mining row of a.csv is replaced; its 2022 row and the IEA row are kept.
    expect(report).toEqual({ file: 'production.csv', written: 1, replaced: 1, keptFromBefore: 2 });
    const lines = readFileSync(join(dir, 'production.csv'), 'utf8').trim().split('\n');
    expect(lines).toEqual([
      'material,stage,country,year,quantity,unit,source',
      'cobalt,mining,AUS,2022,2,t,"USGS MCS 2024, a.csv"',
      'cobalt,mining,COD,2023,170000,t,"USGS MCS 2024, a.csv"',
      'cobalt,refining,CHN,2023,171700,t,"IEA 2024, Cobalt - Refining"',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['production.csv', 'trade.csv']);
  });

  it('refuses a second publisher for the same fact (it would be added up)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-import-'));
    writeFileSync(join(dir, 'production.csv'), 'material,stage,country,year,quantity,unit,source\ncobalt,mining,COD,2023,170000,t,"USGS MCS 2024, x.csv"\n');
    const clash = emptyResult();
    clash.production = [row('COD', 157000, 'IEA Critical Minerals Data Explorer 2024, Cobalt - Mining')];
    await expect(writeResult(dir, clash)).rejects.toBeInstanceOf(InputError);
    await expect(writeResult(dir, clash)).rejects.toThrow(/already given by "USGS MCS 2024, x.csv"/);
    // Two HS codes of one publisher are parts of one total: allowed.
    const part = emptyResult();
    part.production = [row('COD', 1, 'USGS MCS 2024, y.csv')];
    await expect(writeResult(dir, part)).resolves.toEqual([
      { file: 'production.csv', written: 1, replaced: 0, keptFromBefore: 1 },
      { file: 'trade.csv', written: 0, replaced: 0, keptFromBefore: 0 }, // created with its header
    ]);
  });
});
