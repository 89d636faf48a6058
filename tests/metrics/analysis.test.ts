import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { analyse } from '../../src/metrics/analysis.js';
import { geopolWeight, importReliance } from '../../src/metrics/importer.js';
import { fixture } from '../helpers/cli.js';

async function analyseFixture(name: string, options: { year?: number; importer?: string } = {}) {
  const dataset = await loadDataset(fixture(name));
  return analyse(buildSupplyGraph(dataset), { importer: options.importer ?? 'JPN', ...(options.year ? { year: options.year } : {}) });
}

describe('two-stage fixture (tests/fixtures/two-stage), worked by hand', () => {
  it('world mining block', async () => {
    // COD 100, AUS 20, ZZZ 10: total 130. Shares COD 10/13, AUS 2/13, unattributed 1/13.
    // HHI = 10000 x (10^2 + 2^2) / 13^2 = 1040000 / 169 = 6153.846...
    // hhiWgi = (10/13)^2 x 2 x (2.5 + 2) + (2/13)^2 x 2 x (2.5 - 1) = 900/169 + 12/169 = 912/169
    const analysis = await analyseFixture('two-stage');
    const world = analysis.materials[0]?.stages.mining?.world;
    expect(world).toMatchObject({ year: 2023, unit: 't', total: 130, producers: 2 });
    expect(world?.hhi).toBeCloseTo(1040000 / 169, 9);
    expect(world?.top?.country).toBe('COD');
    expect(world?.top?.share).toBeCloseTo(10 / 13, 12);
    expect(world?.cr3).toBeCloseTo(12 / 13, 12);
    expect(world?.hhiWgi).toBeCloseTo(912 / 169, 12);
    expect(world?.unattributedShare).toBeCloseTo(1 / 13, 12);
  });

  it('an importer with no mining-stage rows (and no coverage.csv) has unknown trade there, not zero', async () => {
    // Without coverage.csv, only rows into JPN say that its trade was read; it has none at the mining
    // stage, so its imports there are unknown: null figures, never 0.
    const analysis = await analyseFixture('two-stage');
    const block = analysis.materials[0]?.stages.mining?.importer;
    // Its mine output is unlisted beside a 10 t remainder: between 0 and 10 t.
    expect(block).toMatchObject({
      unknown: ['trade', 'production'],
      productionRange: [0, 10],
      imports: null,
      importReliance: null,
      topSupplier: null,
      geopolRisk: null,
    });
  });

  it('importer refining block: reliance, suppliers, origins through refiners, GeoPolRisk', async () => {
    // P = 5 (own refining), I = 12 + 8 (CHN, two rows summed) + 5 (FIN) = 25, E = 2 (to KOR). S = 30.
    // reliance = (25 - 2) / (5 + 25 - 2) = 23/28.
    // suppliers CHN 20/30, FIN 5/30, JPN 5/30; supplier HHI = 10000 x (400 + 25 + 25) / 900 = 5000.
    // Origins: CHN refines ore from COD only (COD->CHN 60, no CHN mining) -> COD 20/30;
    // FIN refines AUS ore -> AUS 5/30; JPN has no mining-stage data -> JPN 5/30 untraced.
    // GeoPolRisk: world refining HHI = 10000 x (50^2 + 10^2 + 5^2) / 65^2 = 26250000/4225;
    // g_CHN = (2.5 + 0.5)/5 = 0.6, g_FIN = (2.5 - 1)/5 = 0.3 -> (0.6 x 20 + 0.3 x 5) / 30 = 0.45.
    const analysis = await analyseFixture('two-stage');
    const block = analysis.materials[0]?.stages.refining?.importer;
    expect(block).toMatchObject({ year: 2023, production: 5, imports: 25, exports: 2, supply: 30, unknown: [], shareBase: 'supply' });
    expect(block?.importRelianceRange).toEqual([block?.importReliance, block?.importReliance]);
    expect(block?.importReliance).toBeCloseTo(23 / 28, 12);
    expect(block?.suppliers.map((s) => [s.country, s.quantity])).toEqual([
      ['CHN', 20],
      ['FIN', 5],
      ['JPN', 5],
    ]);
    expect(block?.supplierHhi).toBeCloseTo(5000, 9);
    expect(block?.topSupplier?.country).toBe('CHN');
    expect(block?.topSupplier?.share).toBeCloseTo(2 / 3, 12);
    const origins = Object.fromEntries(block?.origins.map((o) => [o.country, [o.share, o.traced]]) ?? []);
    expect(origins.COD?.[0]).toBeCloseTo(2 / 3, 12);
    expect(origins.COD?.[1]).toBe(true);
    expect(origins.AUS?.[0]).toBeCloseTo(1 / 6, 12);
    expect(origins.JPN).toEqual([expect.closeTo(1 / 6, 12), false]);
    expect(block?.topOrigin?.country).toBe('COD');
    expect(block?.untracedShare).toBeCloseTo(1 / 6, 12);
    expect(block?.geopolRisk).toBeCloseTo((26250000 / 4225 / 10000) * 0.45, 12);
  });

  it('with --year and no data for that year, blocks are absent rather than zero-filled', async () => {
    const analysis = await analyseFixture('two-stage', { year: 2020 });
    expect(analysis.materials).toEqual([]);
  });

  it('rejects an unknown material by name', async () => {
    const dataset = await loadDataset(fixture('two-stage'));
    expect(() => analyse(buildSupplyGraph(dataset), { importer: 'JPN', materials: ['unobtainium'] })).toThrow(
      /no data for material unobtainium; the data has: cobalt/,
    );
  });
});

describe('years of the blocks (tests/fixtures/years)', () => {
  it('each block takes its own latest year; the importer block pairs no other year', async () => {
    // Production for 2022 and 2023, trade into JPN only in 2021: world = 2023, importer = 2021 (its
    // latest covered year). 2021 has no production data, so JPN's own production is unknown: shares
    // are of imports (PHL 9/10), reliance is the range [0, 1], nothing is borrowed from 2022.
    const analysis = await analyseFixture('years');
    const stage = analysis.materials[0]?.stages.mining;
    expect(stage?.world?.year).toBe(2023);
    expect(stage?.world?.total).toBe(110);
    expect(stage?.importer).toMatchObject({ year: 2021, unknown: ['production'], productionStatus: 'missing', shareBase: 'imports', importReliance: null });
    expect(stage?.importer?.importRelianceRange).toEqual([0, 1]);
    expect(stage?.importer?.topSupplier?.share).toBeCloseTo(0.9, 12);
  });

  it('a fixed year gives the same block', async () => {
    const analysis = await analyseFixture('years', { year: 2021 });
    const stage = analysis.materials[0]?.stages.mining;
    expect(stage?.world).toBeUndefined();
    expect(stage?.importer?.year).toBe(2021);
    // Without production the exporters' supply cannot be traced: it stops at them, untraced.
    expect(stage?.importer?.untracedShare).toBeCloseTo(1, 12);
    const latest = (await analyseFixture('years')).materials[0]?.stages.mining?.importer;
    expect(stage?.importer?.topSupplier).toEqual(latest?.topSupplier);
    expect(stage?.importer?.importRelianceRange).toEqual(latest?.importRelianceRange);
  });
});

describe('formulas', () => {
  it('import reliance = (I - E) / (P + I - E), clamped to 0..1; 1 when nothing is produced', () => {
    expect(importReliance(0, 10, 0)).toBe(1);
    expect(importReliance(0, 10, 30)).toBe(1); // no production: all use is imported, re-exports aside
    expect(importReliance(10, 30, 0)).toBeCloseTo(0.75, 12);
    expect(importReliance(10, 5, 8)).toBe(0); // net exporter: (5 - 8) / 7 < 0
    expect(importReliance(10, 5, 20)).toBe(0); // P + I - E <= 0
  });

  it('GeoPolRisk governance weight clamps to 0..1 and treats a missing score as 0', () => {
    expect(geopolWeight(2.5)).toBe(0);
    expect(geopolWeight(-2.5)).toBe(1);
    expect(geopolWeight(null)).toBe(0.5);
    expect(geopolWeight(-3)).toBe(1);
  });
});
