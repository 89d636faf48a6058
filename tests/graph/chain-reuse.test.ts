/**
 * A chain graph pushed out of the few an index keeps is cleared and filled again for the next chain
 * (graph/chain.ts chainGraph). Nothing of the chain it held may leak into the new one: its nodes,
 * its edges, or what was read off it (stage production, flows, refiners' feed mixes).
 *
 * Ten years of cobalt, 2014 + k for k = 0..9 (more years than the index keeps chains):
 *   mining:   COD 100 t, AUS 50 + k t;  trade COD -> CHN 60 t, AUS -> CHN 20 + k t
 *   refining: CHN 70 t, FIN 10 t;       trade CHN -> JPN 30 t, FIN -> JPN 5 t
 * CHN mines nothing, so its ore supply is 60 + 20 + k and all of it traced: the share of AUS in the
 * feed of its refinery is (20 + k) / (80 + k), 20/80 = 0.25 in 2014 and 29/89 in 2023. JPN's refined
 * cobalt from CHN (30 of its 35 t) carries that mix, so AUS's share of JPN's supply is
 * (30 / 35) x (20 + k) / (80 + k): 0.2142857... in 2014, 0.2792937... in 2023.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph, type SupplyGraph } from '../../src/graph/supply-graph.js';
import { sliceIndex } from '../../src/graph/slices.js';
import { chainGraph, remembered, stageProduction } from '../../src/graph/chain.js';
import { analyseStage } from '../../src/metrics/analysis.js';
import { dataFolder, production, trade } from '../helpers/data.js';

const YEARS = Array.from({ length: 10 }, (_, k) => 2014 + k);

function cobaltFolder(): string {
  return dataFolder({
    'production.csv': production(
      ...YEARS.flatMap((year, k) => [
        `cobalt,mining,COD,${year},100,t`,
        `cobalt,mining,AUS,${year},${50 + k},t`,
        `cobalt,refining,CHN,${year},70,t`,
        `cobalt,refining,FIN,${year},10,t`,
      ]),
    ),
    'trade.csv': trade(
      ...YEARS.flatMap((year, k) => [
        `cobalt,mining,COD,CHN,${year},60,t`,
        `cobalt,mining,AUS,CHN,${year},${20 + k},t`,
        `cobalt,refining,CHN,JPN,${year},30,t`,
        `cobalt,refining,FIN,JPN,${year},5,t`,
      ]),
    ),
  });
}

async function freshGraph(dir: string): Promise<SupplyGraph> {
  return buildSupplyGraph(await loadDataset(dir));
}

/** AUS's share of JPN's refined cobalt in a year, as its importer block gives it. */
function ausShare(graph: SupplyGraph, year: number): number | undefined {
  const { importer } = analyseStage(graph, 'cobalt', 'refining', { importer: 'JPN', year });
  return importer?.origins.find((origin) => origin.country === 'AUS')?.share;
}

describe('chain graphs refilled for another material or year', () => {
  it('reuse the graph pushed out of the cache, with nothing of the chain it held', async () => {
    const index = sliceIndex(await freshGraph(cobaltFolder()));
    const first = chainGraph(index, 'cobalt', 2014);
    expect(remembered(first, 'test|what', () => 'read off 2014')).toBe('read off 2014');
    // Each chain is read as soon as it is asked for: a graph refilled since holds another chain.
    const graphs = YEARS.map((year, k) => {
      const chain = chainGraph(index, 'cobalt', year);
      // Mining COD, AUS and CHN (through its imports); refining CHN, FIN and JPN; one feed edge, CHN's.
      expect(chain.order).toBe(6);
      expect(chain.size).toBe(1);
      expect(chain.getAttribute('year')).toBe(year);
      expect(stageProduction(chain, 'mining')).toEqual(
        new Map([
          ['AUS', 50 + k],
          ['COD', 100],
        ]),
      );
      return chain;
    });
    expect(graphs[0]).toBe(first);
    // Eight chains are kept: the ninth year's chain was built in the first year's graph.
    expect(graphs[8]).toBe(first);
    expect(first.getAttribute('year')).toBe(2022);
    expect(remembered(first, 'test|what', () => 'read off 2022')).toBe('read off 2022');
  });

  it('give each year the origins of a fresh build, however many chains were built before', async () => {
    const dir = cobaltFolder();
    const shared = await freshGraph(dir);
    for (const [k, year] of YEARS.entries()) {
      const expected = (30 / 35) * ((20 + k) / (80 + k));
      const share = ausShare(shared, year);
      expect(share).toBeCloseTo(expected, 12);
      expect(share).toBe(ausShare(await freshGraph(dir), year));
    }
    // And back to the first year, whose graph was refilled twice since.
    expect(ausShare(shared, 2014)).toBeCloseTo((30 / 35) * 0.25, 12);
  });
});
