import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importWgi } from '../../src/input/importers/wgi.js';
import { InputError } from '../../src/input/problems.js';
import { importerFixture } from './helpers.js';

// Real lines of the WDI bulk file (preamble, header, 8 economies) and of its country metadata.
const DATA = importerFixture('wgi/API_PV.EST_excerpt.csv');
const META = importerFixture('wgi/Metadata_Country_excerpt.csv');

describe('wgi importer', () => {
  it('takes the latest PV.EST per country and skips aggregates and non-ISO codes', async () => {
    const result = await importWgi([DATA, META]);
    const byCode = new Map(result.countries.map((row) => [row.country, row]));
    // Published 2023 estimates, rounded to three decimals.
    expect(byCode.get('JPN')?.governance).toBe(0.951);
    expect(byCode.get('CHN')?.governance).toBe(-0.513);
    expect(byCode.get('COD')?.governance).toBe(-2.045);
    expect(byCode.get('AUS')?.governance).toBe(0.917);
    expect(byCode.get('JPN')?.name).toBe('Japan');
    expect([...byCode.keys()].sort()).toEqual(['AFG', 'AUS', 'CHN', 'COD', 'JPN']);
    expect(result.tally.read).toBe(8);
    expect(result.tally.skipped.get('regional or income aggregate (no Region in the metadata)')).toBe(1); // AFE
    expect(result.tally.skipped.get('not an ISO 3166-1 alpha-3 code (World Bank aggregate or special code)')).toBe(1); // CHI
    expect(result.tally.skipped.get('no value in any year')).toBe(1); // CUW
  });

  it('goes back to an earlier year when the latest is empty (--years)', async () => {
    const result = await importWgi([DATA, META], { years: { from: 1996, to: 2022 } });
    const japan = result.countries.find((row) => row.country === 'JPN');
    expect(japan?.governance).not.toBe(0.951);
    expect(result.notes[0]).toMatch(/^governance year used \(the latest with a value\): 2022 for /);
  });

  it('merges country,group memberships, sorted, and adds group members without a score', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-groups-'));
    const groups = join(dir, 'groups.csv');
    writeFileSync(groups, 'country,group\nJPN,Quad\nJPN,G7\nAUS,Quad\nTWN,like-minded\n');
    const result = await importWgi([DATA, META], { groups });
    const byCode = new Map(result.countries.map((row) => [row.country, row]));
    expect(byCode.get('JPN')?.groups).toEqual(['G7', 'Quad']);
    expect(byCode.get('TWN')).toEqual({ country: 'TWN', name: 'Taiwan', governance: null, groups: ['like-minded'] });
    expect(result.notes).toContain('groups.csv: 4 group memberships merged');
  });

  it('rejects a groups file with a code that is not ISO', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-groups-'));
    const groups = join(dir, 'groups.csv');
    writeFileSync(groups, 'country,group\nXKX,EU\n');
    await expect(importWgi([DATA], { groups })).rejects.toBeInstanceOf(InputError);
  });
});
