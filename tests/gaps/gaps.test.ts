/**
 * Gap rules on hand-worked fixtures (tests/fixtures/gaps/basic). Importer JPN, year 2023, unit t.
 * Governance (countries.csv): AUS 0.9, CAN 0.9, BRA -0.4, CHL -1.0, CHN -0.3, COD -1.5, IDN -0.6,
 * USA 0, SWE 1.0, KOR 0.6, FIN 1.0; MEX has none (counts as 0). Groups: AUS like-minded, CAN
 * like-minded + G7, USA G7 + like-minded, BRA LatAm.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { limitsFor, mergePolicy, type Policy } from '../../src/policy/policy.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { sliceIndex } from '../../src/graph/slices.js';
import { analyse } from '../../src/metrics/analysis.js';
import { assess, candidatesFrom, type Gap } from '../../src/metrics/gaps.js';
import { shock } from '../../src/metrics/shock.js';
import { fixture } from '../helpers/cli.js';

const BASIC = fixture('gaps/basic');

async function gapsFor(policy: Partial<Policy> = {}, today = '2026-01-01') {
  const dataset = await loadDataset(BASIC);
  const graph = buildSupplyGraph(dataset);
  const full = mergePolicy({}, {});
  const effective: Policy = { ...full, ...policy };
  const analysis = analyse(graph, { importer: effective.importer });
  const index = sliceIndex(graph);
  return assess(analysis, { policy: effective, country: (code) => index.country(code), today });
}

function find(gaps: readonly Gap[], material: string, basis: Gap['basis']): Gap {
  const gap = gaps.find((entry) => entry.material === material && entry.basis === basis);
  if (!gap) throw new Error(`no ${basis} gap for ${material}`);
  return gap;
}

function plan(gap: Gap): Record<string, number> {
  return Object.fromEntries(gap.plan.map((entry) => [entry.country, entry.quantity]));
}

describe('supplier basis (alpha mining)', () => {
  // Supply S = CHN 80 + AUS 20 = 100; CHN share 0.80 > 0.65: excess = 80 - 0.65 x 100 = 15.
  // Candidates (production at 2023, not CHN/JPN, WGI >= -0.5): AUS 100, CAN 20, BRA 200, MEX 8 (no
  // score = 0). COD (-1.5) and IDN (-0.6) fail the governance floor.
  // Resulting quantity bounds, r = 0.25 and share cap 65: AUS [20, 25], CAN [0, 5], BRA [0, 50], MEX [0, 2].
  // Water-filling 15: level 0->2 raises CAN, BRA, MEX (6); 2->5 CAN, BRA (6, total 12); then BRA alone
  // to 8 (3 more). Plan BRA 8, CAN 5 (capacity binds), MEX 2 (capacity binds); AUS (already 20) none.
  // After: CHN 65, AUS 20, BRA 8, CAN 5, MEX 2: HHI = 4225 + 400 + 64 + 25 + 4 = 4718.
  it('moves the excess to candidates by water-filling, capacities binding and not binding', async () => {
    const { gaps, stages } = await gapsFor();
    const gap = find(gaps, 'alpha', 'supplier');
    expect(gap).toMatchObject({ country: 'CHN', share: 0.8, limit: 0.65, unfilled: 0, accepted: false });
    expect(gap.excess).toBeCloseTo(15, 9);
    expect(plan(gap)).toEqual({ BRA: expect.closeTo(8, 9), CAN: expect.closeTo(5, 9), MEX: expect.closeTo(2, 9) });
    expect(gap.plan.map((entry) => entry.country)).toEqual(['BRA', 'CAN', 'MEX']);
    expect(gap.shareAfter).toBeCloseTo(0.65, 9);
    expect(gap.hhiAfter).toBeCloseTo(4718, 6);
    expect(gap.candidates).toBe(4);
    // A supplier gap stands alone: no separate hhi gap for the same stage, which is high risk.
    expect(gaps.filter((entry) => entry.material === 'alpha')).toHaveLength(1);
    expect(stages.find((entry) => entry.material === 'alpha')?.risk).toBe('high');
  });

  // --min-governance -2 admits COD (400: cap 100) and IDN (60: cap 15): level 0->2 takes 10 (5 bins),
  // then CAN, BRA, COD, IDN share 5: level 3.25. HHI = 4225 + 400 + 4 x 3.25^2 + 2^2 = 4671.25.
  it('admits low-governance candidates when the floor is lowered', async () => {
    const gap = find((await gapsFor({ minGovernance: -2 })).gaps, 'alpha', 'supplier');
    expect(plan(gap)).toEqual({
      BRA: expect.closeTo(3.25, 9),
      CAN: expect.closeTo(3.25, 9),
      COD: expect.closeTo(3.25, 9),
      IDN: expect.closeTo(3.25, 9),
      MEX: expect.closeTo(2, 9),
    });
    expect(gap.hhiAfter).toBeCloseTo(4671.25, 6);
  });

  // --min-governance 0.5: BRA (-0.4) and MEX (missing = 0) drop out; AUS [20,25] and CAN [0,5] take
  // 10 of 15: unfilled 5, CHN keeps 70. HHI = 4900 + 625 + 25 = 5550.
  it('counts a missing governance score as 0', async () => {
    const gap = find((await gapsFor({ minGovernance: 0.5 })).gaps, 'alpha', 'supplier');
    expect(plan(gap)).toEqual({ AUS: expect.closeTo(5, 9), CAN: expect.closeTo(5, 9) });
    expect(gap.unfilled).toBeCloseTo(5, 9);
    expect(gap.shareAfter).toBeCloseTo(0.7, 9);
    expect(gap.hhiAfter).toBeCloseTo(5550, 6);
  });

  // partnerGroups [G7]: only CAN (cap 5) among producers: 5 placed, 10 unfilled (structural);
  // CHN 75: HHI = 5625 + 400 + 25 = 6050.
  it('keeps only candidates of the partner groups; the rest is a structural gap', async () => {
    const gap = find((await gapsFor({ partnerGroups: ['G7'] })).gaps, 'alpha', 'supplier');
    expect(plan(gap)).toEqual({ CAN: expect.closeTo(5, 9) });
    expect(gap.unfilled).toBeCloseTo(10, 9);
    expect(gap.shareAfter).toBeCloseTo(0.75, 9);
    expect(gap.hhiAfter).toBeCloseTo(6050, 6);
  });
});

describe('share limit binding and per-material override (beta mining)', () => {
  // Supply CHN 80 + AUS 20; producers CHN, AUS, CAN 1000 each (capacity 250: never binding).
  // Override beta.maxSingleCountryShare = 0.3: excess = 80 - 30 = 50. Bounds: AUS [20, 30], CAN [0, 30]
  // (the share limit binds). Room 10 + 30 = 40: unfilled 10. After CHN 40, AUS 30, CAN 30:
  // share 0.4, HHI = 1600 + 900 + 900 = 3400. Alpha keeps the global 0.65.
  it('caps each candidate at the share limit', async () => {
    const { gaps } = await gapsFor({ materials: { beta: { maxSingleCountryShare: 0.3 } } });
    const gap = find(gaps, 'beta', 'supplier');
    expect(gap.limit).toBe(0.3);
    expect(gap.excess).toBeCloseTo(50, 9);
    expect(plan(gap)).toEqual({ CAN: expect.closeTo(30, 9), AUS: expect.closeTo(10, 9) });
    expect(gap.unfilled).toBeCloseTo(10, 9);
    expect(gap.shareAfter).toBeCloseTo(0.4, 9);
    expect(gap.hhiAfter).toBeCloseTo(3400, 6);
    expect(find(gaps, 'alpha', 'supplier').limit).toBe(0.65);
  });

  // Default limit 0.65: excess 15; AUS [20, 65], CAN [0, 65]: CAN alone rises to 15.
  it('uses the global limit without an override', async () => {
    const gap = find((await gapsFor()).gaps, 'beta', 'supplier');
    expect(plan(gap)).toEqual({ CAN: expect.closeTo(15, 9) });
  });
});

describe('hhi basis', () => {
  // gamma: AUS 40, CAN 40, CHL 20 (S 100, HHI 3600 > 2500, no share above 0.65). Candidates: USA and
  // SWE (1000 each; ZZZ's 5000 is never a candidate; CHL fails governance). AUS and CAN are cut to a
  // ceiling t, the 80 - 2t moved split evenly on USA and SWE (40 - t each, below t):
  // HHI = 2t^2 + 400 + 2(40 - t)^2 = 2500  =>  t^2 - 40t + 275 = 0  =>  t = 20 + sqrt(125) = 31.1803.
  // excess = 80 - 2t = 17.6393, USA = SWE = 8.8197, AUS share after 0.311803, HHI after 2500.
  it('moves the least volume off the largest suppliers that brings the HHI to the limit', async () => {
    const gap = find((await gapsFor()).gaps, 'gamma', 'hhi');
    const t = 20 + Math.sqrt(125);
    expect(gap).toMatchObject({ country: 'AUS', limit: 2500, value: 3600, unfilled: 0 });
    expect(gap.excess).toBeCloseTo(80 - 2 * t, 6);
    expect(plan(gap)).toEqual({ SWE: expect.closeTo(40 - t, 6), USA: expect.closeTo(40 - t, 6) });
    expect(Object.fromEntries(gap.cuts.map((c) => [c.country, c.quantity]))).toEqual({ AUS: expect.closeTo(40 - t, 6), CAN: expect.closeTo(40 - t, 6) });
    expect(gap.shareAfter).toBeCloseTo(t / 100, 6);
    expect(gap.hhiAfter).toBeCloseTo(2500, 4);
  });

  // delta: same suppliers, only USA as candidate. USA can take at most the ceiling t (no candidate
  // ends above the cut suppliers): HHI(t) = 2t^2 + 400 + (80 - 2t)^2 for t >= 80/3, lowest at t = 80/3:
  // AUS = CAN = USA = 26.667, CHL 20: HHI = 3 x 711.11 + 400 = 2533.33 > 2500 (structural).
  // Still to leave the three largest: 3t'^2 + 400 = 2500, t' = sqrt(700) = 26.4575: 3 x (80/3 - t') =
  // 0.6275 unfilled. excess = 26.667 placed + 0.6275.
  it('reports a structural hhi gap when no candidate plan reaches the limit', async () => {
    const gap = find((await gapsFor()).gaps, 'delta', 'hhi');
    const unfilled = 3 * (80 / 3 - Math.sqrt(700));
    expect(plan(gap)).toEqual({ USA: expect.closeTo(80 / 3, 4) });
    expect(gap.unfilled).toBeCloseTo(unfilled, 4);
    expect(gap.excess).toBeCloseTo(80 / 3 + unfilled, 4);
    expect(gap.hhiAfter).toBeCloseTo(2533.333, 2);
  });
});

describe('origin basis (epsilon refining)', () => {
  // JPN buys refined epsilon from KOR 50 and FIN 50 (S 100). KOR's feed: COD 100 (all COD); FIN's:
  // COD 80 + AUS 20. Origins: COD 0.5 + 0.5 x 0.8 = 0.9, AUS 0.1. No supplier above 0.65, so an
  // origin gap: excess = (0.9 - 0.65) x 100 = 25. Candidates: other mine producers AUS (100, bound
  // [10, 25]) and CAN (200, bound [0, 50]). Level 10 (CAN 10), then both to 17.5.
  // Origins after: COD 65, AUS 17.5, CAN 17.5: HHI = 4225 + 2 x 306.25 = 4837.5.
  it('reports the origin country and plans in origin terms', async () => {
    const { gaps } = await gapsFor({ maxSupplierHhi: 10000 });
    const gap = find(gaps, 'epsilon', 'origin');
    expect(gap).toMatchObject({ stage: 'refining', country: 'COD', limit: 0.65, unfilled: 0 });
    expect(gap.share).toBeCloseTo(0.9, 9);
    expect(gap.excess).toBeCloseTo(25, 9);
    expect(plan(gap)).toEqual({ CAN: expect.closeTo(17.5, 9), AUS: expect.closeTo(7.5, 9) });
    expect(gap.shareAfter).toBeCloseTo(0.65, 9);
    expect(gap.hhiAfter).toBeCloseTo(4837.5, 6);
    expect(gaps.filter((entry) => entry.material === 'epsilon')).toHaveLength(1);
  });

  // With the default HHI limit the refiners' 50/50 split (HHI 5000) is an hhi gap too. Only KOR and
  // FIN refine, both are cut: no candidate, the ideal cut to 35.355 each (2 x 35.355^2 = 2500) is
  // all unfilled: 2 x (50 - 35.355) = 29.289.
  it('has an hhi gap with no candidate at all', async () => {
    const gap = find((await gapsFor()).gaps, 'epsilon', 'hhi');
    expect(gap.plan).toEqual([]);
    expect(gap.unfilled).toBeCloseTo(100 - 2 * Math.sqrt(1250), 6);
    expect(gap.hhiAfter).toBeCloseTo(5000, 6);
  });
});

describe('ordering, risk and accepts', () => {
  it('lists gaps most severe first (excess / supply)', async () => {
    const { gaps } = await gapsFor();
    const severities = gaps.map((gap) => gap.severity);
    expect(severities).toEqual([...severities].sort((a, b) => b - a));
    expect(gaps[0]).toMatchObject({ material: 'epsilon', basis: 'hhi' });
  });

  it('marks accepted gaps, ignores expired accepts and reports stale ones', async () => {
    const accept = [
      { material: 'alpha', stage: 'mining' as const, reason: 'offtake agreements signed', expires: '2026-06-30' },
      { material: 'beta', basis: 'hhi' as const, reason: 'no such gap' },
      { material: 'gamma', country: 'AUS', reason: 'expired one', expires: '2025-12-31' },
    ];
    const { gaps, accepts } = await gapsFor({ accept }, '2026-01-01');
    expect(find(gaps, 'alpha', 'supplier')).toMatchObject({ accepted: true, acceptReason: 'offtake agreements signed' });
    expect(find(gaps, 'gamma', 'hhi').accepted).toBe(false);
    expect(accepts.map((state) => [state.status, state.matched])).toEqual([
      ['active', 1],
      ['stale', 0],
      ['expired', 1],
    ]);
    // The last day counts; the day after, the accept has expired.
    const later = await gapsFor({ accept }, '2026-07-01');
    expect(find(later.gaps, 'alpha', 'supplier').accepted).toBe(false);
    expect(later.accepts[0]?.status).toBe('expired');
    const lastDay = await gapsFor({ accept }, '2026-06-30');
    expect(find(lastDay.gaps, 'alpha', 'supplier').accepted).toBe(true);
  });

  it('grades risk: high with a gap, medium and low by the bands', async () => {
    // Raise every limit: no gaps. alpha (CHN 80%) is then medium; nothing is low because every
    // fixture stage is concentrated, so check one with the world HHI only: none here.
    const { stages } = await gapsFor({ maxSingleCountryShare: 1, maxSupplierHhi: 10000 });
    expect(stages.every((stage) => stage.gaps.length === 0)).toBe(true);
    expect(stages.find((stage) => stage.material === 'alpha')?.risk).toBe('medium');
  });
});

describe('excluded countries (default: PRK, UN Security Council export bans)', () => {
  // kappa mining, importer JPN, 2023, unit t. Production: CHN 1000, PRK 400, AUS 40, CAN 20, BRA 8.
  // Governance: PRK 0.2 (set above the floor on purpose, so that only the exclusion removes it),
  // AUS 0.9, CAN 0.9, BRA -0.4, CHN -0.3. Supply S = CHN 90 + AUS 10 = 100.
  // CHN share 0.90 > 0.65: excess = 90 - 65 = 25. Bounds (r = 0.25, share cap 65):
  // AUS [10, 10] (0.25 x 40 = 10, already bought: no room), CAN [0, 5], BRA [0, 2], PRK [0, 65].
  // PRK allowed: level 0->2 raises CAN, BRA, PRK (6); 2->5 CAN, PRK (6, total 12); then PRK alone
  //   takes the last 13 -> 18. Plan PRK 18, CAN 5, BRA 2: PRK would be the largest candidate.
  // PRK excluded (default): only CAN 5 and BRA 2 can take volume: 7 placed, 18 unfilled (structural),
  //   CHN keeps 83: shareAfter 0.83, HHI after = 83^2 + 10^2 + 5^2 + 2^2 = 6889 + 100 + 25 + 4 = 7018.
  //   Candidates AUS, CAN, BRA: 3 (AUS counts although it has no room left).
  const dir = mkdtempSync(join(tmpdir(), 'supply-risk-exclude-'));
  writeFileSync(
    join(dir, 'countries.csv'),
    'country,name,governance,groups\nAUS,Australia,0.9,like-minded\nBRA,Brazil,-0.4,LatAm\nCAN,Canada,0.9,G7\nCHN,China,-0.3,\nJPN,Japan,1.0,G7\nPRK,North Korea,0.2,\n',
  );
  writeFileSync(
    join(dir, 'production.csv'),
    'material,stage,country,year,quantity,unit\nkappa,mining,CHN,2023,1000,t\nkappa,mining,PRK,2023,400,t\nkappa,mining,AUS,2023,40,t\nkappa,mining,CAN,2023,20,t\nkappa,mining,BRA,2023,8,t\n',
  );
  writeFileSync(
    join(dir, 'trade.csv'),
    'material,stage,exporter,importer,year,quantity,unit\nkappa,mining,CHN,JPN,2023,90,t\nkappa,mining,AUS,JPN,2023,10,t\n',
  );

  async function kappa(file: Parameters<typeof mergePolicy>[0] = {}) {
    const graph = buildSupplyGraph(await loadDataset(dir));
    const index = sliceIndex(graph);
    const policy = mergePolicy(file);
    const analysis = analyse(graph, { importer: 'JPN' });
    const country = (code: string) => index.country(code);
    const gap = find(assess(analysis, { policy, country, today: '2026-01-01' }).gaps, 'kappa', 'supplier');
    const shocked = () => shock(analysis, { country: 'CHN', fraction: 1, stage: 'mining' }, { index, policy, country }).materials[0]?.stages.mining;
    return { gap, shocked, analysis, policy, country };
  }

  it('never proposes PRK by default, even as the best candidate; the rest is a structural gap', async () => {
    const { gap } = await kappa();
    expect(gap.excess).toBeCloseTo(25, 9);
    expect(plan(gap)).toEqual({ CAN: expect.closeTo(5, 9), BRA: expect.closeTo(2, 9) });
    expect(gap.unfilled).toBeCloseTo(18, 9);
    expect(gap.shareAfter).toBeCloseTo(0.83, 9);
    expect(gap.hhiAfter).toBeCloseTo(7018, 6);
    expect(gap.candidates).toBe(3);
  });

  it('proposes PRK first when a material override lifts the exclusion', async () => {
    const { gap } = await kappa({ materials: { kappa: { excludeCountries: [] } } });
    expect(plan(gap)).toEqual({ PRK: expect.closeTo(18, 9), CAN: expect.closeTo(5, 9), BRA: expect.closeTo(2, 9) });
    expect(gap.plan[0]?.country).toBe('PRK');
    expect(gap.unfilled).toBe(0);
    expect(gap.candidates).toBe(4);
    // 65^2 + 18^2 + 10^2 + 5^2 + 2^2 = 4225 + 324 + 100 + 25 + 4 = 4678.
    expect(gap.hhiAfter).toBeCloseTo(4678, 6);
  });

  it('drops excluded countries in the shared candidate rule, whatever the caller excludes itself', async () => {
    const { analysis, policy, country } = await kappa();
    const world = analysis.materials[0]?.stages.mining?.world;
    const names = (limits: ReturnType<typeof limitsFor>) =>
      candidatesFrom(world, new Map(), new Set(['CHN']), limits, country)
        .map((c) => c.country)
        .sort();
    expect(names(limitsFor(policy, 'kappa'))).toEqual(['AUS', 'BRA', 'CAN']);
    expect(names({ ...limitsFor(policy, 'kappa'), excludeCountries: [] })).toEqual(['AUS', 'BRA', 'CAN', 'PRK']);
  });

  it('applies the same rule to shock replacements', async () => {
    // CHN stops entirely: 90 lost. Bins with room (cap 65): CAN [0, 5], BRA [0, 2], PRK [0, 65].
    // Default: 7 replaceable, shortfall 83. Without the exclusion: 5 + 2 + 65 = 72, shortfall 18.
    const excluded = (await kappa()).shocked();
    expect(excluded?.plan.map((entry) => entry.country)).toEqual(['CAN', 'BRA']);
    expect(excluded?.replaceable).toBeCloseTo(7, 9);
    expect(excluded?.shortfall).toBeCloseTo(83, 9);
    const allowed = (await kappa({ excludeCountries: [] })).shocked();
    expect(allowed?.plan[0]).toEqual({ country: 'PRK', quantity: expect.closeTo(65, 9) });
    expect(allowed?.shortfall).toBeCloseTo(18, 9);
  });
});
