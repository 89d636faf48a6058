import { describe, expect, it } from 'vitest';
import { importBaci } from '../../src/importers/baci.js';
import { importComtrade } from '../../src/importers/comtrade.js';
import { loadHsMap } from '../../src/importers/hs-map.js';
import type { TradeRow } from '../../src/importers/types.js';
import { InputError } from '../../src/domain/problems.js';
import { importerFixture, HS_MAP } from './helpers.js';

/**
 * ZAF's share of Japan's 2024 manganese ore in contained Mn (BACI extract): ZAF at 37%, GAB 46%,
 * AUS 44%, the rest at the 37% benchmark; it was 66.8% of the gross tonnes.
 */
const ZAF_MN_SHARE = 0.621;

const flow = (rows: readonly TradeRow[], exporter: string, importer: string, material?: string) =>
  rows.find((row) => row.exporter === exporter && row.importer === importer && (material === undefined || row.material === material));

describe('comtrade importer', () => {
  // 24 real lines of comtrade_2022.csv.gz: Japan's cobalt-oxide imports and exports, a World row, an
  // unmapped code, one line repeated four times and one repeated twice (as in the extract).
  it('keeps import records only, drops exact duplicates, maps 490 to Taiwan and 842 to the USA', async () => {
    const result = await importComtrade([importerFixture('comtrade/comtrade_2022_excerpt.csv')], { hsMap: await loadHsMap(HS_MAP), country: 'JPN' });
    expect(result.tally.read).toBe(24);
    expect(result.tally.kept).toBe(9);
    expect(result.tally.skipped.get('exact duplicate of an earlier line')).toBe(4);
    expect(result.tally.skipped.get('flow X: only import records (M) are used, so no flow is counted twice')).toBe(8);
    // Two World rows: 282200 and 251010 (phosphate rock, mapped since Japan's ores were added).
    expect(result.tally.skipped.get('partner is the World (a total, not a flow)')).toBe(2);
    expect(result.tally.skipped.get('HS code not in the HS map')).toBeUndefined();
    expect(result.tally.skipped.get('neither exporter nor importer is JPN (--country)')).toBe(1);
    // 327,404 kg of cobalt oxides from "Other Asia, nes" (490), as cobalt at 0.634 (Co(OH)2): 207.574136 t
    expect(flow(result.trade, 'TWN', 'JPN')).toMatchObject({
      material: 'cobalt',
      stage: 'refining',
      year: 2022,
      quantity: 207.574136,
      unit: 't',
      valueUsd: 16433213,
    });
    expect(flow(result.trade, 'FIN', 'JPN')?.quantity).toBe(232.6146); // 366.9 t of product
    expect(flow(result.trade, 'USA', 'JPN')?.quantity).toBe(0.023458); // 0.037 t
    expect(flow(result.trade, 'IND', 'JPN')?.quantity).toBe(0.00634); // 699, 0.01 t
    // Japan's exports come from the partner's import record: Korea (410) imported 80,720.93 kg.
    expect(flow(result.trade, 'JPN', 'KOR')?.quantity).toBe(51.17707);
    // The gross weights are kept for audit.
    expect(result.gross.find((row) => row.exporter === 'TWN')).toMatchObject({
      hs6: '282200',
      grossQuantity: 327.404,
      factor: 0.634,
      containedQuantity: 207.574136,
    });
    // Bulgaria's platinum from Japan: 0.126 kg, once although the line is there four times.
    expect(flow(result.trade, 'JPN', 'BGR', 'platinum')?.quantity).toBe(0.000126);
  });

  // The 2024 extract has no year column: the year comes from the file name (or --years).
  it('reads a gzip file without a year column and converts lithium carbonate to lithium', async () => {
    const result = await importComtrade([importerFixture('comtrade/comtrade_2024_excerpt.csv.gz')], { hsMap: await loadHsMap(HS_MAP) });
    expect(result.trade.every((row) => row.year === 2024 && row.importer === 'JPN' && row.material === 'lithium')).toBe(true);
    // Chile 5,143,194 kg of Li2CO3 x 0.1879 = 966.406153 t Li
    expect(flow(result.trade, 'CHL', 'JPN')?.quantity).toBe(966.406153);
    // The seven partners add up to the World row: 11,519,780 kg of product.
    const product = result.trade.reduce((sum, row) => sum + row.quantity, 0) / 0.1879;
    expect(product).toBeCloseTo(11519.78, 3);
    expect(result.notes).toContain('comtrade_2024_excerpt.csv.gz: no year column; year 2024 taken from the file name');
  });

  it('asks for --years when neither a column nor the file name gives the year', async () => {
    const { mkdtempSync, copyFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-ct-'));
    const path = join(dir, 'japan_extract.csv.gz');
    copyFileSync(importerFixture('comtrade/comtrade_2024_excerpt.csv.gz'), path);
    await expect(importComtrade([path], { hsMap: await loadHsMap(HS_MAP) })).rejects.toBeInstanceOf(InputError);
    const result = await importComtrade([path], { hsMap: await loadHsMap(HS_MAP), years: { from: 2024, to: 2024 } });
    expect(result.trade).toHaveLength(7);
  });
});

describe('baci importer', () => {
  // Lines in BACI's t,i,j,k,v,q layout made from real 2024 rows of the BACI extract (numeric codes
  // from BACI's country list: 152 Chile, 32 Argentina, 156 China, 410 Korea, 251 France, 208 Denmark).
  it('reads the CSV layout: numeric codes, thousand USD, tonnes, NA quantities', async () => {
    const hsMap = await loadHsMap(HS_MAP);
    const all = await importBaci([importerFixture('baci/BACI_HS17_Y2024_excerpt.csv')], { hsMap });
    expect(all.tally.read).toBe(11);
    expect(all.tally.skipped.get('HS code not in the HS map')).toBeUndefined(); // 850511 magnets are mapped
    expect(all.tally.skipped.get('no quantity (net weight missing)')).toBe(1); // France -> Denmark, NA
    // Magnets (850511) stay in tonnes of magnet at the magnet stage: 3,714.509 t from China, 156,879.57 thousand USD.
    expect(flow(all.trade, 'CHN', 'JPN', 'rare-earths')).toMatchObject({ stage: 'magnet', quantity: 3714.509, unit: 't gross', valueUsd: 156879570 });
    // 5,945.361 t of Li2CO3 x 0.1879 = 1,117.133332 t Li, worth 108,342.787 thousand USD
    expect(flow(all.trade, 'CHL', 'JPN')).toMatchObject({ quantity: 1117.133332, valueUsd: 108342787, year: 2024 });
    expect(flow(all.trade, 'CHL', 'KOR')?.quantity).toBe(3927.591776); // 20,902.564 x 0.1879
    const japan = await importBaci([importerFixture('baci/BACI_HS17_Y2024_excerpt.csv')], { hsMap, country: 'JPN' });
    expect(
      japan.trade
        .filter((row) => row.material === 'lithium')
        .map((row) => row.exporter)
        .sort(),
    ).toEqual(['ARG', 'CHL', 'CHN']);
    expect(
      japan.trade
        .filter((row) => row.material === 'rare-earths')
        .map((row) => row.exporter)
        .sort(),
    ).toEqual(['CHN', 'MYS', 'PHL', 'THA', 'VNM']);
  });

  it('reads the Parquet extract: Japan 2024, Chile 48% of lithium carbonate, China 98% of graphite', async () => {
    const result = await importBaci([importerFixture('baci/trade.parquet')], { hsMap: await loadHsMap(HS_MAP), country: 'JPN' });
    expect(result.tally.read).toBe(21723);
    const share = (material: string, exporter: string): number => {
      const rows = result.trade.filter((row) => row.importer === 'JPN' && row.material === material);
      const total = rows.reduce((sum, row) => sum + row.quantity, 0);
      return (rows.find((row) => row.exporter === exporter)?.quantity ?? 0) / total;
    };
    expect(share('lithium', 'CHL')).toBeCloseTo(0.482, 3);
    expect(share('graphite', 'CHN')).toBeCloseTo(0.984, 3);
    expect(share('manganese', 'ZAF')).toBeCloseTo(ZAF_MN_SHARE, 3);
    // S19 is BACI's code for Taiwan
    expect(flow(result.trade, 'TWN', 'JPN', 'cobalt')?.unit).toBe('t');
  });
});
