import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBaci } from '../../src/importers/baci.js';
import { importComtrade } from '../../src/importers/comtrade.js';
import { loadHsMap } from '../../src/importers/hs-map.js';
import { resolveNumericCode } from '../../src/importers/numeric-codes.js';
import { countCoverageRows, countGrossRows, type CoverageRow } from '../../src/importers/types.js';

/**
 * A hand-made map: lithium refining has two codes (283691 carbonate, 282520 hydroxide), manganese
 * mining one (260200, 37% Mn, Gabon 46%), nickel mining one (750110 matte, a factor for Indonesia
 * only, 78% Ni).
 */
function handMade(): { dir: string; hsMap: string } {
  const dir = mkdtempSync(join(tmpdir(), 'supply-risk-coverage-'));
  const hsMap = join(dir, 'hs-codes.csv');
  writeFileSync(
    hsMap,
    [
      'hs6,material,stage,content_factor,description',
      '283691,lithium,refining,0.1879,carbonate',
      '282520,lithium,refining,0.1654,hydroxide',
      '260200,manganese,mining,0.37,ore',
      '750110,nickel,mining,,matte',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'content-factors.csv'), ['hs6,origin,content_factor,source', '260200,GAB,0.46,hand-made', '750110,IDN,0.78,hand-made'].join('\n'));
  return { dir, hsMap };
}

/**
 * Comtrade 2022 (numeric codes: 392 Japan, 152 Chile, 266 Gabon, 360 Indonesia, 246 Finland,
 * 410 Korea, 156 China, 36 Australia):
 *   JPN imports 1,000 t Li carbonate from CHL     -> 187.9 t Li
 *   JPN imports 2,000 t Mn ore from GAB           -> 920 t Mn (origin factor 0.46)
 *   JPN imports   100 t Ni matte from IDN         -> 78 t Ni
 *   JPN imports    50 t Ni matte from FIN         -> skipped: no factor for FIN, so JPN nickel mining is partial
 *   KOR imports    20 t Li carbonate from JPN     -> a row (JPN exports), but with --country JPN no coverage for KOR
 *   CHN imports 3,000 t Mn ore from AUS           -> 1,110 t Mn (benchmark 0.37)
 *   JPN export record (flow X) of Li carbonate    -> not an import declaration: no reporter seen from it
 * Codes in the file for 2022: 283691, 260200, 750110; 282520 (hydroxide) is missing.
 *
 * Expected coverage, --country JPN (only Japan's own declarations count):
 *   lithium refining JPN 2022 import partial   (282520 not in the file)
 *   manganese mining JPN 2022 import full      (its one code read, every flow converted)
 *   nickel mining    JPN 2022 import partial   (FIN's matte could not be converted)
 * Without --country, each reporter with an import record is covered: CHN and KOR get
 *   lithium partial, manganese full, nickel full (they imported no matte: covered, nothing imported).
 */
const COMTRADE = [
  'year,reporter,partner,cmd,flow,value,netwgt',
  '2022,392,152,283691,M,100,1000000',
  '2022,392,266,260200,M,50,2000000',
  '2022,392,360,750110,M,70,100000',
  '2022,392,246,750110,M,10,50000',
  '2022,410,392,283691,M,5,20000',
  '2022,156,36,260200,M,60,3000000',
  '2022,392,410,283691,X,5,20000',
].join('\n');

const text = (rows: readonly CoverageRow[]): string[] =>
  rows.map((row) => `${row.material} ${row.stage} ${row.importer} ${row.year} ${row.flow} ${row.extent}`).sort();

describe('coverage written by the trade importers', () => {
  it('Comtrade: a reporter covers its own imports; a filtered country as exporter grants none', async () => {
    const { dir, hsMap } = handMade();
    const path = join(dir, 'comtrade_2022.csv');
    writeFileSync(path, COMTRADE);
    const map = await loadHsMap(hsMap);

    const japan = await importComtrade([path], { hsMap: map, country: 'JPN' });
    expect(text(japan.coverage)).toEqual([
      'lithium refining JPN 2022 import partial',
      'manganese mining JPN 2022 import full',
      'nickel mining JPN 2022 import partial',
    ]);
    expect(japan.coverage.every((row) => row.source === 'UN Comtrade, comtrade_2022.csv')).toBe(true);
    // The rows: contained tonnes, with the origin factors; KOR's import from Japan is a row but no coverage.
    const quantity = (exporter: string, importer: string, material: string) =>
      japan.trade.find((row) => row.exporter === exporter && row.importer === importer && row.material === material)?.quantity;
    expect(quantity('CHL', 'JPN', 'lithium')).toBe(187.9);
    expect(quantity('GAB', 'JPN', 'manganese')).toBe(920);
    expect(quantity('IDN', 'JPN', 'nickel')).toBe(78);
    expect(quantity('FIN', 'JPN', 'nickel')).toBeUndefined();
    expect(quantity('JPN', 'KOR', 'lithium')).toBe(3.758);
    expect(japan.tally.skipped.get('no content factor for this origin (content-factors.csv); the coverage is marked partial')).toBe(1);
    // The audit: every converted flow with both weights.
    expect(japan.gross.find((row) => row.exporter === 'GAB')).toMatchObject({ hs6: '260200', grossQuantity: 2000, factor: 0.46, containedQuantity: 920 });
    expect(japan.gross).toHaveLength(4);

    const all = await importComtrade([path], { hsMap: map });
    expect(text(all.coverage)).toEqual([
      'lithium refining CHN 2022 import partial',
      'lithium refining JPN 2022 import partial',
      'lithium refining KOR 2022 import partial',
      'manganese mining CHN 2022 import full',
      'manganese mining JPN 2022 import full',
      'manganese mining KOR 2022 import full',
      'nickel mining CHN 2022 import full',
      'nickel mining JPN 2022 import partial',
      'nickel mining KOR 2022 import full',
    ]);
  });

  it('BACI: each importer of a year read is covered, full for the codes the file holds', async () => {
    const { dir, hsMap } = handMade();
    // BACI codes: 392 Japan, 266 Gabon, 36 Australia, 360 Indonesia, 246 Finland, 156 China.
    //   JPN <- GAB Mn ore, JPN <- IDN matte, CHN <- FIN matte (no factor: CHN nickel partial), CHN <- AUS Mn ore.
    // No lithium code in the file: no lithium coverage. JPN: manganese full, nickel full; CHN:
    // manganese full, nickel partial. With --country JPN only Japan's rows.
    // BACI holds every pair, so each exporter seen in 2024 (AUS, FIN, GAB, IDN) has its exports of
    // both materials covered (a covered country with no rows exported nothing), full except FIN's
    // nickel: its matte had no factor.
    const path = join(dir, 'BACI_HS17_Y2024_hand.csv');
    writeFileSync(
      path,
      ['t,i,j,k,v,q', '2024,266,392,260200,10,100', '2024,360,392,750110,10,10', '2024,246,156,750110,10,5', '2024,36,156,260200,10,200'].join('\n'),
    );
    const map = await loadHsMap(hsMap);
    const all = await importBaci([path], { hsMap: map }, { threads: false });
    expect(text(all.coverage)).toEqual([
      'manganese mining AUS 2024 export full',
      'manganese mining CHN 2024 import full',
      'manganese mining FIN 2024 export full',
      'manganese mining GAB 2024 export full',
      'manganese mining IDN 2024 export full',
      'manganese mining JPN 2024 import full',
      'nickel mining AUS 2024 export full',
      'nickel mining CHN 2024 import partial',
      'nickel mining FIN 2024 export partial',
      'nickel mining GAB 2024 export full',
      'nickel mining IDN 2024 export full',
      'nickel mining JPN 2024 import full',
    ]);
    // The rows are made only when read; the summary counts them without making them.
    expect(countCoverageRows(all)).toBe(12);
    // Gross weights of the converted flows: GAB's 100 t of ore at 0.46 = 46 t Mn, IDN's 10 t of matte
    // at 0.78 = 7.8 t Ni, AUS's 200 t of ore at 0.37 = 74 t Mn; FIN's matte (no factor) was skipped.
    expect(countGrossRows(all)).toBe(3);
    expect(all.gross.map((row) => [row.exporter, row.importer, row.grossQuantity, row.factor, row.containedQuantity]).sort()).toEqual([
      ['AUS', 'CHN', 200, 0.37, 74],
      ['GAB', 'JPN', 100, 0.46, 46],
      ['IDN', 'JPN', 10, 0.78, 7.8],
    ]);
    const japan = await importBaci([path], { hsMap: map, country: 'JPN' }, { threads: false });
    expect(text(japan.coverage)).toEqual(['manganese mining JPN 2024 import full', 'nickel mining JPN 2024 import full']);
    expect(countCoverageRows(japan)).toBe(2);
    const row = all.trade.find((flow) => flow.exporter === 'GAB');
    expect(row?.quantity).toBe(46);
  });
});

describe('coverage of a large import', () => {
  it('BACI: hundreds of thousands of coverage rows (every importer, year and material)', async () => {
    // 40 years x 150 importers x 30 materials: each year every importer imports one code, so that
    // each code is in the file every year and each importer is seen every year. Coverage: one
    // import row per (year, importer, material) = 180,000, plus export rows for the exporters (each
    // importer also exports: 180,000 more). Written one row at a time: a single push(...rows) of
    // that many arguments overflowed the call stack (a RangeError, "internal error" at the CLI).
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-coverage-large-'));
    const hsMap = join(dir, 'hs-codes.csv');
    const codes = Array.from({ length: 30 }, (_, k) => String(810100 + k));
    writeFileSync(hsMap, ['hs6,material,stage,content_factor,description', ...codes.map((code, k) => `${code},m${k},mining,1,synthetic`)].join('\n'));
    // 150 numeric codes of distinct countries, as the BACI reader resolves them.
    const seen = new Set<string>();
    const numeric = Object.keys((createRequire(import.meta.url)('i18n-iso-countries') as { getNumericCodes(): Record<string, string> }).getNumericCodes())
      .filter((code) => {
        const match = resolveNumericCode(code);
        if (match.kind !== 'country' || seen.has(match.code)) return false;
        seen.add(match.code);
        return true;
      })
      .slice(0, 150);
    expect(numeric).toHaveLength(150);
    const lines = ['t,i,j,k,v,q'];
    for (let year = 1985; year < 2025; year += 1) {
      numeric.forEach((importer, k) => lines.push(`${year},${numeric[(k + 1) % numeric.length]},${importer},${codes[k % codes.length]},1,1`));
    }
    const path = join(dir, 'BACI_HS92_large.csv');
    writeFileSync(path, lines.join('\n'));
    const result = await importBaci([path], { hsMap: await loadHsMap(hsMap) }, { threads: false });
    expect(countCoverageRows(result)).toBe(2 * 40 * 150 * 30);
    const imports = result.coverage.filter((row) => row.flow === 'import');
    expect(imports).toHaveLength(40 * 150 * 30);
    expect(result.coverage).toHaveLength(2 * 40 * 150 * 30);
    expect(result.trade).toHaveLength(40 * 150);
  });
});
