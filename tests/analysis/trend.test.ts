/**
 * Trends on tests/fixtures/analysis/trend, worked by hand. Lithium mining, unit t.
 * Production (AUS, CHL): 2018 60/40, 2019 50/50, 2020 none, 2021 70/30, 2022 80/20.
 *   world HHI 5200, 5000, gap, 5800, 6800; top producer AUS .6, .5 (tie: by code), gap, .7, .8.
 * JPN imports (AUS, CHL): 2018 10/10, 2019 12/8, 2020 15/5, 2021 16/4, 2022 none.
 *   import reliance 1, 1, gap, 1, gap: JPN is not among the listed producers of 2018, 2019 and 2021 (no
 *   remainder), so it produced 0 and relies wholly on imports; 2020 has no production data, so JPN's
 *   own output is unknown and reliance is only a range; 2022 has no trade. Top supplier AUS .5, .6,
 *   .75 (of imports), .8, gap.
 *   top origin = top supplier where origins can be traced (production that year): .5, .6, gap, .8, gap.
 * Sparkline of world HHI (min 5000, max 6800): 5200 -> floor(200/1800*8) = 0 "▁", 5000 "▁", gap "·",
 *   5800 -> floor(3.56) = 3 "▄", 6800 "█": "▁▁·▄█". Change 6800 - 5200 = +1600.
 * --average 3 (needs the year itself and >= 2 of the 3 years): HHI 2018 gap (1 value), 2019 5100,
 *   2020 gap, 2021 (5000 + 5800)/2 = 5400, 2022 (5800 + 6800)/2 = 6300. Top supplier: gap, .55,
 *   (.5 + .6 + .75)/3, (.6 + .75 + .8)/3, gap. Top origin: gap, .55, gap, (.6 + .8)/2 = .7, gap.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { trend } from '../../src/metrics/trend.js';
import { sparkline } from '../../src/report/trend-render.js';
import { fixture, runCli } from '../helpers/cli.js';

const DATA = 'tests/fixtures/analysis/trend';

async function series(options: { average?: number; from?: number; to?: number } = {}) {
  const graph = buildSupplyGraph(await loadDataset(fixture('analysis/trend')));
  const result = trend(graph, { importer: 'JPN', ...options });
  const stage = result.materials[0]?.stages.mining;
  if (!stage) throw new Error('no lithium mining trend');
  return { result, stage };
}

describe('trend: yearly series', () => {
  it('every year of the period, missing years as gaps (null), never zeros', async () => {
    const { result, stage } = await series();
    expect(result).toMatchObject({ from: 2018, to: 2022, average: 1 });
    expect(stage.points.map((p) => p.year)).toEqual([2018, 2019, 2020, 2021, 2022]);
    expect(stage.points.map((p) => p.worldHhi)).toEqual([
      expect.closeTo(5200, 9),
      expect.closeTo(5000, 9),
      null,
      expect.closeTo(5800, 9),
      expect.closeTo(6800, 9),
    ]);
    expect(stage.points.map((p) => p.topProducer)).toEqual(['AUS', 'AUS', null, 'AUS', 'AUS']);
    expect(stage.points.map((p) => p.importReliance)).toEqual([1, 1, null, 1, null]);
    expect(stage.points.map((p) => p.shareBase)).toEqual(['supply', 'supply', 'imports', 'supply', null]);
    expect(stage.points.map((p) => p.topSupplierShare)).toEqual([0.5, 0.6, 0.75, 0.8, null]);
    expect(stage.points.map((p) => p.topOriginShare)).toEqual([0.5, 0.6, null, 0.8, null]);
    expect(stage.change.worldHhi).toBeCloseTo(1600, 9);
    expect(stage.change.topSupplierShare).toBeCloseTo(0.3, 12);
  });

  it('--average 3: rolling means over the years present, gaps kept', async () => {
    const { result, stage } = await series({ average: 3 });
    expect(result.average).toBe(3);
    expect(stage.points.map((p) => p.worldHhi)).toEqual([null, expect.closeTo(5100, 9), null, expect.closeTo(5400, 9), expect.closeTo(6300, 9)]);
    expect(stage.points.map((p) => p.topSupplierShare)).toEqual([
      null,
      expect.closeTo(0.55, 12),
      expect.closeTo(1.85 / 3, 12),
      expect.closeTo(2.15 / 3, 12),
      null,
    ]);
    expect(stage.points.map((p) => p.topOriginShare)).toEqual([null, expect.closeTo(0.55, 12), null, expect.closeTo(0.7, 12), null]);
    expect(stage.change.worldHhi).toBeCloseTo(1200, 9);
    // No country label on a gap.
    expect(stage.points.map((p) => p.topSupplier)).toEqual([null, 'AUS', 'AUS', 'AUS', null]);
  });

  it('--from and --to clip the period', async () => {
    const { result, stage } = await series({ from: 2019, to: 2021 });
    expect(result).toMatchObject({ from: 2019, to: 2021 });
    expect(stage.points.map((p) => p.year)).toEqual([2019, 2020, 2021]);
  });

  it('sparklines: scaled to the series, a gap is "·", a flat series mid-height', () => {
    expect(sparkline([5200, 5000, null, 5800, 6800])).toBe('▁▁·▄█');
    expect(sparkline([1, 1, null, 1])).toBe('▄▄·▄');
    expect(sparkline([null, null])).toBe('··');
    expect(sparkline([0, 0.5, 1])).toBe('▁▅█');
  });
});

describe('supply-risk trend (CLI)', () => {
  it('table: a sparkline per series with gaps, the change over the period', async () => {
    const result = await runCli(['trend', '--data', DATA]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Trends for Japan (JPN) · 2018–2022 · yearly values');
    expect(result.stdout).toMatch(/world HHI\s+5,200\s+▁▁·▄█\s+6,800\s+\+1,600/);
    expect(result.stdout).toMatch(/top supplier\s+AUS 50\.0%\s+▁▃▇█·\s+AUS 80\.0% \(2021\)\s+\+30\.0 pp/);
    expect(result.stdout).toMatch(/top mine origin\s+AUS 50\.0%\s+▁▃·█·/);
  });

  it('CSV and JSON carry the full series with empty cells / null for gaps', async () => {
    const csv = await runCli(['trend', '--data', DATA, '--format', 'csv']);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'material,stage,unit,year,world_hhi,top_producer,top_producer_share,import_reliance,top_supplier,top_supplier_share,top_origin,top_origin_share,share_base,production_source,source_changed_from',
    );
    expect(lines[3]).toBe('lithium,mining,t,2020,,,,,AUS,0.75,,,imports,,');
    expect(lines[5]).toBe('lithium,mining,t,2022,6800,AUS,0.8,,,,,,,,');
    const json = JSON.parse((await runCli(['trend', '--data', DATA, '--json', '--average', '3'])).stdout);
    expect(json).toMatchObject({ schemaVersion: 2, importer: 'JPN', from: 2018, to: 2022, average: 3 });
    const years = json.materials[0].stages.mining.years;
    expect(years.map((y: { worldHhi: number | null }) => y.worldHhi)).toEqual([null, 5100, null, 5400, 6300]);
    expect(json.materials[0].stages.mining.change.worldHhi).toBe(1200);
  });

  it('usage errors: --year, --from after --to, a bad window', async () => {
    expect((await runCli(['trend', '--data', DATA, '--year', '2020'])).stderr).toContain('use --from and --to instead of --year');
    const reversed = await runCli(['trend', '--data', DATA, '--from', '2022', '--to', '2019']);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('--from 2022 is after --to 2019');
    expect((await runCli(['trend', '--data', DATA, '--average', '0'])).code).toBe(2);
  });
});
