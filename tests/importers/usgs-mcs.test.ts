import { describe, expect, it } from 'vitest';
import { importUsgsMcs } from '../../src/importers/usgs-mcs.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ImportResult, ProductionRow } from '../../src/importers/types.js';
import { writeResult } from '../../src/importers/writer.js';
import { isWithheldRow, productionFields } from '../../src/importers/contract-csv.js';
import { InputError } from '../../src/domain/problems.js';
import { importerFixture } from './helpers.js';

// The fixtures are the real MCS 2024 world tables, copied byte for byte.
const usgs = (code: string): string => importerFixture(`usgs/mcs2024-${code}_world.csv`);

function row(result: ImportResult, material: string, stage: string, country: string, year: number): ProductionRow | undefined {
  return result.production.find((found) => found.material === material && found.stage === stage && found.country === country && found.year === year);
}

function quantity(result: ImportResult, material: string, stage: string, country: string, year: number): number | undefined {
  const found = row(result, material, stage, country, year);
  return found && !isWithheldRow(found) ? found.quantity : undefined;
}

function total(result: ImportResult, material: string, stage: string, year: number): number {
  return result.production.filter((row) => row.material === material && row.stage === stage && row.year === year).reduce((sum, row) => sum + row.quantity, 0);
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
    expect(result.notes).toContain('mcs2024-cobal_world.csv: cobalt mining 2023: rows sum to 229300 t, published world total 230000 t (match)');
    expect(result.production.every((row) => row.unit === 't' && row.source === 'USGS MCS 2024, mcs2024-cobal_world.csv')).toBe(true);
  });

  it('lithium: U.S. withheld (W) kept as withheld rows, zero "Other countries6", padding rows, and the total that excludes the U.S.', async () => {
    const result = await importUsgsMcs([usgs('lithi')]);
    expect(result.tally.read).toBe(22);
    // 8 countries x 2 years with figures, and the U.S. W of 2022 and 2023 as withheld rows.
    expect(result.tally.kept).toBe(18);
    expect(result.tally.skipped.get('withheld to avoid disclosing company proprietary data (W)')).toBeUndefined();
    expect(result.tally.skipped.get('zero production (no row needed)')).toBe(2);
    const usa = row(result, 'lithium', 'mining', 'USA', 2023);
    expect(usa && isWithheldRow(usa)).toBe(true);
    expect(usa && productionFields(usa)).toEqual(['lithium', 'mining', 'USA', '2023', 'W', 't', 'USGS MCS 2024, mcs2024-lithi_world.csv']);
    expect(quantity(result, 'lithium', 'mining', 'AUS', 2023)).toBe(86000);
    expect(quantity(result, 'lithium', 'mining', 'CHL', 2023)).toBe(44000);
    expect(quantity(result, 'lithium', 'mining', 'CHN', 2023)).toBe(33000);
    // 9600+86000+4900+3400+44000+33000+380+3400 = 184,680 against a published 180,000 (rounded, excludes the U.S.)
    expect(total(result, 'lithium', 'mining', 2023)).toBe(184680);
    expect(result.notes).toContain('mcs2024-lithi_world.csv: 15 empty padding rows ignored');
    expect(result.notes).toContain(
      'mcs2024-lithi_world.csv: lithium mining 2023: rows sum to 184680 t (USA withheld), published world total 180000 t (differ by 2.6%)',
    );
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

  it('refuses a file that is not a USGS world table, naming the layouts it expected', async () => {
    const refused = importUsgsMcs([importerFixture('wgi/API_PV.EST_excerpt.csv')]);
    await expect(refused).rejects.toBeInstanceOf(InputError);
    await expect(importUsgsMcs([importerFixture('wgi/API_PV.EST_excerpt.csv')])).rejects.toThrow(
      /unknown header .*MCS 2024 per-commodity world table .*MCS 2025 world data .*MCS 2026 commodities data/,
    );
  });
});

// Byte-for-byte copies of real MCS 2024 world tables (whole files) and of rows of the MCS 2025 world
// data (UTF-8 with BOM, CRLF) and of the MCS 2026 commodities data (Windows-1252, CRLF).
const mcs2025 = importerFixture('usgs/MCS2025_World_Data_excerpt.csv');
const mcs2026 = importerFixture('usgs/MCS2026_Commodities_Data_excerpt.csv');

describe('usgs-mcs importer: commodities added to the map (MCS 2024)', () => {
  it('chromium: "Mne production" (sic) of marketable chromite ore, kt gross weight to t', async () => {
    const result = await importUsgsMcs([usgs('chrom')]);
    expect(quantity(result, 'chromium', 'mining', 'ZAF', 2023)).toBe(18000000); // 18000 kt
    expect(quantity(result, 'chromium', 'mining', 'KAZ', 2022)).toBe(6000000);
    expect(row(result, 'chromium', 'mining', 'USA', 2023)).toBeUndefined(); // 0 kt
    // 2000+4200+6000+18000+6000+5200 = 41,400 kt against a published 41,000 (rounded)
    expect(total(result, 'chromium', 'mining', 2023)).toBe(41400000);
  });

  it('titanium mineral concentrates: ilmenite and rutile (kt TiO2) added up per country as USGS totals them', async () => {
    const result = await importUsgsMcs([usgs('timin')]);
    expect(quantity(result, 'titanium', 'mining', 'AUS', 2023)).toBe(600000); // ilmenite 400 + rutile 200 kt
    expect(quantity(result, 'titanium', 'mining', 'CHN', 2023)).toBe(3100000); // ilmenite only
    expect(quantity(result, 'titanium', 'mining', 'USA', 2023)).toBe(200000); // rutile "included with ilmenite"
    expect(result.tally.skipped.get('not a number')).toBe(2);
    // Checked against the combined total (9,200 kt), not the ilmenite (8,600) or rutile (560) one:
    // ilmenite 200+400+54+500+3100+210+140+320+1600+430+340+1000+60+140+110 = 8,604, rutile 200+13+58+9+8+110+100+50+10 = 558.
    expect(result.notes).toContain('mcs2024-timin_world.csv: titanium mining 2023: rows sum to 9162000 t, published world total 9200000 t (match)');
    expect(result.notes).toContain("mcs2024-timin_world.csv: ilmenite and rutile rows of one country are added up (as in USGS's world total)");
  });

  it('magnesite: the MCS 2024 table (contained MgO) is refused, the later editions give gross weight; germanium: the U.S. W kept, NA dropped', async () => {
    const result = await importUsgsMcs([usgs('mgcomp'), usgs('germa')]);
    expect(result.production.filter((found) => found.material === 'magnesite')).toEqual([]);
    expect([...result.tally.skipped.keys()].some((reason) => reason.startsWith('MCS 2024 gives magnesite as contained MgO'))).toBe(true);
    // Germanium: every country NA (dropped: no figure), the U.S. W in 2022 and 2023 (kept, withheld).
    expect(result.production.map((found) => productionFields(found).slice(0, 5).join(','))).toEqual([
      'germanium,refining,USA,2022,W',
      'germanium,refining,USA,2023,W',
    ]);
    expect(result.tally.skipped.get('not available (NA)')).toBe(12); // 6 countries x 2 years
  });
});

describe('usgs-mcs importer: MCS 2025 world data (unit column, "PROD_EST_ 2024", W in the notes)', () => {
  it('lithium 2024: country rows 235,380 t with the U.S. withheld ("W for 23-24" on a blank row)', async () => {
    const result = await importUsgsMcs([mcs2025]);
    // 18000+88000+10000+4300+49000+41000+2700+380+22000 = 235,380 against a published 240,000 (excludes the U.S.)
    expect(total(result, 'lithium', 'mining', 2024)).toBe(235380);
    // 8630+91700+5260+3240+41400+35700+2700+380+14900 = 203,910 against 204,000
    expect(total(result, 'lithium', 'mining', 2023)).toBe(203910);
    expect(quantity(result, 'lithium', 'mining', 'AUS', 2024)).toBe(88000);
    const usa = row(result, 'lithium', 'mining', 'USA', 2024);
    expect(usa && productionFields(usa)).toEqual(['lithium', 'mining', 'USA', '2024', 'W', 't', 'USGS MCS 2025, MCS2025_World_Data_excerpt.csv']);
    expect(usa && isWithheldRow(row(result, 'lithium', 'mining', 'USA', 2023) ?? usa)).toBe(true);
    expect(row(result, 'lithium', 'mining', 'ZZZ', 2024)).toBeUndefined(); // "Other Countries": blank, no W note
    expect(result.notes).toContain(
      'MCS2025_World_Data_excerpt.csv: lithium mining 2024: rows sum to 235380 t (USA withheld), published world total 240000 t (differ by -1.9%)',
    );
  });

  it('cobalt, silicon metal (kt), germanium (blank) and the titanium concentrates whose unit column is wrong', async () => {
    const result = await importUsgsMcs([mcs2025]);
    // The U.S. cobalt row is typed "Mine production, estimated", the others "..., cobalt content, estimated".
    expect(quantity(result, 'cobalt', 'mining', 'USA', 2024)).toBe(300);
    expect(quantity(result, 'cobalt', 'mining', 'COD', 2024)).toBe(220000);
    // 300+3600+4500+220000+3500+28000+2600+1500+2800+3800+8700+2700+6200 = 288,200 (published 290,000)
    expect(total(result, 'cobalt', 'mining', 2024)).toBe(288200);
    expect(quantity(result, 'silicon', 'refining', 'CHN', 2024)).toBe(3900000); // 3900 thousand metric tons
    expect(row(result, 'silicon', 'refining', 'USA', 2023) && isWithheldRow(row(result, 'silicon', 'refining', 'USA', 2023) as ProductionRow)).toBe(true);
    expect(result.production.some((found) => found.material === 'germanium' || found.material === 'titanium')).toBe(false);
    const titanium = [...result.tally.skipped.entries()].find(([reason]) => reason.startsWith('MCS 2025 gives titanium mineral concentrates in "metric tons"'));
    expect(titanium?.[1]).toBe(8); // 4 rows x 2 years
    // 57 rows x 2 years: 14 cobalt, 8 germanium, 12 lithium, 19 silicon metal and 4 titanium rows.
    expect(result.tally.read).toBe(114);
    expect(result.production.every((found) => found.unit === 't' && found.source === 'USGS MCS 2025, MCS2025_World_Data_excerpt.csv')).toBe(true);
  });
});

describe('usgs-mcs importer: MCS 2026 commodities data (Windows-1252, long format)', () => {
  it('lithium 2024 revised to 222,970 t and 2025 estimates; only world production rows are read', async () => {
    const result = await importUsgsMcs([mcs2026]);
    // 13800+82700+10200+4820+48900+41400+770+380+20000 = 222,970 (published 222,000, excludes the U.S.)
    expect(total(result, 'lithium', 'mining', 2024)).toBe(222970);
    // 23000+92000+12000+5600+56000+62000+9400+380+28000 = 288,380 (published 290,000)
    expect(total(result, 'lithium', 'mining', 2025)).toBe(288380);
    expect(quantity(result, 'lithium', 'mining', 'AUS', 2024)).toBe(82700); // "82,700"
    expect(row(result, 'lithium', 'mining', 'USA', 2025) && isWithheldRow(row(result, 'lithium', 'mining', 'USA', 2025) as ProductionRow)).toBe(true);
    // The U.S. salient statistics (a W of 2021 among them) and a reserves row are not world production.
    expect(row(result, 'lithium', 'mining', 'USA', 2021)).toBeUndefined();
    expect(result.tally.skipped.get('not a world production row (U.S. salient statistics, import sources, reserves or capacity)')).toBe(4);
    expect(result.notes).toContain('MCS2026_Commodities_Data_excerpt.csv: not UTF-8; read as Windows-1252 (the encoding of the MCS 2026 data file)');
  });

  it('cobalt (DR Congo), gallium in kg, "Côte d’Ivoire" decoded from cp1252, "—" as zero, ilmenite + rutile', async () => {
    const result = await importUsgsMcs([mcs2026]);
    expect(quantity(result, 'cobalt', 'mining', 'COD', 2024)).toBe(226000);
    expect(quantity(result, 'cobalt', 'mining', 'COD', 2025)).toBe(230000);
    // 200+4780+3350+2000+226000+3450+35000+3100+2630+3100+8000+2200+7780 = 301,590 (published 302,000)
    expect(total(result, 'cobalt', 'mining', 2024)).toBe(301590);
    expect(quantity(result, 'gallium', 'refining', 'CHN', 2024)).toBe(839); // 839,000 kg
    expect(quantity(result, 'gallium', 'refining', 'CHN', 2025)).toBe(900);
    expect(row(result, 'gallium', 'refining', 'USA', 2024)).toBeUndefined(); // "—"
    // "—": gallium of the U.S. and of other countries, and lithium of other countries, 2024 and 2025.
    expect(result.tally.skipped.get('zero (\u2014)')).toBe(6);
    expect(quantity(result, 'manganese', 'mining', 'CIV', 2024)).toBe(340000); // 340 thousand metric tons
    // Ilmenite 600 + rutile 200 kt (Australia); the U.S. rutile "s" (included with ilmenite) is skipped.
    expect(quantity(result, 'titanium', 'mining', 'AUS', 2024)).toBe(800000);
    expect(quantity(result, 'titanium', 'mining', 'USA', 2024)).toBe(100000);
    expect(result.notes).toContain(
      'MCS2026_Commodities_Data_excerpt.csv: titanium mining 2024: rows sum to 9678000 t, published world total 9680000 t (match)',
    );
    expect(result.production.every((found) => found.source === 'USGS MCS 2026, MCS2026_Commodities_Data_excerpt.csv')).toBe(true);
  });
});

describe('usgs-mcs editions: the newer edition wins for each material, stage and year', () => {
  it('MCS 2024, 2025 and 2026 imported in turn: 2022 from 2024, 2023 from 2025, 2024 and 2025 from 2026; an older edition after a newer is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-usgs-editions-'));
    await writeResult(dir, await importUsgsMcs([usgs('lithi')]));
    await writeResult(dir, await importUsgsMcs([mcs2025]));
    const [report] = await writeResult(dir, await importUsgsMcs([mcs2026]));
    const lithium = (parse(readFileSync(join(dir, 'production.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).filter(
      (found) => found.material === 'lithium',
    );
    const at = (country: string, year: string) => lithium.find((found) => found.country === country && found.year === year);
    expect(at('AUS', '2022')).toMatchObject({ quantity: '74700', source: 'USGS MCS 2024, mcs2024-lithi_world.csv' });
    expect(at('AUS', '2023')).toMatchObject({ quantity: '91700', source: 'USGS MCS 2025, MCS2025_World_Data_excerpt.csv' }); // 86,000 in MCS 2024
    expect(at('AUS', '2024')).toMatchObject({ quantity: '82700', source: 'USGS MCS 2026, MCS2026_Commodities_Data_excerpt.csv' }); // 88,000 in MCS 2025
    expect(at('AUS', '2025')).toMatchObject({ quantity: '92000', source: 'USGS MCS 2026, MCS2026_Commodities_Data_excerpt.csv' });
    // Namibia is in MCS 2025's 2024 rows but not in MCS 2026's: the whole 2024 slice is the newer edition's.
    expect(at('NAM', '2024')).toBeUndefined();
    expect(at('NAM', '2023')?.source).toBe('USGS MCS 2025, MCS2025_World_Data_excerpt.csv');
    // The withheld U.S. rows follow the same rule: one per year, from the edition that wins.
    expect(lithium.filter((found) => found.country === 'USA').map((found) => `${found.year} ${found.quantity} ${(found.source ?? '').slice(0, 13)}`)).toEqual([
      '2022 W USGS MCS 2024',
      '2023 W USGS MCS 2025',
      '2024 W USGS MCS 2026',
      '2025 W USGS MCS 2026',
    ]);
    // Sum of the 2024 rows: MCS 2026's 222,970 t, not MCS 2025's 235,380 t.
    expect(lithium.filter((found) => found.year === '2024' && found.quantity !== 'W').reduce((sum, found) => sum + Number(found.quantity), 0)).toBe(222970);
    expect(report?.file).toBe('production.csv');
    await expect(writeResult(dir, await importUsgsMcs([mcs2025]))).rejects.toThrow(/already given by "USGS MCS 2026, .*", a newer edition/);
  });
});
