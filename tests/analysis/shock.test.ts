/**
 * Shock scenarios on tests/fixtures/analysis/shock, worked by hand.
 *
 * Cobalt, 2023, unit t. Mine production COD 100, CHN 10, AUS 20. Ore trade: COD->CHN 50,
 * COD->FIN 15, AUS->FIN 5, CHN->KOR 6, and into JPN: COD 10, CHN 4, FIN 2, KOR 3 (JPN ore supply 19).
 * Kastner mixes of ore supply: CHN 60 = 1/6 CHN + 5/6 COD; FIN 20 = 3/4 COD + 1/4 AUS;
 * KOR 6 = 1/6 CHN + 5/6 COD. JPN's ore by origin: COD 10 + 4*5/6 + 2*3/4 + 3*5/6 = 52/3,
 * CHN 4/6 + 3/6 = 7/6, AUS 1/2 (sum 19).
 * Refining production CHN 60, FIN 20, KOR 6, BEL 10. Refined trade CHN->JPN 30, FIN->JPN 15,
 * CHN->KOR 2, KOR->JPN 5 (JPN supply 50). KOR's refined supply 8 = 6/8 own + 2/8 CHN, so JPN's
 * refined metal by refiner: CHN 30 + 5*2/8 = 31.25, FIN 15, KOR 3.75.
 * Each refiner is traced only as far as its ore feed (mine output + ore imports - ore exports) reaches:
 * CHN 10 + 50 - 10 = 50 of 60 refined (5/6), FIN 20 - 2 = 18 of 20 (0.9), KOR 6 - 3 = 3 of 6 (0.5); the
 * rest is untraced under the refiner.
 * Paths (refiner, origin) as shares of 50: (CHN,CHN) 0.625*5/6*1/6, (CHN,COD) 0.625*5/6*5/6, CHN
 * untraced 0.625/6; (FIN,COD) 0.3*0.9*3/4 = 0.2025, (FIN,AUS) 0.0675, FIN untraced 0.03;
 * (KOR,CHN) 0.075*0.5/6 = 0.00625, (KOR,COD) 0.03125, KOR untraced 0.0375.
 * Governance (countries.csv): COD -1.8 (never a candidate at minGovernance -0.5), CHN -0.5, others >= 0.5.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { DEFAULT_POLICY, type Policy } from '../../src/policy/policy.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { sliceIndex } from '../../src/graph/slices.js';
import { analyse } from '../../src/metrics/analysis.js';
import { shock, type ShockStage } from '../../src/metrics/shock.js';
import { fixture, runCli } from '../helpers/cli.js';

const DATA = 'analysis/shock';

async function run(country: string, fraction = 1, stage: ShockStage = 'all', policy: Partial<Policy> = {}) {
  const dataset = await loadDataset(fixture(DATA));
  const graph = buildSupplyGraph(dataset);
  const index = sliceIndex(graph);
  const analysis = analyse(graph, { importer: 'JPN' });
  const effective: Policy = { ...DEFAULT_POLICY, partnerGroups: [], materials: {}, accept: [], ...policy };
  return shock(analysis, { country, fraction, stage }, { index, policy: effective, country: (code) => index.country(code) });
}

function stageOf(result: Awaited<ReturnType<typeof run>>, material: string, stage: 'mining' | 'refining') {
  const entry = result.materials.find((m) => m.material === material)?.stages[stage];
  if (!entry) throw new Error(`no ${material} ${stage}`);
  return entry;
}

describe('shock: refining stage', () => {
  it('a country that is both miner and refiner is counted once per path', async () => {
    // CHN: direct = paths refined in CHN = 31.25/50 = 0.625 (including CHN's own ore, 0.625/6);
    // via refiners = CHN ore refined in KOR = 0.00625. Total 0.63125, not 0.625 + (CHN,CHN) + 0.00625.
    // Lost 0.63125 x 50 = 31.5625 t.
    // Candidates (refiners but CHN, JPN): FIN upper = max(15, min(0.25*20, 0.65*50)) = 15: no room;
    // KOR max(5, 1.5) = 5: no room; BEL min(2.5, 32.5) = 2.5. Replaceable 2.5, shortfall 29.0625.
    const entry = stageOf(await run('CHN'), 'cobalt', 'refining');
    expect(entry.direct).toBeCloseTo(0.625, 12);
    expect(entry.viaRefiners).toBeCloseTo(0.00625, 12);
    expect(entry.total).toBeCloseTo(0.63125, 12);
    expect(entry.lostQuantity).toBeCloseTo(31.5625, 9);
    expect(entry.replaceable).toBeCloseTo(2.5, 9);
    expect(entry.shortfall).toBeCloseTo(29.0625, 9);
    expect(entry.shortfallShare).toBeCloseTo(0.58125, 12);
    expect(entry.plan).toEqual([{ country: 'BEL', quantity: expect.closeTo(2.5, 9) }]);
    expect(entry.transit).toBe(0);
  });

  it('a miner hits the importer only through third-country refiners', async () => {
    // COD refines nothing: direct 0; via = (CHN,COD) 0.625*25/36 + (FIN,COD) 0.2025 + (KOR,COD) 0.03125
    // = 0.4340278 + 0.23375 = 0.6677778; lost 33.388889 t. Candidates: CHN max(30, 15) no room,
    // FIN, KOR none, BEL 2.5: shortfall 30.888889 t.
    const entry = stageOf(await run('COD'), 'cobalt', 'refining');
    expect(entry.direct).toBe(0);
    const via = 0.625 * (25 / 36) + 0.2025 + 0.03125;
    expect(entry.viaRefiners).toBeCloseTo(via, 12);
    expect(entry.total).toBeCloseTo(via, 12);
    expect(entry.lostQuantity).toBeCloseTo(50 * via, 9);
    expect(entry.replaceable).toBeCloseTo(2.5, 9);
    expect(entry.shortfall).toBeCloseTo(50 * via - 2.5, 9);
  });

  it('partial fractions scale the lost shares; capacity stays the same', async () => {
    // F = 0.5: direct 0.3125, via 0.003125, total 0.315625, lost 15.78125 t, replaceable 2.5, short 13.28125.
    const entry = stageOf(await run('CHN', 0.5), 'cobalt', 'refining');
    expect(entry.direct).toBeCloseTo(0.3125, 12);
    expect(entry.viaRefiners).toBeCloseTo(0.003125, 12);
    expect(entry.total).toBeCloseTo(0.315625, 12);
    expect(entry.lostQuantity).toBeCloseTo(15.78125, 9);
    expect(entry.shortfall).toBeCloseTo(13.28125, 9);
  });

  it('the policy sets the candidates: maxRedirectShare and partner groups', async () => {
    // maxRedirectShare 1: FIN room 20-15 = 5, KOR 6-5 = 1, BEL 10: 16 t replaceable, 15.5625 short.
    const wide = stageOf(await run('CHN', 1, 'all', { maxRedirectShare: 1 }), 'cobalt', 'refining');
    expect(wide.replaceable).toBeCloseTo(16, 9);
    expect(wide.shortfall).toBeCloseTo(15.5625, 9);
    // Partner group nobody outside JPN... 'G7' is carried by no candidate: nothing replaceable.
    const none = stageOf(await run('CHN', 1, 'all', { partnerGroups: ['G7'] }), 'cobalt', 'refining');
    expect(none.replaceable).toBe(0);
    expect(none.shortfall).toBeCloseTo(31.5625, 9);
    expect(none.plan).toEqual([]);
  });

  it('a replaceable loss leaves no shortfall (antimony, refiners untraced)', async () => {
    // Antimony refining: FIN->JPN 10, CHN->JPN 1, no mine data (paths untraced, refiner = origin).
    // CHN direct 1/11, lost 1 t. FIN upper max(10, min(25, 0.65*11 = 7.15)) = 10: no room (share limit);
    // AUS min(5, 7.15) = 5: takes 1 t. Shortfall 0.
    const entry = stageOf(await run('CHN'), 'antimony', 'refining');
    expect(entry.direct).toBeCloseTo(1 / 11, 12);
    expect(entry.lostQuantity).toBeCloseTo(1, 12);
    expect(entry.replaceable).toBeCloseTo(1, 12);
    expect(entry.shortfall).toBe(0);
    expect(entry.plan).toEqual([{ country: 'AUS', quantity: expect.closeTo(1, 12) }]);
  });
});

describe('shock: mining stage', () => {
  it("splits the country's ore into shipped by itself and re-exported by third countries", async () => {
    // CHN ore in JPN's supply 7/6 t of 19: direct = CHN's own ore in the CHN->JPN flow = 4 x 1/6 = 2/3 t,
    // via third countries = through KOR 3 x 1/6 = 1/2 t. Shares 2/57 and 1/38, total 7/114.
    // Transit (COD ore shipped by CHN) 4 x 5/6 = 10/3 t = 10/57 of supply, not counted.
    // Candidates: AUS (0.25 x 20 = 5 t; COD's governance is too low): 7/6 t replaceable, no shortfall.
    const entry = stageOf(await run('CHN'), 'cobalt', 'mining');
    expect(entry.direct).toBeCloseTo(2 / 57, 12);
    expect(entry.viaRefiners).toBeCloseTo(1 / 38, 12);
    expect(entry.total).toBeCloseTo(7 / 114, 12);
    expect(entry.transit).toBeCloseTo(10 / 57, 12);
    expect(entry.lostQuantity).toBeCloseTo(7 / 6, 9);
    expect(entry.replaceable).toBeCloseTo(7 / 6, 9);
    expect(entry.shortfall).toBe(0);
  });

  it('an unreplaceable loss: COD ore', async () => {
    // COD ore 52/3 t: direct 10 t (COD ships its own ore only), via 22/3 t. Replaceable: AUS 5 t
    // (CHN: max(4, 0.25 x 10) = 4, no room). Shortfall 37/3 t = 37/57 of supply.
    const entry = stageOf(await run('COD'), 'cobalt', 'mining');
    expect(entry.direct).toBeCloseTo(10 / 19, 12);
    expect(entry.viaRefiners).toBeCloseTo(22 / 57, 12);
    expect(entry.lostQuantity).toBeCloseTo(52 / 3, 9);
    expect(entry.replaceable).toBeCloseTo(5, 9);
    expect(entry.shortfall).toBeCloseTo(37 / 3, 9);
    expect(entry.shortfallShare).toBeCloseTo(37 / 57, 12);
  });
});

describe('shock: ordering and stages', () => {
  it('sorts materials by shortfall share and filters stages', async () => {
    // cobalt's largest shortfall share 0.58125 (refining) beats antimony's 0: cobalt first.
    const all = await run('CHN');
    expect(all.materials.map((m) => m.material)).toEqual(['cobalt', 'antimony']);
    expect(all.materials[0]?.shortfallShare).toBeCloseTo(0.58125, 12);
    const mining = await run('CHN', 1, 'mining');
    expect(mining.materials.map((m) => [m.material, Object.keys(m.stages)])).toEqual([['cobalt', ['mining']]]);
  });
});

describe('supply-risk shock (CLI)', () => {
  it('JSON: the report envelope with the scenario and a shock per stage', async () => {
    const result = await runCli(['shock', '--data', `tests/fixtures/${DATA}`, '--country', 'CHN', '--fraction', '0.5', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ schemaVersion: 2, importer: 'JPN', scenario: { country: 'CHN', fraction: 0.5, stage: 'all' } });
    expect(json.materials.map((m: { material: string }) => m.material)).toEqual(['cobalt', 'antimony']);
    const refining = json.materials[0].stages.refining;
    expect(refining.importer.supply).toBe(50);
    expect(refining.world.top.country).toBe('CHN');
    expect(refining.shock).toMatchObject({
      direct: 0.3125,
      viaRefiners: 0.003125,
      total: 0.315625,
      lostQuantity: 15.78125,
      replaceable: 2.5,
      shortfall: 13.28125,
    });
  });

  it('table and markdown name the shortfall; --policy changes the candidates', async () => {
    const table = await runCli(['shock', '--data', `tests/fixtures/${DATA}`, '--country', 'CHN']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('China (CHN) supply falls by 100.0%');
    expect(table.stdout).toMatch(/cobalt\s+refining\s+2023\s+63\.1%\s+62\.5%\s+0\.6%\s+31\.6 t\s+2\.5 t\s+29\.1 t\s+58\.1%\s+BEL 2\.5/);
    const markdown = await runCli(['shock', '--data', `tests/fixtures/${DATA}`, '--country', 'CHN', '--format', 'markdown', '--max-redirect', '1']);
    expect(markdown.stdout).toContain('## Supply shock: China (CHN)');
    expect(markdown.stdout).toMatch(/\| cobalt \| refining \| 2023 \| 63\.1% \| 62\.5% \| 0\.6% \| 31\.6 t \| 16 t \| 15\.6 t \| 31\.1% \|/);
  });

  it('usage errors exit 2 without a stack trace', async () => {
    const importer = await runCli(['shock', '--data', `tests/fixtures/${DATA}`, '--country', 'JPN']);
    expect(importer.code).toBe(2);
    expect(importer.stderr).toContain('--country JPN is the importer');
    const fraction = await runCli(['shock', '--data', `tests/fixtures/${DATA}`, '--country', 'CHN', '--fraction', '1.5']);
    expect(fraction.code).toBe(2);
    expect(fraction.stderr).toContain('expected a fraction from 0 to 1');
    const missing = await runCli(['shock', '--data', `tests/fixtures/${DATA}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--country <iso3>'");
  });
});
