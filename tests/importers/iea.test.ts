import { describe, expect, it } from 'vitest';
import { importIea } from '../../src/input/importers/iea.js';
import { selection } from '../../src/input/importers/types.js';
import { importerFixture } from './helpers.js';

// excerpt.xlsx holds the real cells of the title, the year row, the cobalt block and the magnet
// rare earth block of sheet "2 Total supply for key minerals" (see make-excerpt.mjs beside it).
const EXCERPT = importerFixture('iea/excerpt.xlsx');

describe('iea importer', () => {
  it('reads both blocks of a row, 2023 only, kt to t, Rest of world as ZZZ', async () => {
    const result = await importIea([EXCERPT]);
    const get = (material: string, stage: string, country: string) =>
      result.production.find((row) => row.material === material && row.stage === stage && row.country === country);
    expect(get('cobalt', 'refining', 'CHN')).toEqual({
      material: 'cobalt', stage: 'refining', country: 'CHN', year: 2023, quantity: 171700, unit: 't',
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
});
