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
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { sliceIndex } from '../../src/graph/slices.js';
import { analyse } from '../../src/metrics/analysis.js';
import { assess, planPrice } from '../../src/metrics/gaps.js';
import { fixture, runCli } from '../helpers/cli.js';

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
    expect(gap?.price?.sources).toEqual({ BEL: 'exports', FIN: 'imports', CHN: 'imports' });
    expect(gap?.price?.reason).toBeNull();
  });

  it('leaves the premium unknown (null, with the reason) when a unit value is missing', () => {
    const values = { importsFrom: new Map([['CHN', 25_000]]), exportsOf: new Map([['FIN', 35_000]]), meanImport: 25_000 };
    const price = planPrice(
      {
        plan: [
          { country: 'FIN', quantity: 5 },
          { country: 'BEL', quantity: 10 },
        ],
        cuts: [{ country: 'CHN', quantity: 15 }],
      },
      values,
    );
    expect(price.unitValues).toEqual({ FIN: 35_000, BEL: null, CHN: 25_000 });
    expect(price.sources).toEqual({ FIN: 'exports', BEL: null, CHN: 'imports' });
    expect(price.premiumUsd).toBeNull();
    expect(price.reason).toBe('no trade row with a value_usd gives a unit value for BEL');
    // A saving is a negative premium: buying FIN at 35,000 instead of CHN at 40,000.
    const cheaper = planPrice(
      { plan: [{ country: 'FIN', quantity: 2 }], cuts: [{ country: 'CHN', quantity: 2 }] },
      { ...values, importsFrom: new Map([['CHN', 40_000]]) },
    );
    expect(cheaper.premiumUsd).toBeCloseTo(-10_000, 9);
  });

  it('prints each line at its unit value and the premium, as an estimate, in the table and JSON', async () => {
    const table = await runCli(['gaps', '--data', 'tests/fixtures/price', '--quiet'], { COLUMNS: '140' });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('premium');
    expect(table.stdout).toMatch(/\+100,000 +open/);
    const prose = table.stdout.replace(/\s+/g, ' ');
    expect(prose).toContain(
      'Price, estimated from trade unit values (USD per t): BEL 10 t at 30,000, FIN 5 t at 35,000, instead of CHN 15 t at 25,000: ' +
        'a premium of USD 100,000 at 2023 volumes. BEL does not supply JPN yet: its unit value is that of its exports to every buyer.',
    );
    // Narrow: the table falls back to blocks, the premium stays whole.
    const narrow = await runCli(['gaps', '--data', 'tests/fixtures/price', '--quiet'], { COLUMNS: '60' });
    expect(narrow.stdout).toMatch(/premium USD \(est\.\): +\+100,000/);
    expect(narrow.stdout.split('\n').every((line) => line.length <= 60)).toBe(true);

    const json = await runCli(['gaps', '--data', 'tests/fixtures/price', '--json', '--quiet']);
    expect(json.code).toBe(0);
    const [gap] = JSON.parse(json.stdout).gaps;
    expect(gap.price).toEqual({
      basis: 'trade unit values',
      unit: 'USD/t',
      plan: [
        { country: 'BEL', quantity: 10, unitValueUsd: 30_000, valueFrom: 'exports' },
        { country: 'FIN', quantity: 5, unitValueUsd: 35_000, valueFrom: 'imports' },
      ],
      cuts: [{ country: 'CHN', quantity: 15, unitValueUsd: 25_000, valueFrom: 'imports' }],
      premiumUsd: 100_000,
      reason: null,
    });
    // The report's JSON carries the same gap with its price.
    const report = await runCli(['report', '--data', 'tests/fixtures/price', '--json', '--quiet']);
    expect(JSON.parse(report.stdout).materials[0].stages.refining.gaps[0].price).toEqual(gap.price);
    // Markdown: the premium column and the priced plan.
    const markdown = await runCli(['gaps', '--data', 'tests/fixtures/price', '--format', 'markdown', '--quiet']);
    expect(markdown.stdout).toContain('| premium USD (est.) |');
    expect(markdown.stdout).toContain('| +100,000 | open |');
    expect(markdown.stdout).toContain('instead of CHN 15 t at 25,000: a premium of USD 100,000 at 2023 volumes.');
  });
});
