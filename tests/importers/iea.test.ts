import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importIea } from '../../src/importers/iea.js';
import { emptyResult, selection, type ProductionRow } from '../../src/importers/types.js';
import { writeResult } from '../../src/importers/writer.js';
import { importerFixture } from './helpers.js';

// excerpt.xlsx holds the real cells of the title, the year row, the cobalt block and the magnet
// rare earth block of sheet "2 Total supply for key minerals" (see make-excerpt.mjs beside it).
const EXCERPT = importerFixture('iea/excerpt.xlsx');
// The same for the nickel and graphite blocks (rows 1-4 and 36-57 of the sheet).
const NICKEL_GRAPHITE = importerFixture('iea/excerpt-nickel-graphite.xlsx');
// iea-2025-excerpt.json: the "source" and the supply blocks Cobalt, Nickel and Graphite refining and
// Rare Earth Elements mining and refining of the 2025 edition's JSON (iea-cm-data-explorer-2025-derived/iea.json), unchanged.
const JSON_2025 = importerFixture('iea/iea-2025-excerpt.json');

type Find = (material: string, stage: string, country: string, year?: number) => ProductionRow | undefined;
const finder =
  (rows: readonly ProductionRow[]): Find =>
  (material, stage, country, year) =>
    rows.find((row) => row.material === material && row.stage === stage && row.country === country && (year === undefined || row.year === year));
const sum = (rows: readonly ProductionRow[], material: string, stage: string, year: number): number =>
  rows.filter((row) => row.material === material && row.stage === stage && row.year === year).reduce((acc, row) => acc + row.quantity, 0);

describe('iea importer', () => {
  it('reads both blocks of a row, 2023 only, kt to t, Rest of world as ZZZ', async () => {
    const result = await importIea([EXCERPT]);
    const get = (material: string, stage: string, country: string) =>
      result.production.find((row) => row.material === material && row.stage === stage && row.country === country);
    expect(get('cobalt', 'refining', 'CHN')).toEqual({
      material: 'cobalt',
      stage: 'refining',
      country: 'CHN',
      year: 2023,
      quantity: 171700,
      unit: 't',
      source: 'IEA Critical Minerals Data Explorer 2024, Cobalt - Refining',
    });
    expect(get('cobalt', 'mining', 'COD')?.quantity).toBe(157000); // "Democratic Republic of Congo", 157 kt
    expect(get('cobalt', 'mining', 'ZZZ')?.quantity).toBe(47900); // 47.900000000000034 kt
    expect(get('rare-earths', 'refining', 'CHN')?.quantity).toBe(70300);
    expect(get('rare-earths', 'mining', 'MMR')?.quantity).toBe(10800);
    expect(get('cobalt', 'refining', 'IDN')).toBeUndefined(); // 0 in 2023
    // 4 blocks x 4 years: only the 2023 column is an observation.
    expect(result.tally.skipped.get('IEA base-case projection, not an observation')).toBe(63);
    expect(result.production.every((row) => row.year === 2023)).toBe(true);
    // 171.7 + 18.8 + 5.6 + 0 + 6.9 + 20.8 = 223.8 kt: China's share of refined cobalt is 76.7%
    expect(result.notes).toContain('excerpt.xlsx: Cobalt - Refining 2023: rows sum to 223800 t, Total 223800 t (match)');
    expect(171700 / 223800).toBeCloseTo(0.767, 3);
  });

  it('--stages refining leaves the mining blocks out', async () => {
    const result = await importIea([EXCERPT], { select: selection(undefined, ['refining']) });
    expect(new Set(result.production.map((row) => row.stage))).toEqual(new Set(['refining']));
    expect(result.production).toHaveLength(9); // cobalt: CHN FIN JPN CAN ZZZ; magnet REE: CHN MYS USA ZZZ
    expect(result.tally.skipped.get('stage not in --stages')).toBe(10);
  });

  it('takes out of Rest of world the named country it also counts, so the rows add up to the Total (2024 edition)', async () => {
    const result = await importIea([NICKEL_GRAPHITE]);
    const get = finder(result.production);
    // Nickel - Refining 2023 (kt): 1413.7 IDN + 1065.3 CHN + 137.5 FIN + 131.9 AUS + 158 RUS + 135.9 CAN = 3042.3,
    // + Rest of world 889.7 = 3932.0, against a Total of 3796.1: 3932.0 - 3796.1 = 135.9 = Canada.
    // ZZZ = 889.7 - 135.9 = 753.8, and 3042.3 + 753.8 = 3796.1.
    expect(get('nickel', 'refining', 'CAN')?.quantity).toBe(135900);
    expect(get('nickel', 'refining', 'ZZZ')?.quantity).toBe(753800);
    expect(sum(result.production, 'nickel', 'refining', 2023)).toBe(3796100);
    // Shares of IEA's Total: Indonesia 1413.7 / 3796.1 = 37.2% (35.95% of the 3932.0 before), China 28.1% (27.1%).
    expect((get('nickel', 'refining', 'IDN')?.quantity ?? 0) / 3796100).toBeCloseTo(0.3724, 4);
    // Graphite - Battery grade 2023: 1851.9 CHN + 123.5 JPN + 16.5 USA + 0.4 CAN + 0 SWE + 28.2 DEU = 2020.5,
    // + 44.9 = 2065.4, against 2037.2: 2065.4 - 2037.2 = 28.2 = Germany. ZZZ = 44.9 - 28.2 = 16.7; 2020.5 + 16.7 = 2037.2.
    expect(get('graphite', 'refining', 'DEU')?.quantity).toBe(28200);
    expect(get('graphite', 'refining', 'ZZZ')?.quantity).toBe(16700);
    expect(sum(result.production, 'graphite', 'refining', 2023)).toBe(2037200);
    // China's share of battery-grade graphite: 1851.9 / 2037.2 = 90.9% (89.7% of the rows before).
    expect((get('graphite', 'refining', 'CHN')?.quantity ?? 0) / sum(result.production, 'graphite', 'refining', 2023)).toBeCloseTo(0.909, 3);
    // Nickel - Mining 2023: 1787 + 390.7 + 210 + 193.8 + 193.7 + 111.4 = 2886.6, + 675.3 = 3561.9 against 3450.5:
    // 111.4 = Australia; ZZZ = 675.3 - 111.4 = 563.9. Graphite mining adds up (Tanzania, last named, is 0).
    expect(get('nickel', 'mining', 'ZZZ')?.quantity).toBe(563900);
    expect(sum(result.production, 'nickel', 'mining', 2023)).toBe(3450500);
    expect(get('graphite', 'mining', 'ZZZ')?.quantity).toBe(38000);
    expect(result.notes).toContain(
      'excerpt-nickel-graphite.xlsx: Nickel - Refining 2023: rows sum to 3932000 t, Total 3796100 t: the rows exceed the Total by ' +
        'CAN\'s 135900 t, which "Rest of world" also counts; subtracted from ZZZ (now 753800 t), the rows sum to 3796100 t (match)',
    );
    expect(result.notes).toContain('excerpt-nickel-graphite.xlsx: Graphite - Mining (natural) 2023: rows sum to 1617300 t, Total 1617300 t (match)');
  });

  it('reads the JSON of the 2025 edition: 2024 only, cited as the 2025 edition, with the same fix', async () => {
    const result = await importIea([JSON_2025], { select: selection(undefined, ['refining']) });
    const get = finder(result.production);
    expect(result.production.every((row) => row.year === 2024 && row.stage === 'refining')).toBe(true);
    // Japan is named for refined cobalt (5.648685238955214 kt) and battery graphite (44.96532260435326 kt).
    expect(get('cobalt', 'refining', 'JPN')).toEqual({
      material: 'cobalt',
      stage: 'refining',
      country: 'JPN',
      year: 2024,
      quantity: 5648.7,
      unit: 't',
      source: 'IEA Critical Minerals Data Explorer 2025, Cobalt - Refining',
    });
    expect(get('graphite', 'refining', 'JPN')?.quantity).toBe(44965.3);
    expect(get('graphite', 'refining', 'JPN')?.source).toBe('IEA Critical Minerals Data Explorer 2025, Graphite - Refining');
    expect(get('graphite', 'refining', 'DEU')).toBeUndefined(); // 0 in 2024
    // Nickel refining 2024 (kt): 1493.2 + 1091.077 + 62 + 80 + 126 + 113.1 = 2965.377, + Rest of world 631.42 = 3596.797,
    // against a Total of 3483.697: the difference, 113.1, is Canada. ZZZ = 631.42 - 113.1 = 518.32; 2965.377 + 518.32 = 3483.697.
    expect(get('nickel', 'refining', 'CAN')?.quantity).toBe(113100);
    expect(get('nickel', 'refining', 'ZZZ')?.quantity).toBe(518320);
    expect(sum(result.production, 'nickel', 'refining', 2024)).toBe(3483697);
    // Cobalt adds up: China 196.1 of 250.1 kt, 78.4%.
    expect((get('cobalt', 'refining', 'CHN')?.quantity ?? 0) / sum(result.production, 'cobalt', 'refining', 2024)).toBeCloseTo(0.784, 3);
    expect(get('rare-earths', 'refining', 'CHN')?.source).toBe('IEA Critical Minerals Data Explorer 2025, Rare Earth Elements - Refining');
    // The projections (2030, 2035, 2040) and the top-3 ratios are never quantities.
    expect(result.tally.skipped.get('IEA base-case projection, not an observation')).toBeGreaterThan(0);
    expect(result.tally.skipped.get('"Top 3 share" row (a ratio, not a quantity)')).toBe(20); // 5 blocks x 4 years
    // The REE mining block's two note texts (null values) are not countries.
    expect(result.tally.skipped.get('text outside the tables (notes)')).toBe(2);
    expect(result.notes[0]).toMatch(/^iea-2025-excerpt\.json: a third party's JSON .* base year 2024, cited as the 2025 edition$/);
  });

  it('a newer edition replaces the rows of the older one for the same material, stage and year; an older one is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-iea-editions-'));
    const row = (country: string, quantity: number, edition: number, year = 2024): ProductionRow => ({
      material: 'nickel',
      stage: 'refining',
      country,
      year,
      quantity,
      unit: 't',
      source: `IEA Critical Minerals Data Explorer ${edition}, Nickel - Refining`,
    });
    const older = emptyResult();
    older.production = [row('IDN', 1, 2024), row('FIN', 2, 2024), row('ZZZ', 3, 2024), row('IDN', 4, 2024, 2023)];
    await writeResult(dir, older);
    const newer = emptyResult();
    newer.production = [row('IDN', 10, 2025), row('ZZZ', 30, 2025)];
    const [report] = await writeResult(dir, newer);
    // All three 2024 rows of the 2024 edition go (FIN too); its 2023 row stays.
    expect(report).toEqual({ file: 'production.csv', written: 2, replaced: 3, keptFromBefore: 1 });
    expect(readFileSync(join(dir, 'production.csv'), 'utf8').trim().split('\n').slice(1)).toEqual([
      'nickel,refining,IDN,2023,4,t,"IEA Critical Minerals Data Explorer 2024, Nickel - Refining"',
      'nickel,refining,IDN,2024,10,t,"IEA Critical Minerals Data Explorer 2025, Nickel - Refining"',
      'nickel,refining,ZZZ,2024,30,t,"IEA Critical Minerals Data Explorer 2025, Nickel - Refining"',
    ]);
    // The older edition after the newer: refused for the year both give, so the newer one still wins.
    await expect(writeResult(dir, older)).rejects.toThrow(/already given by "IEA Critical Minerals Data Explorer 2025, Nickel - Refining", a newer edition/);
    // Another publisher is still refused.
    const other = emptyResult();
    other.production = [{ ...row('IDN', 5, 2025), source: 'USGS MCS 2025, x.csv' }];
    await expect(writeResult(dir, other)).rejects.toThrow(/would add the two up/);
  });
});
