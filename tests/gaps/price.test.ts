/**
 * The price of security: a plan's lines at trade unit values, and its premium. Fixture
 * tests/fixtures/price, worked by hand.
 *
 * Cobalt refining 2023; JPN is not among the listed producers (CHN 100, FIN 200, BEL 40, no
 * remainder), so it produced 0. Imports CHN 80 t (USD 2,000,000: 25,000/t), FIN 20 t (700,000:
 * 35,000/t). S = 100; CHN holds 80% > 65%: 15 t must move.
 * Candidates (redirect 25%, cap 65 t): FIN 0.25 x 200 = 50 (holds 20, room 30), BEL 0.25 x 40 = 10.
 * Water-filling 15 t: BEL rises to its 10 t cap, then FIN from 20 to 25: plan BEL 10, FIN 5; cut CHN 15.
 * Unit values: FIN what JPN pays it, 35,000/t; BEL sells only to KOR: 300,000 USD for the 10 t that
 * carry a value (the 5 t row without one is left out) = 30,000/t; CHN 25,000/t.
 * Premium = 5 x 35,000 + 10 x 30,000 - 15 x 25,000 = 100,000 USD.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { DEFAULT_POLICY } from '../../src/input/policy.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { sliceIndex } from '../../src/graph/slices.js';
import { analyse } from '../../src/metrics/analysis.js';
import { assess } from '../../src/metrics/gaps.js';
import { fixture } from '../helpers/cli.js';

describe('price of security', () => {
  it('prices the plan at trade unit values and gives its premium', async () => {
    const graph = buildSupplyGraph(await loadDataset(fixture('price')));
    const index = sliceIndex(graph);
    const analysis = analyse(graph, { importer: 'JPN' });
    const block = analysis.materials[0]?.stages.refining?.importer;
    expect(block?.unitValues?.meanImport).toBeCloseTo(2_700_000 / 100, 9);
    const { gaps } = assess(analysis, { policy: DEFAULT_POLICY, country: (code, year) => index.countryIn(code, year), today: '2026-01-01' });
    expect(gaps).toHaveLength(1);
    const gap = gaps[0];
    expect(gap?.plan).toEqual([
      { country: 'BEL', quantity: expect.closeTo(10, 9) },
      { country: 'FIN', quantity: expect.closeTo(5, 9) },
    ]);
    expect(gap?.price?.unitValues).toEqual({ BEL: 30_000, FIN: 35_000, CHN: 25_000 });
    expect(gap?.price?.premiumUsd).toBeCloseTo(100_000, 6);
  });
});
