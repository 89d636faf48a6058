import { describe, expect, it } from 'vitest';
import { importUsgsMcs } from '../../src/input/importers/usgs-mcs.js';
import type { ImportResult } from '../../src/input/importers/types.js';
import { InputError } from '../../src/input/problems.js';
import { importerFixture } from './helpers.js';

// The fixtures are the real MCS 2024 world tables, copied byte for byte.
const usgs = (code: string): string => importerFixture(`usgs/mcs2024-${code}_world.csv`);

function quantity(result: ImportResult, material: string, stage: string, country: string, year: number): number | undefined {
  return result.production.find((row) => row.material === material && row.stage === stage && row.country === country && row.year === year)?.quantity;
}

function total(result: ImportResult, material: string, stage: string, year: number): number {
  return result.production
    .filter((row) => row.material === material && row.stage === stage && row.year === year)
    .reduce((sum, row) => sum + row.quantity, 0);
}

describe('usgs-mcs importer', () => {
  it('cobalt: DR Congo 170,000 t of 229,300 t in 2023, "Other countries" as ZZZ, the world total skipped', async () => {
    const result = await importUsgsMcs([usgs('cobal')]);
    // 14 rows x 2 years = 28 values: 13 rows of countries and "Other countries" kept, the World row skipped.
    expect(result.tally.read).toBe(28);
    expect(result.tally.kept).toBe(26);
    expect(result.tally.skipped.get('world total row (not a country; used to check the sums)')).toBe(2);
    expect(quantity(result, 'cobalt', 'mining', 'COD', 2023)).toBe(170000);
    expect(quantity(result, 'cobalt', 'mining', 'NCL', 2023)).toBe(3000); // "New Caledonia11"
    expect(quantity(result, 'cobalt', 'mining', 'ZZZ', 2023)).toBe(6600);
    // 500+4600+2100+170000+3200+17000+4000+3000+2900+3800+8800+2800+6600 = 229,300 (published, rounded: 230,000)
    expect(total(result, 'cobalt', 'mining', 2023)).toBe(229300);
    expect(result.notes).toContain(
      'mcs2024-cobal_world.csv: cobalt mining 2023: rows sum to 229300 t, published world total 230000 t (match)',
    );
    expect(result.production.every((row) => row.unit === 't' && row.source === 'USGS MCS 2024, mcs2024-cobal_world.csv')).toBe(true);
  });

  it('lithium: U.S. withheld (W), zero "Other countries6", padding rows, and the total that excludes the U.S.', async () => {
    const result = await importUsgsMcs([usgs('lithi')]);
    expect(result.tally.read).toBe(22);
    expect(result.tally.kept).toBe(16);
    expect(result.tally.skipped.get('withheld to avoid disclosing company proprietary data (W)')).toBe(2);
    expect(result.tally.skipped.get('zero production (no row needed)')).toBe(2);
    expect(quantity(result, 'lithium', 'mining', 'USA', 2023)).toBeUndefined();
    expect(quantity(result, 'lithium', 'mining', 'AUS', 2023)).toBe(86000);
    expect(quantity(result, 'lithium', 'mining', 'CHL', 2023)).toBe(44000);
    expect(quantity(result, 'lithium', 'mining', 'CHN', 2023)).toBe(33000);
    // 9600+86000+4900+3400+44000+33000+380+3400 = 184,680 against a published 180,000 (rounded, excludes the U.S.)
    expect(total(result, 'lithium', 'mining', 2023)).toBe(184680);
    expect(result.notes).toContain('mcs2024-lithi_world.csv: 15 empty padding rows ignored');
    expect(result.notes.some((note) => note.includes('lithium mining 2023') && note.includes('differ by 2.6%'))).toBe(true);
  });

  it('gallium: kg converted to t, footnote "e" removed from names, capacity columns ignored', async () => {
    const result = await importUsgsMcs([usgs('galli')]);
    expect(quantity(result, 'gallium', 'refining', 'CHN', 2023)).toBe(600); // 600,000 kg
    expect(quantity(result, 'gallium', 'refining', 'JPN', 2023)).toBe(3); // "Japane", 3,000 kg
    expect(quantity(result, 'gallium', 'refining', 'KOR', 2022)).toBe(2); // "Korea, Republic ofe"
    expect(quantity(result, 'gallium', 'refining', 'RUS', 2022)).toBe(5); // "Russiae"
    expect(result.production).toHaveLength(8);
  });

  it('copper: kt converted to t, the Type column decides mining or refining', async () => {
    const result = await importUsgsMcs([usgs('coppe')]);
    expect(quantity(result, 'copper', 'mining', 'COD', 2023)).toBe(2500000); // "2500 " kt
    expect(quantity(result, 'copper', 'refining', 'CHN', 2023)).toBe(12000000);
    expect(quantity(result, 'copper', 'refining', 'JPN', 2023)).toBe(1500000);
    expect(quantity(result, 'copper', 'mining', 'JPN', 2023)).toBeUndefined(); // 0 kt
    expect(total(result, 'copper', 'mining', 2023)).toBe(21550000);
    expect(total(result, 'copper', 'refining', 2023)).toBe(26670000);
  });

  it('graphite "72,000" and manganese "Kazakhstan, concentrate" with a note', async () => {
    const result = await importUsgsMcs([usgs('graph'), usgs('manga')]);
    expect(quantity(result, 'graphite', 'mining', 'BRA', 2022)).toBe(72000);
    expect(quantity(result, 'graphite', 'mining', 'PRK', 2022)).toBe(8100);
    expect(quantity(result, 'manganese', 'mining', 'KAZ', 2023)).toBe(130000);
    expect(quantity(result, 'manganese', 'mining', 'ZZZ', 2023)).toBe(330000); // "Other countries ", "     330"
    expect(result.notes.some((note) => note.includes('Kazakhstan, concentrate') && note.includes('kept as KAZ'))).toBe(true);
  });

  it('platinum-group metals: one file, two materials, kg to t', async () => {
    const result = await importUsgsMcs([usgs('plati')]);
    expect(quantity(result, 'palladium', 'mining', 'RUS', 2023)).toBe(92); // "Russiae", 92,000 kg
    expect(quantity(result, 'platinum', 'mining', 'ZAF', 2023)).toBe(120);
    expect(result.notes).toContain('mcs2024-plati_world.csv: palladium mining 2023: rows sum to 206.5 t, published world total 210 t (differ by -1.7%)');
  });

  it('--years and --materials leave values out with a reason', async () => {
    const result = await importUsgsMcs([usgs('cobal'), usgs('raree')], {
      years: { from: 2023, to: 2023 },
      select: (material) => (material === 'rare-earths' ? null : 'material not in --materials'),
    });
    expect(result.production.every((row) => row.material === 'rare-earths' && row.year === 2023)).toBe(true);
    expect(quantity(result, 'rare-earths', 'mining', 'CHN', 2023)).toBe(240000);
    expect(result.tally.skipped.get('year outside --years')).toBe(30); // 14 cobalt + 16 rare-earth rows, 2022
    expect(result.tally.skipped.get('material not in --materials')).toBe(14); // the 14 cobalt rows of 2023, world total included
  });

  it('refuses a file that is not a USGS world table', async () => {
    await expect(importUsgsMcs([importerFixture('wgi/API_PV.EST_excerpt.csv')])).rejects.toBeInstanceOf(InputError);
  });
});
