/**
 * Partly covered imports (coverage.csv `partial`: not every product of the stage was in the source)
 * are a lower bound, so the supply S = P + I is not known even when P is. Fixture
 * tests/fixtures/partial, worked by hand:
 *
 * cobalt refining 2023: CHN 60, JPN 20, FIN 20 (no remainder): JPN's P = 20, known. Recorded imports
 * CHN 60, FIN 10 (I >= 70); exports covered, none.
 * - Reliance: at the recorded imports (70 - 0) / (20 + 70) = 7/9; more imports raise it towards 1:
 *   the range is [7/9, 1] and there is no single figure.
 * - Shares are of the recorded imports: CHN 60/70 = 6/7, FIN 1/7. S, the supplier HHI (it includes P)
 *   and GeoPolRisk (its denominator is S) are null.
 * - Gap: on the recorded figures CHN holds 60/90 = 2/3 of S > 65%: 60 - 0.65 x 90 = 1.5 t to move. The
 *   imports not read could dilute it, so the gap is `possible`, and check does not fail on it.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { analyse } from '../../src/metrics/analysis.js';
import { fixture, runCli } from '../helpers/cli.js';

describe('partly covered imports', () => {
  it('leave S unknown: shares of recorded imports, reliance a range, no HHI or GeoPolRisk', async () => {
    const graph = buildSupplyGraph(await loadDataset(fixture('partial')));
    const block = analyse(graph, { importer: 'JPN' }).materials[0]?.stages.refining?.importer;
    expect(block).toMatchObject({
      production: 20,
      imports: 70,
      exports: 0,
      supply: null,
      shareBase: 'imports',
      supplierHhi: null,
      geopolRisk: null,
      importReliance: null,
    });
    expect(block?.importRelianceRange?.[0]).toBeCloseTo(7 / 9, 12);
    expect(block?.importRelianceRange?.[1]).toBe(1);
    expect(block?.topSupplier?.country).toBe('CHN');
    expect(block?.topSupplier?.share).toBeCloseTo(6 / 7, 12);
    expect(block?.reasons.join(' ')).toMatch(/partly covered .*imports are a lower bound/);
  });

  it('makes a gap possible, not certain: check passes and says so', async () => {
    const gaps = JSON.parse((await runCli(['gaps', '--data', 'tests/fixtures/partial', '--json', '--quiet'])).stdout);
    expect(gaps.gaps).toHaveLength(1);
    expect(gaps.gaps[0]).toMatchObject({ country: 'CHN', certainty: 'possible', excess: 1.5 });
    expect(gaps.gaps[0].value).toBeCloseTo(2 / 3, 12);
    const check = await runCli(['check', '--data', 'tests/fixtures/partial', '--quiet']);
    expect(check.code).toBe(0);
    const table = await runCli(['report', '--data', 'tests/fixtures/partial', '--quiet'], { COLUMNS: '200' });
    expect(table.stdout).toMatch(/supply\s+no data\s+>= 90/);
  });

  it('trend gives the same range for the year, never "no data"', async () => {
    const json = JSON.parse((await runCli(['trend', '--data', 'tests/fixtures/partial', '--json', '--quiet'])).stdout);
    const year = json.materials[0].stages.refining.years.find((point: { year: number }) => point.year === 2023);
    expect(year.importReliance).toBeNull();
    expect(year.importRelianceRange[0]).toBeCloseTo(7 / 9, 12);
    expect(year.importRelianceRange[1]).toBe(1);
    const table = await runCli(['trend', '--data', 'tests/fixtures/partial', '--quiet'], { COLUMNS: '200' });
    expect(table.stdout).toMatch(/JPN import reliance\s+77\.8%-100\.0%/);
  });
});
