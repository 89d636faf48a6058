/**
 * A country without a governance score is not given a middle score: the figures that need its score
 * become ranges, with the score taken at either end of the WGI scale (-2.5..2.5).
 * Fixture tests/fixtures/unscored, worked by hand:
 *
 * cobalt mining 2023: COD 60 (WGI -1.5), AUS 30 (0.5), NCL 10 (no score). World HHI = 0.36 + 0.09 +
 * 0.01 = 0.46 (4,600).
 * hhiWgi = 0.36 x 2 x (2.5 + 1.5) + 0.09 x 2 x (2.5 - 0.5) + 0.01 x 2 x (2.5 - s) = 3.24 + 0.02 x (2.5 - s):
 *   s = 2.5 -> 3.24; s = -2.5 -> 3.34.
 * JPN imports COD 20, NCL 20 (covered by its rows); JPN is not a listed producer and the source has no
 * remainder: P = 0, S = 40. GeoPolRisk = 0.46 x (g_COD x 20 + g_NCL x 20) / 40, g = (2.5 - WGI) / 5:
 *   g_COD = 0.8; g_NCL = 0 (s = 2.5) -> 0.46 x 16 / 40 = 0.184; g_NCL = 1 (s = -2.5) -> 0.46 x 36 / 40 = 0.414.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { analyse } from '../../src/metrics/analysis.js';
import { fixture, runCli } from '../helpers/cli.js';

describe('a supplier or producer without a governance score', () => {
  it('turns the WGI-weighted HHI and GeoPolRisk into ranges, never a middle score', async () => {
    const graph = buildSupplyGraph(await loadDataset(fixture('unscored')));
    const stage = analyse(graph, { importer: 'JPN' }).materials[0]?.stages.mining;
    expect(stage?.world?.hhiWgi).toBeNull();
    expect(stage?.world?.unscored).toEqual(['NCL']);
    expect(stage?.world?.hhiWgiRange[0]).toBeCloseTo(3.24, 12);
    expect(stage?.world?.hhiWgiRange[1]).toBeCloseTo(3.34, 12);
    const block = stage?.importer;
    expect(block?.supply).toBe(40);
    expect(block?.geopolRisk).toBeNull();
    expect(block?.geopolRiskRange?.[0]).toBeCloseTo(0.184, 12);
    expect(block?.geopolRiskRange?.[1]).toBeCloseTo(0.414, 12);
    expect(block?.reasons.join(' ')).toMatch(/no governance score for NCL in 2023: GeoPolRisk lies between 0\.184 and 0\.414/);
  });

  it('prints the ranges in the table and null in JSON', async () => {
    const table = await runCli(['report', '--data', 'tests/fixtures/unscored', '--quiet'], { COLUMNS: '200' });
    expect(table.stdout).toMatch(/HHI, WGI-weighted\s+3\.24-3\.34 \(no WGI for some\)/);
    expect(table.stdout).toMatch(/GeoPolRisk\s+0\.184-0\.414 \(no WGI for some\)/);
    const json = JSON.parse((await runCli(['report', '--data', 'tests/fixtures/unscored', '--json', '--quiet'])).stdout);
    const mining = json.materials[0].stages.mining;
    expect(mining.world.hhiWgi).toBeNull();
    expect(mining.importer.geopolRisk).toBeNull();
    expect(mining.importer.geopolRiskRange).toEqual([0.184, 0.414]);
  });
});
