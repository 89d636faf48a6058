/**
 * `trend` marks the year where a world production series changes source. Fixture
 * tests/fixtures/analysis/trend-source, worked by hand:
 * - cobalt mining: 2020-2021 from World Mining Data 2024 (COD 70/30 AUS, 60/40), 2022 from USGS MCS
 *   2024 (80/20), 2023 from USGS MCS 2025 (75/25). World HHI 5,800, 5,200, 6,800, 6,250. The source
 *   changes publication in 2022 (WMD -> USGS): marked. 2023 is a newer edition of the same
 *   publication (MCS 2024 -> MCS 2025): not a change of source.
 * - germanium refining: 2021-2022 from WMD (CHN 9, USA 1: HHI 8,200), 2023 USGS with the U.S.
 *   withheld only: no figures that year (a gap), so nothing is marked.
 */
import { describe, expect, it } from 'vitest';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { loadDataset } from '../../src/input/dataset.js';
import { trend } from '../../src/metrics/trend.js';
import { trendSchema } from '../../src/report/schemas/trend.js';
import { fixture, runCli } from '../helpers/cli.js';

const DATA = 'tests/fixtures/analysis/trend-source';

async function stages(average = 1) {
  const graph = buildSupplyGraph(await loadDataset(fixture('analysis/trend-source')));
  const result = trend(graph, { importer: 'JPN', average });
  const cobalt = result.materials.find((m) => m.material === 'cobalt')?.stages.mining;
  const germanium = result.materials.find((m) => m.material === 'germanium')?.stages.refining;
  if (!cobalt || !germanium) throw new Error('missing series');
  return { cobalt, germanium };
}

describe('trend: where a world series changes source', () => {
  it('names the publisher of each year and marks the year the publication changes', async () => {
    const { cobalt, germanium } = await stages();
    expect(cobalt.points.map((p) => p.year)).toEqual([2020, 2021, 2022, 2023]);
    expect(cobalt.points.map((p) => p.worldHhi)).toEqual([expect.closeTo(5800, 9), expect.closeTo(5200, 9), expect.closeTo(6800, 9), expect.closeTo(6250, 9)]);
    expect(cobalt.points.map((p) => p.productionSource)).toEqual(['World Mining Data 2024', 'World Mining Data 2024', 'USGS MCS 2024', 'USGS MCS 2025']);
    expect(cobalt.points.map((p) => p.sourceChanged)).toEqual([null, null, { from: 'World Mining Data 2024', to: 'USGS MCS 2024' }, null]);
    // Germanium 2023: only a withheld row, so no figures, no world HHI and no mark.
    expect(germanium.points.map((p) => [p.year, p.worldHhi === null ? null : Math.round(p.worldHhi), p.productionSource, p.sourceChanged])).toEqual([
      [2021, 8200, 'World Mining Data 2024', null],
      [2022, 8200, 'World Mining Data 2024', null],
      [2023, null, 'USGS MCS 2024', null],
    ]);
  });

  it('keeps the mark on its year with rolling means', async () => {
    const { cobalt } = await stages(2);
    expect(cobalt.points.map((p) => p.sourceChanged?.to ?? null)).toEqual([null, null, 'USGS MCS 2024', null]);
  });

  it('table: a mark on the world rows and a footnote naming the two sources', async () => {
    const run = await runCli(['trend', '--data', DATA]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/cobalt mining \(t\)[^\n]*\n {2}world HHI †\s+5,800\s+▄▁█▆\s+6,250/);
    expect(run.stdout).toMatch(/ {2}top producer †\s+COD 70\.0%/);
    expect(run.stdout).toMatch(
      /† 2022: world production changes source, World Mining Data 2024 -> USGS MCS 2024;\s+a step at 2022 may be the sources', not the market's/,
    );
    // Germanium changes no source: no mark, no footnote.
    expect(run.stdout).toMatch(/germanium refining \(t\)[^\n]*\n {2}world HHI {2,}8,200/);
    expect(run.stdout.match(/†/g)).toHaveLength(3);
  });

  it('JSON: productionSource and sourceChanged on each year, valid against the schema; CSV columns', async () => {
    const json = JSON.parse((await runCli(['trend', '--data', DATA, '--json'])).stdout);
    expect(trendSchema.safeParse(json).success).toBe(true);
    const years = json.materials.find((m: { material: string }) => m.material === 'cobalt').stages.mining.years;
    expect(years[2]).toMatchObject({
      year: 2022,
      worldHhi: 6800,
      productionSource: 'USGS MCS 2024',
      sourceChanged: { from: 'World Mining Data 2024', to: 'USGS MCS 2024' },
    });
    expect(years[3]).toMatchObject({ year: 2023, productionSource: 'USGS MCS 2025', sourceChanged: null });
    const csv = (await runCli(['trend', '--data', DATA, '--format', 'csv'])).stdout.trimEnd().split('\n');
    expect(csv[0]).toMatch(/,share_base,production_source,source_changed_from$/);
    expect(csv).toContain('cobalt,mining,t,2022,6800,COD,0.8,,,,,,,USGS MCS 2024,World Mining Data 2024');
  });
});
