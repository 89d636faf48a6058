/**
 * A group importer (`--importer EU`): the members' production and trade summed, trade between
 * members left out of reliance and supplier shares, and kept in GeoPolRisk's denominator with weight
 * 0 (geopolrisk-py's regional rule). Fixture tests/fixtures/group, worked by hand below.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { analyse } from '../../src/metrics/analysis.js';
import { fixture, runCli } from '../helpers/cli.js';

async function eu(material: string) {
  const graph = buildSupplyGraph(await loadDataset(fixture('group')));
  return analyse(graph, { importer: 'EU', materials: [material] }).materials[0]?.stages.mining;
}

describe('group importer EU (DEU and FRA)', () => {
  it('merges the members: intra-EU trade is not an import, external flows are', async () => {
    // lithium mining 2023. EU production P = DEU 5 (FRA is not listed and there is no remainder: 0).
    // Imports from outside: AUS->DEU 20 + CHL->FRA 10 = 30; DEU->FRA 6 is intra-EU and left out.
    // Exports to outside: FRA->USA 3. S = 35. Reliance = (30 - 3) / (5 + 30 - 3) = 27/32.
    // Suppliers AUS 20/35, CHL 10/35, EU 5/35: HHI = 10000 x (400 + 100 + 25) / 1225 = 30000/7.
    const stage = await eu('lithium');
    const block = stage?.importer;
    expect(block).toMatchObject({ unknown: [], production: 5, imports: 30, exports: 3, supply: 35, shareBase: 'supply' });
    expect(block?.importReliance).toBeCloseTo(27 / 32, 12);
    expect(block?.topSupplier).toMatchObject({ country: 'AUS', quantity: 20 });
    expect(block?.supplierHhi).toBeCloseTo(30000 / 7, 9);
    // Origins: AUS and CHL ship their own ore; the EU's own 5 t are its own: all traced.
    const origins = Object.fromEntries(block?.origins.map((o) => [o.country, o.share]) ?? []);
    expect(origins).toEqual({ AUS: expect.closeTo(4 / 7, 12), CHL: expect.closeTo(2 / 7, 12), EU: expect.closeTo(1 / 7, 12) });
  });

  it('GeoPolRisk keeps imports from members in the denominator with weight 0', async () => {
    // World HHI 2023 = 10000 x (50^2 + 30^2 + 5^2) / 85^2 = 10000 x 3425/7225.
    // g_AUS = (2.5 - 1.0)/5 = 0.3, g_CHL = (2.5 - 0.5)/5 = 0.4: weighted 0.3 x 20 + 0.4 x 10 = 10.
    // Denominator P + external imports + intra-EU imports = 5 + 30 + 6 = 41.
    const block = (await eu('lithium'))?.importer;
    expect(block?.geopolRisk).toBeCloseTo((3425 / 7225) * (10 / 41), 12);
  });

  it('a group with only some members covered is partly covered; unlisted members make a range', async () => {
    // nickel mining 2023: rows into DEU only, so (no coverage.csv) DEU is covered and FRA is not: the
    // EU's imports are `partial`. Production lists IDN 100 and a remainder of 20: neither member is
    // listed, so EU production is between 0 and 20.
    const block = (await eu('nickel'))?.importer;
    expect(block?.coverage.imports).toBe('partial');
    expect(block?.productionRange).toEqual([0, 20]);
    expect(block?.imports).toBe(10);
    // Reliance: at P = 0 it is 1. The low end would be 10 / 30 at P = 20 with the recorded trade, but
    // FRA's exports are not covered either (exports `partial`): any exports are possible, so 0.
    expect(block?.coverage.exports).toBe('partial');
    expect(block?.importRelianceRange).toEqual([0, 1]);
  });

  it('the CLI accepts a group tag as --importer', async () => {
    const result = await runCli(['report', '--data', 'tests/fixtures/group', '--importer', 'EU', '--json', '--material', 'lithium']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.importer).toBe('EU');
    expect(json.materials[0].stages.mining.importer.supply).toBe(35);
  });
});
