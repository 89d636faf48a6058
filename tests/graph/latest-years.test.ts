/**
 * Leaving out of the graph the trade years no block reads (report without --year) must not change
 * any figure: the analysis of the pruned graph equals the analysis of the full graph.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { analyse } from '../../src/metrics/analysis.js';
import { tradeSlicesForLatestYears } from '../../src/metrics/years.js';
import { materialJson } from '../../src/report/json.js';
import { loadLatestYears } from '../../src/cli/common.js';
import { fixture, ROOT } from '../helpers/cli.js';
import { dataFolder, production, trade } from '../helpers/data.js';

describe('graph of the latest trade years only', () => {
  it.each(['two-stage', 'years', 'worked-example', '../../data'])('%s: same analysis as the full graph', async (name) => {
    const dataset = await loadDataset(name === '../../data' ? `${ROOT}data` : fixture(name));
    for (const importer of ['JPN', 'CHN', 'KOR']) {
      const slices = tradeSlicesForLatestYears(dataset, importer);
      const full = analyse(buildSupplyGraph(dataset), { importer });
      const pruned = analyse(buildSupplyGraph(dataset, { tradeSlices: slices }), { importer });
      expect(pruned.materials.map((m) => materialJson(m))).toEqual(full.materials.map((m) => materialJson(m)));
    }
  });

  it('keeps the importer year of each stage and the mining trade behind refining', async () => {
    // years fixture: nickel mining trade into JPN only in 2021.
    const dataset = await loadDataset(fixture('years'));
    expect([...tradeSlicesForLatestYears(dataset, 'JPN')]).toEqual(['nickel|mining|2021']);
    // two-stage fixture: JPN imports refined cobalt in 2023, so the 2023 mining trade (refiners' feed) is kept.
    const twoStage = await loadDataset(fixture('two-stage'));
    expect([...tradeSlicesForLatestYears(twoStage, 'JPN')].sort()).toEqual(['cobalt|mining|2023', 'cobalt|refining|2023']);
  });
});

describe('two passes over a large trade file', () => {
  it.each(['two-stage', 'years', 'worked-example', '../../data'])('%s: the same graph figures and warnings as one pass', async (name) => {
    const dir = name === '../../data' ? `${ROOT}data` : fixture(name);
    for (const importer of ['JPN', 'KOR']) {
      const one = await loadLatestYears(dir, {}, importer, false);
      const two = await loadLatestYears(dir, {}, importer, true);
      expect([...two.tradeSlices].sort()).toEqual([...one.tradeSlices].sort());
      expect(two.dataset.warnings).toEqual(one.dataset.warnings);
      const analysisOf = (loaded: typeof one) =>
        analyse(buildSupplyGraph(loaded.dataset, { tradeSlices: loaded.tradeSlices }), { importer }).materials.map((m) => materialJson(m));
      expect(analysisOf(two)).toEqual(analysisOf(one));
    }
  });

  it('the first pass still checks every row: a bad row in an old year fails the load', async () => {
    const dir = dataFolder({
      'production.csv': production('cobalt,mining,COD,2023,10,t'),
      'trade.csv': trade('cobalt,mining,COD,JPN,2023,5,t', 'cobalt,mining,COD,JPN,2015,"5,5",t'),
    });
    await expect(loadLatestYears(dir, {}, 'JPN', true)).rejects.toThrow(/trade\.csv:3:6: quantity "5,5" has a decimal comma/);
  });
});
