import { describe, expect, it } from 'vitest';
import { loadHsMap } from '../../src/importers/hs-map.js';
import { importItcTradeMap } from '../../src/importers/itc-trademap.js';
import { importerFixture, HS_MAP } from './helpers.js';

// Real ITC Trade Map downloads (tab-separated, BOM, quoted names, empty cells, trailing tab).
const CARBONATE = importerFixture('itc/283691_Li_Carbonates/Trade_Map_-_List_of_supplying_markets_for_a_product_imported_by_Japan.txt');
const HYDROXIDE = importerFixture('itc/282520_Li_O-OH/Trade_Map_-_List_of_supplying_markets_for_a_product_imported_by_Japan.txt');
const MN_EXPORTS = importerFixture('itc/260200_Manganese_ores_and_concentrates/Trade_Map_-_List_of_importing_markets_for_a_product_exported_by_Japan.txt');

describe('itc-trademap importer', () => {
  it('turns imports by supplier into contained lithium with the HS map factors', async () => {
    const result = await importItcTradeMap([CARBONATE, HYDROXIDE], { hsMap: await loadHsMap(HS_MAP) });
    const find = (exporter: string, year: number, hs: string) =>
      result.trade.find((row) => row.exporter === exporter && row.year === year && row.source.includes(`HS ${hs}`));
    // Chile 2021: 15,079 t of Li2CO3 x 0.1879 = 2,833.3441 t Li
    expect(find('CHL', 2021, '283691')).toMatchObject({
      importer: 'JPN',
      material: 'lithium',
      stage: 'refining',
      quantity: 2833.3441,
      unit: 't',
      valueUsd: null,
    });
    // China 2021: 27,425 t of LiOH.H2O x 0.1654 = 4,536.095 t Li
    expect(find('CHN', 2021, '282520')?.quantity).toBe(4536.095);
    // "Korea, Republic of" and "United States of America" are ITC names
    expect(find('KOR', 2018, '283691')?.quantity).toBe(2.4427); // 13 t x 0.1879
    expect(find('USA', 2020, '283691')).toBeUndefined(); // empty cell
    expect(result.trade.every((row) => row.importer === 'JPN')).toBe(true);
    expect(result.tally.skipped.get('"World" row (a total, not a partner; used to check the sums)')).toBe(10);
    expect(result.notes).toEqual([]); // the partners add up to "World" in every year
  });

  it('reads an exports table (Japan as exporter) and a column with no unit', async () => {
    const result = await importItcTradeMap([MN_EXPORTS], { hsMap: await loadHsMap(HS_MAP) });
    // 2018: China 6,979 t of manganese ore; every other cell is empty or 0. Ore from Japan has no
    // origin factor, so the 37% Mn benchmark of hs-codes.csv applies: 2,582.23 t Mn.
    expect(result.trade).toEqual([
      {
        material: 'manganese',
        stage: 'mining',
        exporter: 'JPN',
        importer: 'CHN',
        year: 2018,
        quantity: 2582.23,
        unit: 't',
        valueUsd: null,
        source: 'ITC Trade Map, HS 260200, exports of JPN',
      },
    ]);
    expect(result.gross).toEqual([
      {
        hs6: '260200',
        material: 'manganese',
        stage: 'mining',
        exporter: 'JPN',
        importer: 'CHN',
        year: 2018,
        grossQuantity: 6979,
        factor: 0.37,
        containedQuantity: 2582.23,
        source: 'ITC Trade Map, HS 260200, exports of JPN',
      },
    ]);
    // The table covers Japan's exports of manganese ore, every year it has a column for.
    expect(result.coverage.map((row) => `${row.material} ${row.stage} ${row.importer} ${row.year} ${row.flow} ${row.extent}`)).toEqual(
      [2017, 2018, 2019, 2020, 2021].map((year) => `manganese mining JPN ${year} export full`),
    );
    expect(result.notes[0]).toContain('column 2019 has no unit; taken as "tons"');
    expect(result.tally.skipped.get('zero quantity (no row needed)')).toBe(4);
  });

  it('skips a product the HS map does not have, with the reason', async () => {
    const result = await importItcTradeMap([CARBONATE], { hsMap: new Map() });
    expect(result.trade).toEqual([]);
    expect(result.tally.skipped.get('HS 283691 is not in the HS map')).toBe(45); // 9 rows x 5 years
  });
});
