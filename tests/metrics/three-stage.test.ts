/**
 * The chain mine -> refinery -> magnet (tests/fixtures/three-stage), worked by hand:
 *
 *   mining 2023:   CHN 100, AUS 50;           trade AUS -> CHN 20
 *   refining 2023: CHN 80, MYS 10;            trade CHN -> JPN 5
 *   magnet 2023:   CHN 40, JPN 10;            trade CHN -> JPN 20
 *
 * Without a coverage.csv, the rows into CHN (mining), JPN (refining) and JPN (magnet) say which
 * imports were read; JPN's mining imports are not covered.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { sliceIndex } from '../../src/graph/slices.js';
import { chainGraph, feedSource, shipmentsTo, stageProduction, tradeBalance, tradeEdgesOf } from '../../src/graph/chain.js';
import { analyse } from '../../src/metrics/analysis.js';
import { assess } from '../../src/metrics/gaps.js';
import { shock } from '../../src/metrics/shock.js';
import { trace } from '../../src/metrics/trace.js';
import { upstreamOf } from '../../src/domain/fields.js';
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { fixture, runCli } from '../helpers/cli.js';

async function graphOf() {
  return buildSupplyGraph(await loadDataset(fixture('three-stage')));
}

async function magnetOf() {
  const graph = await graphOf();
  const analysis = analyse(graph, { importer: 'JPN' });
  return { graph, analysis, stage: analysis.materials[0]?.stages.magnet };
}

describe('the stage list', () => {
  it('is ordered: each stage is fed by the one before', () => {
    expect(upstreamOf('mining')).toBeNull();
    expect(upstreamOf('refining')).toBe('mining');
    expect(upstreamOf('magnet')).toBe('refining');
  });
});

describe('the chain graph of a material and year', () => {
  it('has a node per country and stage, trade edges within a stage and feed edges between stages', async () => {
    const chain = chainGraph(sliceIndex(await graphOf()), 'rare-earths', 2023);
    // Nodes: mining CHN, AUS; refining CHN, MYS, JPN (JPN only through its import); magnet CHN, JPN.
    expect(chain.order).toBe(7);
    const { trade, ...jpn } = chain.getNodeAttributes('refining:JPN');
    expect(jpn).toEqual({ stage: 'refining', country: 'JPN', production: null });
    const { inflow, outflow, coveredInflow, coveredOutflow } = trade;
    expect({ inflow, outflow, coveredInflow, coveredOutflow }).toEqual({ inflow: 5, outflow: 0, coveredInflow: 5, coveredOutflow: 0 });
    expect(stageProduction(chain, 'magnet')).toEqual(
      new Map([
        ['CHN', 40],
        ['JPN', 10],
      ]),
    );
    // Feed edges: mining:CHN -> refining:CHN, refining:CHN -> magnet:CHN, refining:JPN -> magnet:JPN
    // (AUS and MYS have one stage only).
    expect(
      chain
        .filterEdges((_edge, link) => link.kind === 'feed')
        .map((edge) => `${chain.source(edge)}>${chain.target(edge)}`)
        .sort(),
    ).toEqual(['mining:CHN>refining:CHN', 'refining:CHN>magnet:CHN', 'refining:JPN>magnet:JPN']);
    expect(feedSource(chain, 'magnet', 'JPN')?.stage).toBe('refining');
    expect(feedSource(chain, 'refining', 'MYS')).toBeNull();
    // Trade edges join the graph when a walk reads a node: none yet, then JPN's magnet import.
    expect(chain.filterEdges((_edge, link) => link.kind === 'trade')).toHaveLength(0);
    expect(shipmentsTo(chain, 'magnet', 'JPN')).toEqual(new Map([['CHN', 20]]));
    expect(chain.getEdgeAttributes('magnet:CHN', 'magnet:JPN')).toMatchObject({ kind: 'trade', quantity: 20, covered: true });
    // CHN's mining node: 20 t in from AUS (covered: the row into CHN says its imports were read),
    // summed on the node without adding its edges.
    expect(tradeBalance(chain, 'mining', 'CHN', { coveredOnly: true })).toEqual({ inflow: 20, outflow: 0 });
    expect(tradeBalance(chain, 'refining', 'CHN')).toEqual({ inflow: 0, outflow: 5 });
    tradeEdgesOf(chain, 'mining', 'AUS');
    tradeEdgesOf(chain, 'refining', 'CHN');
    expect(chain.filterEdges((_edge, link) => link.kind === 'trade')).toHaveLength(3);
  });
});

describe('JPN at the magnet stage', () => {
  it('world block: CHN 40, JPN 10', async () => {
    // Total 50; HHI = 10000 x (0.8^2 + 0.2^2) = 6800.
    const world = (await magnetOf()).stage?.world;
    expect(world).toMatchObject({ year: 2023, unit: 't', total: 50, producers: 2 });
    expect(world?.hhi).toBeCloseTo(6800, 9);
    expect(world?.top).toMatchObject({ country: 'CHN' });
  });

  it('reliance and suppliers', async () => {
    // P = 10 (listed), I = 20 (CHN), E = 0: S = 30, reliance 20/30; suppliers CHN 2/3 (foreign), JPN 1/3.
    const block = (await magnetOf()).stage?.importer;
    expect(block).toMatchObject({ unknown: [], production: 10, imports: 20, exports: 0, supply: 30, shareBase: 'supply' });
    expect(block?.importReliance).toBeCloseTo(2 / 3, 12);
    expect(block?.topSupplier?.country).toBe('CHN');
    expect(block?.topSupplier?.share).toBeCloseTo(2 / 3, 12);
  });

  it('origins traced through two stages to the mines', async () => {
    // Magnet makers (Kastner at the magnet stage): JPN 10/30 = 1/3 (its own), CHN 20/30 = 2/3.
    // JPN makes 10 t from a refined feed of 5 t (its import from CHN, covered): reach 5/10 = 1/2.
    //   Its feed is all CHN refining, and CHN refines 80 t from a mine feed of 100 + 20 = 120 t
    //   (reach 1), mined 100/120 in CHN and 20/120 in AUS.
    //   -> CHN 1/3 x 1/2 x 5/6 = 5/36, AUS 1/3 x 1/2 x 1/6 = 1/36; JPN 1/3 x 1/2 = 1/6 untraced.
    // CHN makes 40 t from a refined feed of 80 - 5 = 75 t (reach 1), all its own refining:
    //   -> CHN 2/3 x 5/6 = 5/9, AUS 2/3 x 1/6 = 1/9.
    // Origins: CHN 5/36 + 20/36 = 25/36, AUS 1/36 + 4/36 = 5/36, JPN 6/36 (untraced).
    const block = (await magnetOf()).stage?.importer;
    const origins = Object.fromEntries(block?.origins.map((o) => [o.country, [o.share, o.traced]]) ?? []);
    expect(origins.CHN?.[0]).toBeCloseTo(25 / 36, 12);
    expect(origins.CHN?.[1]).toBe(true);
    expect(origins.AUS?.[0]).toBeCloseTo(5 / 36, 12);
    expect(origins.JPN).toEqual([expect.closeTo(1 / 6, 12), false]);
    expect(block?.untracedShare).toBeCloseTo(1 / 6, 12);
    // Paths (maker, mine), largest first, in 36ths of S.
    const paths = block?.low?.paths.map((path) => [path.refiner, path.origin, Math.round(path.share * 36 * 1e9) / 1e9, path.traced]);
    expect(paths).toEqual([
      ['CHN', 'CHN', 20, true],
      ['JPN', 'JPN', 6, false],
      ['JPN', 'CHN', 5, true],
      ['CHN', 'AUS', 4, true],
      ['JPN', 'AUS', 1, true],
    ]);
  });

  it('the refining stage below it is traced one stage, as before', async () => {
    // JPN refining: S = 5, all from CHN, whose refining is fed 100/120 CHN and 20/120 AUS.
    const block = (await graphOf().then((graph) => analyse(graph, { importer: 'JPN' }))).materials[0]?.stages.refining?.importer;
    expect(block?.origins.map((o) => [o.country, o.share])).toEqual([
      ['CHN', expect.closeTo(5 / 6, 12)],
      ['AUS', expect.closeTo(1 / 6, 12)],
    ]);
  });

  it('trace: magnet makers in the middle', async () => {
    const { graph, analysis, stage } = await magnetOf();
    const block = stage?.importer;
    if (!block?.low) throw new Error('no exact magnet block');
    const picture = trace({
      index: sliceIndex(graph),
      material: 'rare-earths',
      stage: 'magnet',
      importer: analysis.importer,
      block,
      exposure: block.low,
      minShare: 0,
    });
    expect(picture.middle).toBe('maker');
    const middle = Object.fromEntries(picture.nodes.filter((node) => node.tier === 'middle').map((node) => [node.country, node.quantity]));
    // CHN 2/3 x 30 = 20 t, JPN 1/3 x 30 = 10 t.
    expect(middle.CHN).toBeCloseTo(20, 12);
    expect(middle.JPN).toBeCloseTo(10, 12);
    // AUS -> JPN: 1/36 x 30 = 0.8333 t.
    const link = picture.links.find((entry) => entry.from.country === 'AUS' && entry.to.country === 'JPN');
    expect(link?.quantity).toBeCloseTo(30 / 36, 12);
  });

  it("shock: a full stop of CHN takes what it makes and its mines behind JPN's magnets", async () => {
    // Direct: paths made in CHN, 2/3. Via: CHN-mined paths made in JPN, 5/36. Total 29/36 of 30 t.
    const { graph, analysis } = await magnetOf();
    const index = sliceIndex(graph);
    const result = shock(
      analysis,
      { country: 'CHN', fraction: 1, stage: 'magnet' },
      { index, policy: DEFAULT_POLICY, country: (code, year) => index.countryIn(code, year) },
    );
    const magnet = result.materials[0]?.stages.magnet;
    expect(magnet?.direct).toBeCloseTo(2 / 3, 12);
    expect(magnet?.viaRefiners).toBeCloseTo(5 / 36, 12);
    expect(magnet?.lostQuantity).toBeCloseTo((29 / 36) * 30, 12);
  });

  it('the table gets a magnet column only for a material that has the stage', async () => {
    const three = await runCli(['report', '--data', fixture('three-stage')], { NO_COLOR: '1', COLUMNS: '120' });
    expect(three.stdout.split('\n').find((line) => line.startsWith('rare-earths'))).toMatch(/^rare-earths\s+mining\s+refining\s+magnet$/);
    const two = await runCli(['report', '--data', fixture('two-stage')], { NO_COLOR: '1', COLUMNS: '120' });
    expect(two.stdout.split('\n').find((line) => line.startsWith('cobalt'))).toMatch(/^cobalt\s+mining\s+refining$/);
  });
});

describe('an origin that is not traced at all raises no mine-origin gap', () => {
  it('makers without production data: their own untraced origin, no top origin and no origin gap on it', async () => {
    // Without magnet production, every shipper is the maker of what it ships (untraced): CHN 20/20
    // of JPN's magnets (shares of imports), nothing traced to a mine. A supplier gap still stands (CHN 100%
    // of imports > 65%); an origin gap "mined in CHN" would rest on nothing.
    const { loadDataset: load } = await import('../../src/input/dataset.js');
    const dataset = await load(fixture('three-stage'));
    const withoutMagnets = { ...dataset, production: dataset.production.filter((fact) => fact.stage !== 'magnet') };
    const graph = buildSupplyGraph(withoutMagnets);
    const analysis = analyse(graph, { importer: 'JPN', materials: ['rare-earths'] });
    const block = analysis.materials[0]?.stages.magnet?.importer;
    expect(block?.untracedShare).toBeCloseTo(1, 12);
    // Where tracing stopped is in `origins`; the top mine origin is unknown (null), with the reason.
    expect(block?.origins).toEqual([{ country: 'CHN', share: 1, traced: false }]);
    expect(block?.topOrigin).toBeNull();
    expect(block?.reasons.some((reason) => reason.startsWith("none of JPN's rare-earths magnet supply in 2023 is traced to a mine"))).toBe(true);
    const index = sliceIndex(graph);
    const assessment = assess(analysis, { policy: DEFAULT_POLICY, country: (code, year) => index.countryIn(code, year), today: '2026-01-01' });
    const gaps = assessment.stages.find((entry) => entry.stage === 'magnet')?.gaps.map((gap) => gap.basis);
    expect(gaps).toContain('supplier');
    expect(gaps).not.toContain('origin');
  });
});
