/**
 * A stage with no production figure at all in a year: unknown output is not zero, so re-exports are
 * not traced (each shipper is the maker of what it ships, untraced), the top mine origin is unknown,
 * no origin gap is raised, and a shock charges a country with what it shipped itself.
 *
 * Refining 2023, no refining production anywhere; trade CHN -> MYS 100, MYS -> JPN 50, CHN -> JPN 30.
 * With every output taken as zero, Kastner would trace MYS's 50 t back to CHN (all 80 t "CHN").
 * Here: JPN's 80 t are MYS 50/80 = 0.625 and CHN 30/80 = 0.375, both untraced.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { sliceIndex } from '../../src/graph/slices.js';
import { analyse } from '../../src/metrics/analysis.js';
import { assess } from '../../src/metrics/gaps.js';
import { shock } from '../../src/metrics/shock.js';
import { trace } from '../../src/metrics/trace.js';
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { dataFolder, production, trade } from '../helpers/data.js';

const DATA = dataFolder({
  'production.csv': production('tin,mining,IDN,2023,100,t'),
  'trade.csv': trade('tin,refining,CHN,MYS,2023,100,t', 'tin,refining,MYS,JPN,2023,50,t', 'tin,refining,CHN,JPN,2023,30,t'),
});

async function setUp() {
  const graph = buildSupplyGraph(await loadDataset(DATA));
  const analysis = analyse(graph, { importer: 'JPN', materials: ['tin'] });
  return { graph, analysis, index: sliceIndex(graph), block: analysis.materials[0]?.stages.refining?.importer };
}

describe('a stage without any production figure', () => {
  it('each shipper is the maker of what it ships, untraced; the top mine origin is unknown', async () => {
    const { block } = await setUp();
    expect(block?.imports).toBe(80);
    expect(block?.origins).toEqual([
      { country: 'MYS', share: 0.625, traced: false },
      { country: 'CHN', share: 0.375, traced: false },
    ]);
    expect(block?.untracedShare).toBe(1);
    expect(block?.topOrigin).toBeNull();
    expect(block?.topSupplier).toMatchObject({ country: 'MYS', share: 0.625 });
  });

  it('trace shows the shippers as refiners, untraced, and the origin gap is not raised', async () => {
    const { index, analysis, block } = await setUp();
    if (!block?.low) throw new Error('no exact block');
    const picture = trace({ index, material: 'tin', stage: 'refining', importer: 'JPN', block, exposure: block.low, minShare: 0 });
    expect(picture.nodes.filter((node) => node.tier === 'middle').map((node) => [node.country, node.quantity, node.traced])).toEqual([
      ['MYS', 50, false],
      ['CHN', 30, false],
    ]);
    const assessment = assess(analysis, { policy: DEFAULT_POLICY, country: (code, year) => index.countryIn(code, year), today: '2026-01-01' });
    expect(assessment.gaps.map((gap) => gap.basis)).not.toContain('origin');
  });

  it('a full stop of CHN loses what CHN shipped: 30 of 80 t', async () => {
    const { index, analysis } = await setUp();
    const result = shock(
      analysis,
      { country: 'CHN', fraction: 1, stage: 'refining' },
      { index, policy: DEFAULT_POLICY, country: (code, year) => index.countryIn(code, year) },
    );
    const refining = result.materials[0]?.stages.refining;
    expect(refining?.direct).toBeCloseTo(0.375, 12);
    expect(refining?.viaRefiners).toBe(0);
    expect(refining?.lostQuantity).toBeCloseTo(30, 12);
  });
});
