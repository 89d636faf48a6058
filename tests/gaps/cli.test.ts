/**
 * The gap commands end to end: in-process through main(argv, io), and once through the built binary.
 * Fixtures and their hand-worked numbers: gaps.test.ts. Accept dates are checked against
 * SUPPLY_RISK_TODAY so the tests do not depend on the calendar.
 */
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/schema.js';
import { runCli, spawnCli } from '../helpers/cli.js';

const BASIC = 'tests/fixtures/gaps/basic';
const BASE = 'tests/fixtures/gaps/base';
const POLICIES = 'tests/fixtures/gaps/policies';
const TODAY = { SUPPLY_RISK_TODAY: '2026-01-01' };

describe('gaps', () => {
  it('lists every gap, most severe first, and exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['gaps', '--data', BASIC, '--json'], TODAY);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { gaps: { material: string; basis: string }[]; policy: Record<string, unknown> };
    expect(report.gaps.map((gap) => `${gap.material}/${gap.basis}`)).toEqual([
      'epsilon/hhi',
      'delta/hhi',
      'epsilon/origin',
      'gamma/hhi',
      'alpha/supplier',
      'beta/supplier',
    ]);
    expect(report.policy).toMatchObject({ importer: 'JPN', maxSingleCountryShare: 0.65, maxSupplierHhi: 2500 });
    expect(stderr).toContain('no governance score for 1 country (MEX)');
  });

  it('applies the policy file and flags on top of it', async () => {
    // strict-partners: G7 partners only, beta limit 0.3; --max-share 0.7 replaces both share limits.
    const { code, stdout } = await runCli(['gaps', '--data', BASIC, '--policy', `${POLICIES}/strict-partners.json`, '--max-share', '0.7', '--json'], TODAY);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      policy: { maxSingleCountryShare: number; materials: object; partnerGroups: string[] };
      gaps: { material: string; basis: string; excess: number; plan: { country: string }[] }[];
    };
    expect(report.policy).toMatchObject({ maxSingleCountryShare: 0.7, materials: {}, partnerGroups: ['G7'] });
    const alpha = report.gaps.find((gap) => gap.material === 'alpha');
    // 80 - 0.7 x 100 = 10; CAN is the only G7 producer.
    expect(alpha?.excess).toBeCloseTo(10, 9);
    expect(alpha?.plan.map((entry) => entry.country)).toEqual(['CAN']);
  });

  it('prints a table naming the dominant country, the breach, the plan and the unfilled volume', async () => {
    const { stdout } = await runCli(['gaps', '--data', BASIC, '--quiet'], { ...TODAY, COLUMNS: '200' });
    expect(stdout).toMatch(
      /alpha\s+mining 2023\s+single supplier\s+CHN China 80\.0%\s+80\.0% > 65\.0%\s+15 t\s+BRA 8, CAN 5, MEX 2\s+0\s+CHN 65\.0%, HHI 4,718\s+unknown\s+open/,
    );
    expect(stdout).toContain('29.3 t unfilled (structural)');
    // No trade row of the fixture carries a value_usd: the premium is unknown, never 0.
    expect(stdout.replace(/\s+/g, ' ')).toContain(
      'Price, estimated from trade unit values (USD per t): unknown (no trade row with a value_usd gives a unit value for BRA, CAN, MEX, CHN).',
    );
  });
});

describe('check exit codes', () => {
  it('exits 1 when a gap is not accepted', async () => {
    const { code, stdout } = await runCli(['check', '--data', BASIC, '--quiet'], TODAY);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL: 5 open gaps, 0 accepted, 1 possible');
  });

  it('exits 0 with --no-exit-code', async () => {
    expect((await runCli(['check', '--data', BASIC, '--quiet', '--no-exit-code'], TODAY)).code).toBe(0);
  });

  it('exits 0 when every gap is accepted, and warns about a stale accept', async () => {
    const { code, stdout, stderr } = await runCli(['check', '--data', BASIC, '--policy', `${POLICIES}/accept-all.json`, '--json'], TODAY);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { passed: boolean; failing: number; accepts: { status: string }[] };
    expect(report).toMatchObject({ passed: true, failing: 0 });
    expect(report.accepts.map((state) => state.status)).toEqual(['active', 'active', 'active', 'active', 'active', 'stale']);
    expect(stderr).toContain('warning: accept[5] (zeta) matches no gap; remove it (stale)');
  });

  it('exits 1 once the accepts have expired', async () => {
    const { code, stderr } = await runCli(['check', '--data', BASIC, '--policy', `${POLICIES}/accept-all.json`, '--quiet'], {
      SUPPLY_RISK_TODAY: '2028-01-01',
    });
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const loud = await runCli(['check', '--data', BASIC, '--policy', `${POLICIES}/accept-all.json`], { SUPPLY_RISK_TODAY: '2028-01-01' });
    expect(loud.stderr).toContain('accept[0] (alpha mining supplier CHN) expired on 2027-12-31; its gap counts again');
  });

  it('exits 2 on a misspelt policy key, naming it', async () => {
    const { code, stdout, stderr } = await runCli(['check', '--data', BASIC, '--policy', `${POLICIES}/misspelt.json`], TODAY);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('error: tests/fixtures/gaps/policies/misspelt.json:2:3: unknown key "maxSupplierHHI" (did you mean "maxSupplierHhi"?)');
  });

  it('exits 2 on invalid data and on a missing policy file', async () => {
    const bad = await runCli(['check', '--data', 'tests/fixtures/gaps/policies'], TODAY);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/production\.csv/);
    const missing = await runCli(['check', '--data', BASIC, '--policy', 'nope.json'], TODAY);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: nope.json: policy file not found');
  });

  it('prints GitHub annotations naming the data file', async () => {
    const { code, stdout } = await runCli(['check', '--data', BASIC, '--quiet', '--format', 'github', '--material', 'alpha'], TODAY);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe(
      '::error file=tests/fixtures/gaps/basic/trade.csv,title=alpha mining%3A single supplier CHN 80.0%25 > 65.0%25::' +
        "CHN China supplies 80.0%25 of JPN's alpha mining (limit 65.0%25): 15 t (15.0%25 of supply) must come from elsewhere; proposed: BRA 8, CAN 5, MEX 2.",
    );
  });
});

describe('diff exit codes', () => {
  // base: alpha CHN 60 + AUS 40 (supplier HHI 3600 + 1600 = 5200, an hhi gap);
  // now: CHN 80 + AUS 20 (6800, a supplier gap): +1600 points.
  it('reports the changes and exits 0 without a threshold', async () => {
    const { code, stdout } = await runCli(['diff', '--base', BASE, '--data', BASIC, '--json', '--quiet'], TODAY);
    expect(code).toBe(0);
    const diff = JSON.parse(stdout) as {
      changed: number;
      stages: {
        material: string;
        changed: boolean;
        supplierHhi: { change: number };
        topSupplier: { base: number; current: number };
        gapsAppeared: unknown[];
        gapsGone: unknown[];
      }[];
    };
    expect(diff.changed).toBe(1);
    const alpha = diff.stages.find((entry) => entry.material === 'alpha');
    expect(alpha?.supplierHhi.change).toBeCloseTo(1600, 6);
    expect(alpha?.topSupplier).toMatchObject({ base: 0.6, current: 0.8 });
    expect(alpha?.gapsAppeared).toEqual([{ basis: 'supplier', country: 'CHN' }]);
    expect(alpha?.gapsGone).toEqual([{ basis: 'hhi', country: 'CHN' }]);
  });

  it('exits 1 when a supplier HHI rose by more than --fail-on-increase', async () => {
    const { code, stdout } = await runCli(['diff', '--base', BASE, '--data', BASIC, '--fail-on-increase', '1000', '--quiet'], TODAY);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL: supplier HHI rose by more than 1,000 points in 1 stage');
  });

  it('exits 0 when the rise is within the threshold, or when HHI fell', async () => {
    expect((await runCli(['diff', '--base', BASE, '--data', BASIC, '--fail-on-increase', '2000', '--quiet'], TODAY)).code).toBe(0);
    expect((await runCli(['diff', '--base', BASIC, '--data', BASE, '--fail-on-increase', '0', '--quiet'], TODAY)).code).toBe(0);
  });

  it('exits 2 when the base folder is missing or --base is not given', async () => {
    const missing = await runCli(['diff', '--base', 'tests/fixtures/gaps/none', '--data', BASIC], TODAY);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('data folder not found');
    expect((await runCli(['diff', '--data', BASIC], TODAY)).code).toBe(2);
  });
});

describe('report carries gaps and risk', () => {
  it('adds risk and gaps to each stage and echoes the policy, within the JSON schema', async () => {
    const { code, stdout } = await runCli(['report', '--data', BASIC, '--json', '--quiet'], TODAY);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      policy: unknown;
      materials: { material: string; stages: Record<string, { risk: string; gaps: { basis: string }[] }> }[];
    };
    expect(reportSchema.safeParse(report).success).toBe(true);
    const risk = Object.fromEntries(report.materials.flatMap((m) => Object.entries(m.stages).map(([stage, s]) => [`${m.material}/${stage}`, s.risk])));
    // zeta: seven suppliers of 10 each (HHI 1429, top share 14%), world HHI 1429: low.
    // epsilon mining: no rows of ore into JPN and no coverage.csv, so JPN's ore trade is unknown: the
    // stage's risk is unknown, never low.
    // gamma mining: JPN is not listed beside an unattributed 5,000 t, so its own output is between 0
    // and 5,000 t. Imports AUS 40, CAN 40, CHL 20: supplier HHI 3,600 > 2,500 at P = 0, but at
    // P = 5,000 every share is under 1%: the HHI gap is only possible, and the risk medium.
    expect(risk).toEqual({
      'alpha/mining': 'high',
      'beta/mining': 'high',
      'delta/mining': 'high',
      'epsilon/mining': 'unknown',
      'epsilon/refining': 'high',
      'gamma/mining': 'medium',
      'zeta/mining': 'low',
    });
    expect(report.materials.find((m) => m.material === 'alpha')?.stages.mining?.gaps.map((g) => g.basis)).toEqual(['supplier']);
  });
});

describe('built binary', () => {
  it('check exits 1 with the verdict on stdout and warnings on stderr', () => {
    const { code, stdout, stderr } = spawnCli(['check', '--data', BASIC, '--material', 'alpha,beta'], TODAY);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL: 2 open gaps, 0 accepted');
    expect(stderr).toContain('warning: no governance score for 1 country (MEX)');
  });

  it('check --no-exit-code exits 0; a bad policy exits 2 with no stack trace', () => {
    expect(spawnCli(['check', '--data', BASIC, '--quiet', '--no-exit-code'], TODAY).code).toBe(0);
    const bad = spawnCli(['check', '--data', BASIC, '--policy', `${POLICIES}/misspelt.json`], TODAY);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
