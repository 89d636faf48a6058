/**
 * The coverage trade rows imply (no coverage.csv): built straight from the years with rows into each
 * importer, it must be the index the explicit facts would give: imports and exports `full` for each
 * material, stage, importer and year with such a row.
 *
 * importYears: cobalt|mining|JPN {2021, 2019}, cobalt|refining|JPN {2020}, tin|mining|KOR {2020}.
 * So JPN's cobalt mining imports and exports are covered in 2019 and 2021 (not 2020), its cobalt
 * refining trade in 2020 only, KOR's tin mining trade in 2020; nothing else is.
 */
import { describe, expect, it } from 'vitest';
import type { CoverageFact } from '../../src/input/dataset.js';
import { TradeCoverage } from '../../src/input/coverage-index.js';

const importYears = new Map([
  ['cobalt|mining|JPN', new Set([2021, 2019])],
  ['cobalt|refining|JPN', new Set([2020])],
  ['tin|mining|KOR', new Set([2020])],
]);

function explicitFacts(): CoverageFact[] {
  const facts: CoverageFact[] = [];
  for (const [series, years] of importYears) {
    const [material = '', stage = 'mining', importer = ''] = series.split('|');
    for (const year of years) {
      for (const flow of ['import', 'export'] as const) {
        facts.push({ material, stage: stage as CoverageFact['stage'], importer, year, flow, extent: 'full', source: 'test' } as CoverageFact);
      }
    }
  }
  return facts;
}

describe('implied coverage', () => {
  const implied = TradeCoverage.of({ coverage: null, importYears });

  it('says what the rows say, and nothing more', () => {
    expect(implied.declared).toBe(false);
    expect(implied.extent('cobalt', 'mining', 'JPN', 2019, 'import')).toBe('full');
    expect(implied.extent('cobalt', 'mining', 'JPN', 2021, 'export')).toBe('full');
    expect(implied.extent('cobalt', 'mining', 'JPN', 2020, 'import')).toBeNull();
    expect(implied.extent('cobalt', 'refining', 'JPN', 2020, 'export')).toBe('full');
    expect(implied.extent('tin', 'mining', 'JPN', 2020, 'import')).toBeNull();
    expect(implied.years('cobalt', 'mining', 'JPN', 'import')).toEqual([2019, 2021]);
  });

  it('is the index the explicit facts give', () => {
    const { declared: _implied, ...fromRows } = implied.snapshot();
    const { declared: _declared, ...fromFacts } = TradeCoverage.of({ coverage: explicitFacts(), importYears: new Map() }).snapshot();
    expect(fromRows).toEqual(fromFacts);
  });
});
