/**
 * Unknown is never zero: trade coverage, own-production ranges, refiners traced only as far as their
 * ore feed, one base for shares, governance by year. Every expected number is worked out by hand in
 * the comment above it, from the fixtures in tests/fixtures/truth and tests/fixtures/coverage.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { analyse } from '../../src/metrics/analysis.js';
import { assess } from '../../src/metrics/gaps.js';
import { relianceRange } from '../../src/metrics/importer.js';
import { shock } from '../../src/metrics/shock.js';
import { sliceIndex } from '../../src/graph/slices.js';
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { fixture, ROOT, runCli } from '../helpers/cli.js';

async function graphOf(name: string) {
  return buildSupplyGraph(await loadDataset(fixture(name)));
}

async function blockOf(name: string, material: string, stage: 'mining' | 'refining', options: { year?: number; importer?: string } = {}) {
  const analysis = analyse(await graphOf(name), {
    importer: options.importer ?? 'JPN',
    materials: [material],
    ...(options.year ? { year: options.year } : {}),
  });
  return analysis.materials[0]?.stages[stage];
}

describe('trade coverage (tests/fixtures/coverage has a coverage.csv)', () => {
  it('a covered year with no rows is a real zero; an uncovered importer is unknown', async () => {
    // JPN lithium refining 2023: coverage.csv covers its imports and exports, trade.csv has no row:
    // imports 0 and exports 0 are known. Production 2023 lists CHN and CHL and no remainder, so JPN
    // produced 0. Supply 0, reliance 0, nothing unknown.
    const stage = await blockOf('coverage', 'lithium', 'refining');
    expect(stage?.importer).toMatchObject({ year: 2023, unknown: [], imports: 0, exports: 0, production: 0, supply: 0, productionStatus: 'absent' });
    // KOR imports 20 t of lithium from CHN in 2022, but no coverage row covers KOR: with a coverage.csv,
    // it alone says what is covered, so KOR's trade is unknown, never 20 t or 0 t.
    const korea = await blockOf('coverage', 'lithium', 'refining', { importer: 'KOR', year: 2022 });
    expect(korea?.importer).toMatchObject({
      unknown: ['trade'],
      imports: null,
      importReliance: null,
      importRelianceRange: null,
      supplierHhi: null,
      geopolRisk: null,
      low: null,
    });
  });

  it('withheld own production (W) is unknown; a partial read is said', async () => {
    // JPN nickel refining 2022 is `W`: P unknown, [0, unbounded]. I = 10 (AUS), E = 0 (exports covered).
    // Reliance: high end f(0) = 1 (no production, imports > 0); low end: P unbounded -> 0.
    // AUS is 10/10 of imports: shares of imports. Imports are `partial`, and the reasons say so.
    const block = (await blockOf('coverage', 'nickel', 'refining'))?.importer;
    expect(block).toMatchObject({
      year: 2022,
      productionStatus: 'withheld',
      productionRange: [0, null],
      production: null,
      supply: null,
      imports: 10,
      importReliance: null,
      shareBase: 'imports',
      supplierHhi: null,
      geopolRisk: null,
    });
    expect(block?.importRelianceRange).toEqual([0, 1]);
    expect(block?.unknown).toEqual(['production']);
    expect(block?.coverage).toEqual({ imports: 'partial', exports: 'full' });
    expect(block?.reasons.join(' ')).toMatch(/partly covered.*withheld by the source/);
    expect(block?.topSupplier).toMatchObject({ country: 'AUS', share: 1 });
  });

  it('without a coverage.csv, rows into an importer imply coverage; no rows -> unknown', async () => {
    // tests/fixtures/truth has no coverage.csv. JPN imports cobalt at the refining stage (rows) but not
    // at the mining stage: the mining block is trade-unknown, not "no imports".
    const stage = await blockOf('truth', 'cobalt', 'mining');
    expect(stage?.importer?.unknown).toEqual(['trade']);
    expect(stage?.importer?.imports).toBeNull();
  });
});

describe('own production: listed, a range up to the remainder, unknown', () => {
  it('unlisted with an unattributed remainder R: P in [0, R], reliance a range, shares of imports', async () => {
    // cobalt refining 2023 lists CHN 70, FIN 30 and ZZZ 20; JPN is not listed: P in [0, 20].
    // I = 14 (CHN) + 6 (FIN) = 20, E = 0. Reliance at P = 0: 1 (no production); at P = 20:
    // (20 - 0) / (20 + 20 - 0) = 0.5. So [0.5, 1], and no single figure.
    // Shares of imports (P not known): CHN 14/20 = 0.7, FIN 0.3. Supplier HHI and GeoPolRisk need P: null.
    const block = (await blockOf('truth', 'cobalt', 'refining'))?.importer;
    expect(block).toMatchObject({
      productionStatus: 'unlisted',
      productionRange: [0, 20],
      importReliance: null,
      shareBase: 'imports',
      supplierHhi: null,
      geopolRisk: null,
      supply: null,
    });
    expect(block?.importRelianceRange?.[0]).toBeCloseTo(0.5, 12);
    expect(block?.importRelianceRange?.[1]).toBe(1);
    expect(block?.topSupplier?.share).toBeCloseTo(0.7, 12);
    expect(block?.reasons.join(' ')).toMatch(/between 0 and the 20 the source leaves unattributed/);
  });

  it('reliance is monotone: the range ends are its values at the ends of P and E', () => {
    // P in [10, 30], I = 30, E = 5 known: high = (30 - 5) / (10 + 30 - 5) = 25/35, low = 25/55.
    const [low, high] = relianceRange(10, 30, 30, 5, true);
    expect(low).toBeCloseTo(25 / 55, 12);
    expect(high).toBeCloseTo(25 / 35, 12);
    // Exports not covered: any E is possible, so with P > 0 possible the low end is 0.
    expect(relianceRange(10, 30, 30, 5, false)).toEqual([0, 25 / 35]);
    // P known to be 0 and imports > 0: 1 whatever the exports.
    expect(relianceRange(0, 0, 30, 50, false)).toEqual([1, 1]);
  });

  it('a gap over part of the range is possible, not certain; risk is not high', async () => {
    // Default limit 65%. At P = 0 CHN holds 14/20 = 70% > 65%: a supplier gap. At P = 20 it holds
    // 14/40 = 35%: none. So the gap is `possible`; its excess is at P = 0: 14 - 0.65 x 20 = 1 t.
    const graph = await graphOf('truth');
    const analysis = analyse(graph, { importer: 'JPN', materials: ['cobalt'] });
    const index = sliceIndex(graph);
    const assessment = assess(analysis, { policy: DEFAULT_POLICY, country: (code, year) => index.countryIn(code, year), today: '2026-01-01' });
    const refining = assessment.stages.find((stage) => stage.stage === 'refining');
    expect(refining?.gaps).toHaveLength(1);
    expect(refining?.gaps[0]).toMatchObject({ basis: 'supplier', country: 'CHN', certainty: 'possible' });
    expect(refining?.gaps[0]?.excess).toBeCloseTo(1, 12);
    expect(refining?.risk).toBe('medium');
    expect(assessment.stages.find((stage) => stage.stage === 'mining')?.risk).toBe('unknown');
  });
});

describe('refiners traced only as far as their ore feed', () => {
  it('the worked example: fed 60 t (45 COD, 15 IDN), refines 70 t', async () => {
    // CHN mines no cobalt and imports 45 t of ore from COD and 15 t from IDN: feed 60 t, refined 70 t.
    // Of CHN's output 45/70 is traced to COD, 15/70 to IDN, 10/70 is untraced under CHN.
    // JPN takes 14/20 = 0.7 of its imports from CHN and 0.3 from FIN (no feed: untraced under FIN).
    // Origins (shares of imports): COD 0.7 x 45/70 = 0.45, IDN 0.7 x 15/70 = 0.15, CHN 0.7 x 10/70 = 0.1
    // untraced, FIN 0.3 untraced; untracedShare 0.4.
    const block = (await blockOf('truth', 'cobalt', 'refining'))?.importer;
    const origins = Object.fromEntries(block?.origins.map((o) => [o.country, [o.share, o.traced]]) ?? []);
    expect(origins.COD?.[0]).toBeCloseTo(0.45, 12);
    expect(origins.COD?.[1]).toBe(true);
    expect(origins.IDN?.[0]).toBeCloseTo(0.15, 12);
    expect(origins.CHN?.[0]).toBeCloseTo(0.1, 12);
    expect(origins.CHN?.[1]).toBe(false);
    expect(origins.FIN).toEqual([expect.closeTo(0.3, 12), false]);
    expect(block?.untracedShare).toBeCloseTo(0.4, 12);
    expect(block?.topOrigin).toMatchObject({ country: 'COD', traced: true });
  });

  it('shock on a mining country charges only the traced tonnes (a lower bound)', async () => {
    // A full COD stop takes the paths mined in COD: 0.45 of JPN's imports, 0.45 x 20 = 9 t, all via
    // CHN (refined elsewhere). CHN's untraced 10/70 is not charged to any mine.
    const graph = await graphOf('truth');
    const analysis = analyse(graph, { importer: 'JPN', materials: ['cobalt'] });
    const index = sliceIndex(graph);
    const result = shock(
      analysis,
      { country: 'COD', fraction: 1, stage: 'all' },
      { index, policy: DEFAULT_POLICY, country: (code, year) => index.countryIn(code, year) },
    );
    const refining = result.materials[0]?.stages.refining;
    expect(refining?.viaRefiners).toBeCloseTo(0.45, 12);
    expect(refining?.direct).toBe(0);
    expect(refining?.lostQuantity).toBeCloseTo(9, 12);
    expect(refining?.shareBase).toBe('imports');
    // The mining stage's trade is not covered: listed as unknown, never as "nothing lost".
    expect(result.materials[0]?.unknown.map((entry) => entry.stage)).toEqual(['mining']);
  });
});

describe('one base for shares: exports beyond supply', () => {
  it('origins and shock are shares of S = P + I even when E > P + I', async () => {
    // tin mining 2023: IDN 100 and MMR 50 listed, no remainder, so JPN produced 0 (known).
    // I = 20 (IDN) + 10 (MMR) = 30, E = 60 (to KOR) > S = 30. Origins over S: IDN 20/30, MMR 10/30,
    // nothing untraced (Kastner's supply for JPN is its 60 t of exports; the 30 t excess is taken out).
    // Reliance: P = 0 and I > 0 -> 1.
    // GeoPolRisk: world HHI = 10000 x ((2/3)^2 + (1/3)^2) = 50000/9; g_IDN = (2.5 + 0.5)/5 = 0.6,
    // g_MMR = (2.5 + 2)/5 = 0.9 -> (0.6 x 20 + 0.9 x 10)/30 = 0.7 -> 5/9 x 0.7 = 7/18.
    const block = (await blockOf('truth', 'tin', 'mining'))?.importer;
    expect(block).toMatchObject({ unknown: [], supply: 30, imports: 30, exports: 60, importReliance: 1, exportsExceedSupply: true, shareBase: 'supply' });
    const origins = Object.fromEntries(block?.origins.map((o) => [o.country, o.share]) ?? []);
    expect(origins.IDN).toBeCloseTo(2 / 3, 12);
    expect(origins.MMR).toBeCloseTo(1 / 3, 12);
    expect(origins.JPN).toBeUndefined();
    expect(block?.untracedShare).toBeCloseTo(0, 12);
    expect(block?.geopolRisk).toBeCloseTo(7 / 18, 12);
    // Shock on IDN: its 20 t are lost, 20/30 of S (not 20/60).
    const graph = await graphOf('truth');
    const analysis = analyse(graph, { importer: 'JPN', materials: ['tin'] });
    const index = sliceIndex(graph);
    const result = shock(
      analysis,
      { country: 'IDN', fraction: 1, stage: 'mining' },
      { index, policy: DEFAULT_POLICY, country: (code, year) => index.countryIn(code, year) },
    );
    expect(result.materials[0]?.stages.mining?.total).toBeCloseTo(2 / 3, 12);
    expect(result.materials[0]?.stages.mining?.lostQuantity).toBeCloseTo(20, 12);
  });
});

describe('governance by year', () => {
  it("GeoPolRisk uses each exporter's score of the block's year, or the latest before it", async () => {
    // lithium refining 2022: P = 0 (listed CHN 100, CHL 50, no remainder), I = 30 (CHN) + 10 (CHL),
    // E = 4 (covered). World HHI 2022 = 10000 x ((2/3)^2 + (1/3)^2) = 50000/9.
    // governance.csv: CHN 2022 -0.6 (its 2021 score -0.4 is not used); CHL has only 2020 0.5.
    // g_CHN = (2.5 + 0.6)/5 = 0.62, g_CHL = (2.5 - 0.5)/5 = 0.4 -> (0.62 x 30 + 0.4 x 10)/40 = 0.565.
    // GeoPolRisk = 5/9 x 0.565 = 0.3138...; the older score's year is named.
    const block = (await blockOf('coverage', 'lithium', 'refining', { year: 2022 }))?.importer;
    expect(block?.geopolRisk).toBeCloseTo((5 / 9) * 0.565, 12);
    expect(block?.governanceYears).toEqual([2020]);
  });

  it('the world block weights each producer by its score of the block year', async () => {
    // lithium refining 2022: CHN 100, CHL 50. hhiWgi = sum share^2 x 2 x (2.5 - WGI):
    // (2/3)^2 x 2 x (2.5 + 0.6) + (1/3)^2 x 2 x (2.5 - 0.5) = 24.8/9 + 4/9 = 3.2.
    const stage = await blockOf('coverage', 'lithium', 'refining', { year: 2022 });
    expect(stage?.world?.hhiWgi).toBeCloseTo(3.2, 12);
  });

  it('a WGI estimate outside -2.5..2.5 is data, not an error', async () => {
    // AUS 2022 is -2.8 in governance.csv (real estimates reach -2.80): it loads, and the weight clamps to 1.
    const dataset = await loadDataset(fixture('coverage'));
    expect(dataset.governance.get('AUS')?.get(2022)).toBe(-2.8);
  });
});

describe('one question, one answer', () => {
  it('report and report --year Y give the same importer block for a block of year Y', async () => {
    for (const name of ['truth', 'coverage', '../../data']) {
      const graph = name === '../../data' ? buildSupplyGraph(await loadDataset(`${ROOT}data`)) : await graphOf(name);
      const latest = analyse(graph, { importer: 'JPN' });
      for (const material of latest.materials) {
        for (const [stage, entry] of Object.entries(material.stages)) {
          const year = entry.importer?.year;
          if (year === undefined) continue;
          const fixed = analyse(graph, { importer: 'JPN', year, materials: [material.material] }).materials[0]?.stages[stage as 'mining' | 'refining'];
          const { low: _l, high: _h, ...a } = entry.importer!;
          const { low: _l2, high: _h2, ...b } = fixed!.importer!;
          expect(b).toEqual(a);
        }
      }
    }
  });
});

describe('CLI', () => {
  it('an importer with no trade coverage gets one warning and unknown blocks, not numbers', async () => {
    const result = await runCli(['report', '--data', 'tests/fixtures/coverage', '--importer', 'USA', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/the data covers none of USA's imports/);
    const report = JSON.parse(result.stdout) as { materials: { stages: Record<string, { importer?: { unknown: string[]; importReliance: unknown } }> }[] };
    const blocks = report.materials.flatMap((material) => Object.values(material.stages).map((stage) => stage.importer));
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(block?.unknown).toContain('trade');
      expect(block?.importReliance).toBeNull();
    }
  });

  it('the table says unknown and why, and the CSV leaves the cell empty rather than 0', async () => {
    const table = await runCli(['report', '--data', 'tests/fixtures/truth', '--material', 'cobalt']);
    expect(table.stdout).toMatch(/import reliance\s+unknown\s+50\.0%-100\.0%/);
    expect(table.stdout).toMatch(/50\.0%-100\.0%/);
    expect(table.stdout).toMatch(/refining: JPN's cobalt refining production in 2023 is not listed/);
    const csv = await runCli(['report', '--data', 'tests/fixtures/truth', '--material', 'cobalt', '--format', 'csv']);
    const [header, mining] = csv.stdout.trim().split('\n');
    const cells = Object.fromEntries((header ?? '').split(',').map((name, i) => [name, (mining ?? '').split(',')[i]]));
    expect(cells.unknown).toBe('trade');
    expect(cells.import_reliance).toBe('');
    expect(cells.imports).toBe('');
  });
});
