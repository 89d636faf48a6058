import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importWgi } from '../../src/importers/wgi.js';
import { writeResult } from '../../src/importers/writer.js';
import { InputError } from '../../src/domain/problems.js';
import { importerFixture } from './helpers.js';

// Real lines of the WDI bulk file (preamble, header, 9 economies) and of its country metadata.
const DATA = importerFixture('wgi/API_PV.EST_excerpt.csv');
const META = importerFixture('wgi/Metadata_Country_excerpt.csv');

describe('wgi importer', () => {
  it('keeps the PV.EST of every year as printed, outside -2.5..2.5 too, and skips aggregates and non-ISO codes', async () => {
    const result = await importWgi([DATA, META]);
    const score = (country: string, year: number) => result.governance.find((row) => row.country === country && row.year === year)?.governance;
    // The estimates as the file prints them (checked by hand against the file), not rounded.
    expect(score('JPN', 2023)).toBe('0.951136231422424');
    expect(score('JPN', 2022)).toBe('1.0326372385025');
    expect(score('CHN', 2023)).toBe('-0.513097047805786');
    expect(score('COD', 2023)).toBe('-2.04486203193665');
    expect(score('AUS', 2023)).toBe('0.91705721616745');
    // Below -2.5, and kept: Syria 2022 (-2.78) and 2023, Afghanistan 2022 (-2.54 rounded to two places), COD 1998.
    expect(score('SYR', 2022)).toBe('-2.77689838409424');
    expect(score('SYR', 2023)).toBe('-2.75060677528381');
    expect(score('AFG', 2022)).toBe('-2.54495596885681');
    expect(score('COD', 1998)).toBe('-2.84785175323486');
    expect(score('JPN', 1997)).toBeUndefined(); // WGI skipped 1997, 1999 and 2001
    // Every year with a value: 25 years (1996, 1998, 2000, 2002-2023) for each of the 6 economies.
    expect(result.governance).toHaveLength(150);
    expect(result.governance.every((row) => row.source === 'World Bank WGI PV.EST, API_PV.EST_excerpt.csv')).toBe(true);
    // countries.csv keeps the names; its governance column is left empty (governance.csv is the authority).
    const byCode = new Map(result.countries.map((row) => [row.country, row]));
    expect(byCode.get('JPN')).toEqual({ country: 'JPN', name: 'Japan', governance: null, groups: [] });
    expect(result.countries.every((row) => row.governance === null)).toBe(true);
    expect([...byCode.keys()].sort()).toEqual(['AFG', 'AUS', 'CHN', 'COD', 'JPN', 'SYR']);
    expect(result.notes).toContain('latest year with an estimate: 2023 for 6');
    expect(result.tally.read).toBe(9);
    expect(result.tally.skipped.get('regional or income aggregate (no Region in the metadata)')).toBe(1); // AFE
    expect(result.tally.skipped.get('not an ISO 3166-1 alpha-3 code (World Bank aggregate or special code)')).toBe(1); // CHI
    expect(result.tally.skipped.get('no value in any year')).toBe(1); // CUW
  });

  it('--years keeps only those years', async () => {
    const result = await importWgi([DATA, META], { years: { from: 2021, to: 2022 } });
    expect(new Set(result.governance.map((row) => row.year))).toEqual(new Set([2021, 2022]));
    expect(result.governance).toHaveLength(12);
  });

  it('writes governance.csv sorted by country then year, and countries.csv with an empty governance column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-wgi-'));
    const reports = await writeResult(dir, await importWgi([DATA, META], { years: { from: 2022, to: 2023 } }));
    expect(reports.find((report) => report.file === 'governance.csv')?.written).toBe(12);
    const lines = readFileSync(join(dir, 'governance.csv'), 'utf8').trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'country,year,governance,source',
      'AFG,2022,-2.54495596885681,"World Bank WGI PV.EST, API_PV.EST_excerpt.csv"',
      'AFG,2023,-2.48408055305481,"World Bank WGI PV.EST, API_PV.EST_excerpt.csv"',
    ]);
    expect(lines.slice(-2)).toEqual([
      'SYR,2022,-2.77689838409424,"World Bank WGI PV.EST, API_PV.EST_excerpt.csv"',
      'SYR,2023,-2.75060677528381,"World Bank WGI PV.EST, API_PV.EST_excerpt.csv"',
    ]);
    const countries = readFileSync(join(dir, 'countries.csv'), 'utf8').trim().split('\n');
    expect(countries[0]).toBe('country,name,governance,groups');
    expect(countries).toContain('JPN,Japan,,');
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
