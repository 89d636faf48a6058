/**
 * The CI gate that fails only on new risk: `check --baseline`, `diff --fail-on`, "nothing to check"
 * and GitHub annotations for input problems.
 *
 * Fixtures (tests/fixtures/gate/, all mining 2023, importer JPN, default policy: one supplier <= 65%,
 * supplier HHI <= 2,500). JPN's own production is listed only for delta; elsewhere the source lists
 * producers and no remainder, so it is 0 and every figure is exact (gaps certain).
 *
 * base:
 * - alpha: CHN 80, AUS 20. Supplier gap CHN: excess 80 - 65 = 15 t of 100, severity 15%. Open.
 * - beta: AUS, CAN, CHL, USA 25 each. HHI 4 x 625 = 2,500, not above the limit: no gap; risk medium
 *   (HHI > 1,500).
 * - delta: JPN produces 50, imports AUS 25, CAN 25. S = 100; reliance (I - E) / (P + I - E) = 50%.
 *   Supplier HHI 2,500 + 625 + 625 = 3,750 but the foreign part 1,250 <= 2,500: no gap; medium.
 * - epsilon: CHN 90, AUS 10. Supplier gap CHN: excess 25, severity 25%. Open.
 * - gamma: AUS 60, CAN 40. HHI 3,600 + 1,600 = 5,200 > 2,500: an HHI gap (largest AUS). Open.
 * So the base has 3 open gaps (alpha, epsilon, gamma): plain `check` fails on it.
 *
 * Each other folder is base with one change:
 * - unchanged: none. Passes, 3 open gaps carried over.
 * - new-stage: adds zeta (world CHN 1,000, AUS 100; JPN imports CHN 90, AUS 10): a new supplier gap
 *   CHN 90% (severity 25%): fails.
 * - supplier-up: beta becomes AUS 70, CAN/CHL/USA 10: AUS 70% > 65% is a new gap (severity 5%), and
 *   the risk goes medium -> high: fails (2 findings).
 * - duplicated: delta's two trade rows twice (rows with the same key are summed): I = 100, S = 150,
 *   reliance 100 / 150 = 66.7%, +16.7 points. Shares 1/3 each, foreign HHI 2 x 1,111 = 2,222: still
 *   no gap, risk still medium. Passes by default; fails with --reliance-up 10 (16.7 > 10), passes with
 *   --reliance-up 20.
 * - deleted: gamma's trade rows removed. No coverage.csv, so JPN's gamma imports are now unknown (not
 *   zero): the HHI gap is not resolved but unchecked, and the stage "became unknown": fails.
 * - improved: epsilon becomes CHN, AUS, CAN, USA 25 each: HHI 2,500, no gap; risk high -> medium.
 *   Listed as resolved and improved; passes, 2 open gaps carried over.
 * - worse: alpha becomes CHN 85, AUS 15: severity 15% -> 20%, +5 points > 1 point: fails; with
 *   --tolerance 10 it passes.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { parseConditions, LIST_ONLY } from '../../src/metrics/diff.js';

const GATE = 'tests/fixtures/gate';
const BASE = `${GATE}/base`;
const TODAY = { SUPPLY_RISK_TODAY: '2026-01-01' };

interface Finding {
  material: string;
  stage: string;
  category: string;
  condition: string;
  fails: boolean;
  text: string;
}
interface CheckJson {
  passed: boolean;
  failing: number;
  open: number;
  unchangedOpen: number;
  baseline: string;
  findings: Finding[];
}

async function gate(folder: string, ...extra: string[]): Promise<{ code: number; json: CheckJson; stderr: string }> {
  const { code, stdout, stderr } = await runCli(['check', '--baseline', BASE, '--data', `${GATE}/${folder}`, '--json', '--quiet', ...extra], TODAY);
  return { code, json: JSON.parse(stdout) as CheckJson, stderr };
}

const summary = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.category} ${f.condition} ${f.material} ${f.fails ? 'FAIL' : 'ok'}`);

describe('check --baseline', () => {
  it('fails plain check on the base (3 open gaps), but passes the unchanged copy against it', async () => {
    expect((await runCli(['check', '--data', BASE, '--quiet'], TODAY)).code).toBe(1);
    const { code, json } = await gate('unchanged');
    expect(code).toBe(0);
    expect(json).toMatchObject({ passed: true, failing: 0, open: 3, unchangedOpen: 3, baseline: BASE, findings: [] });
  });

  it('fails on a new stage with a 90% China supplier', async () => {
    const { code, json } = await gate('new-stage');
    expect(code).toBe(1);
    expect(summary(json.findings)).toEqual(['new new-gap zeta FAIL']);
    expect(json.findings[0]?.text).toBe('new gap: single supplier CHN 90.0% > 65.0%, 25.0% of supply to move');
  });

  it('fails when a supplier is raised above the share limit, and says the risk rose', async () => {
    const { code, json } = await gate('supplier-up');
    expect(code).toBe(1);
    expect(summary(json.findings)).toEqual(['new new-gap beta FAIL', 'worse risk-up beta FAIL']);
    expect(json.findings[1]?.text).toBe('risk medium → high');
  });

  it('fails on duplicated rows raising import reliance only with --reliance-up below the rise', async () => {
    expect((await gate('duplicated')).code).toBe(0);
    const strict = await gate('duplicated', '--reliance-up', '10');
    expect(strict.code).toBe(1);
    expect(summary(strict.json.findings)).toEqual(['worse reliance-up delta FAIL']);
    expect(strict.json.findings[0]?.text).toBe('import reliance 50.0% → 66.7% (+16.7 pt, threshold 10.0 pt)');
    expect((await gate('duplicated', '--reliance-up', '20')).code).toBe(0);
  });

  it('fails when the trade of a covered stage is deleted: deleting data does not resolve a gap', async () => {
    const { code, json } = await gate('deleted');
    expect(code).toBe(1);
    expect(summary(json.findings)).toEqual(['worse unknown gamma FAIL']);
    expect(json.findings[0]?.text).toBe('became unknown: trade (known in the base); open gap no longer checked: supplier concentration AUS');
    // Plain check on the same data would pass: the gap is simply no longer seen.
    expect((await runCli(['check', '--data', `${GATE}/deleted`, '--material', 'gamma,beta', '--quiet'], TODAY)).code).toBe(0);
  });

  it('passes an improvement and lists it as improved and resolved', async () => {
    const { code, json } = await gate('improved');
    expect(code).toBe(0);
    expect(json).toMatchObject({ passed: true, unchangedOpen: 2 });
    expect(summary(json.findings)).toEqual(['improved risk-up epsilon ok', 'resolved new-gap epsilon ok']);
    const table = await runCli(['check', '--baseline', BASE, '--data', `${GATE}/improved`, '--quiet'], TODAY);
    expect(table.stdout).toContain('Improved\n        epsilon mining: risk high → medium');
    expect(table.stdout).toContain('Resolved\n        epsilon mining: gap closed: single supplier CHN 90.0% > 65.0% in the base');
    expect(table.stdout).toContain('PASS: nothing new or worse than tests/fixtures/gate/base. 2 open gaps carried over from the baseline.');
  });

  it('fails a gap whose excess grew by more than --tolerance share points (default 1)', async () => {
    const { code, json } = await gate('worse');
    expect(code).toBe(1);
    expect(json.findings[0]?.text).toBe('gap grew: single supplier CHN 85.0% > 65.0%, 15.0% → 20.0% of supply to move (+5.0 pt, tolerance 1.0 pt)');
    expect((await gate('worse', '--tolerance', '10')).code).toBe(0);
  });

  it('fails a GeoPolRisk rise above --geopol-up', async () => {
    // alpha: world HHI 6,213 (CHN 1,000, AUS 200, CAN 100 of 1,300); g = (2.5 - WGI) / 5: CHN 0.56,
    // AUS 0.32. Base 0.6213 x (0.56 x 80 + 0.32 x 20) / 100 = 0.3181; worse (85/15): 0.6213 x 0.524 =
    // 0.3256; +0.0075.
    const strict = await gate('worse', '--tolerance', '10', '--geopol-up', '0.005');
    expect(strict.code).toBe(1);
    expect(summary(strict.json.findings)).toEqual(['worse geopol-up alpha FAIL']);
    expect(strict.json.findings[0]?.text).toBe('GeoPolRisk 0.318 → 0.326 (+0.007, threshold 0.005)');
    expect((await gate('worse', '--tolerance', '10', '--geopol-up', '0.01')).code).toBe(0);
  });

  it('counts a possible gap that became certain as new', async () => {
    // Base: gamma-like stage where JPN is unlisted beside an unattributed 5,000 t, so P is 0..5,000 and
    // the HHI gap (AUS 60, CAN 40 of imports) is only possible. Now JPN is listed at 0 t: certain.
    const dir = (jpn: string): string => {
      const folder = mkdtempSync(join(tmpdir(), 'supply-risk-gate-'));
      copyFileSync(join(ROOT, BASE, 'countries.csv'), join(folder, 'countries.csv'));
      writeFileSync(
        join(folder, 'production.csv'),
        `material,stage,country,year,quantity,unit\ngamma,mining,AUS,2023,1000,t\ngamma,mining,CAN,2023,1000,t\n${jpn}`,
      );
      writeFileSync(
        join(folder, 'trade.csv'),
        'material,stage,exporter,importer,year,quantity,unit\ngamma,mining,AUS,JPN,2023,60,t\ngamma,mining,CAN,JPN,2023,40,t\n',
      );
      return folder;
    };
    const before = dir('gamma,mining,ZZZ,2023,5000,t\n');
    const after = dir('gamma,mining,ZZZ,2023,5000,t\ngamma,mining,JPN,2023,0,t\n');
    const { code, stdout } = await runCli(['check', '--baseline', before, '--data', after, '--json', '--quiet'], TODAY);
    expect(code).toBe(1);
    const json = JSON.parse(stdout) as CheckJson;
    // The HHI gap's volume to move comes from its plan (gaps.ts), not checked here; the risk rises with
    // it (medium -> high), and the data now knows JPN's production (an improvement, not failing).
    expect(summary(json.findings)).toEqual(['new new-gap gamma FAIL', 'worse risk-up gamma FAIL', 'improved unknown gamma ok']);
    expect(json.findings[0]?.text).toMatch(/^possible gap became certain: supplier concentration AUS HHI 5,200 > 2,500, /);
    expect(json.findings[2]?.text).toBe('now known: production');
    // The other way round, the data gained nothing it lost: JPN's production became unknown.
    const back = await runCli(['check', '--baseline', after, '--data', before, '--json', '--quiet'], TODAY);
    expect(back.code).toBe(1);
    expect(summary((JSON.parse(back.stdout) as CheckJson).findings)).toEqual(['worse unknown gamma FAIL']);
  });

  it('lists new, worse, improved and resolved in markdown and as GitHub annotations', async () => {
    const md = await runCli(['check', '--baseline', BASE, '--data', `${GATE}/supplier-up`, '--format', 'markdown', '--quiet'], TODAY);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('## supply-risk check against tests/fixtures/gate/base: failed');
    expect(md.stdout).toContain('**New**\n\n- **FAIL** beta mining: new gap: single supplier AUS 70.0% > 65.0%, 5.0% of supply to move');
    const gh = await runCli(['check', '--baseline', BASE, '--data', `${GATE}/improved`, '--format', 'github'], TODAY);
    expect(gh.code).toBe(0);
    expect(gh.stdout.split('\n')).toContain(
      '::notice file=tests/fixtures/gate/improved/trade.csv,title=epsilon mining%3A resolved::epsilon mining: gap closed: single supplier CHN 90.0%25 > 65.0%25 in the base',
    );
    const failing = await runCli(['check', '--baseline', BASE, '--data', `${GATE}/deleted`, '--format', 'github'], TODAY);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(
      /^::error file=tests\/fixtures\/gate\/deleted\/trade\.csv,title=gamma mining%3A worse::gamma mining: became unknown: trade/m,
    );
    // Warnings are annotations too under --format github, not lines on stderr.
    expect(failing.stdout).toContain("::warning title=supply-risk::JPN's imports are not covered for gamma mining");
    expect(failing.stderr).toBe('');
  });

  it('needs --baseline for its comparison options', async () => {
    const { code, stderr } = await runCli(['check', '--data', BASE, '--reliance-up', '5'], TODAY);
    expect(code).toBe(2);
    expect(stderr).toContain('give --baseline DIR too');
  });
});

describe('check with nothing to check exits 2', () => {
  it('with a header-only trade.csv', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'supply-risk-gate-'));
    for (const file of ['countries.csv', 'production.csv']) copyFileSync(join(ROOT, BASE, file), join(folder, file));
    writeFileSync(join(folder, 'trade.csv'), `${readFileSync(join(ROOT, BASE, 'trade.csv'), 'utf8').split('\n')[0]}\n`);
    const { code, stdout, stderr } = await runCli(['check', '--data', folder, '--quiet'], TODAY);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("error: nothing to check: the data covers none of JPN's imports");
    expect(stderr).not.toMatch(/PASS|No gaps/);
    // Against a baseline too: the data lost everything it had.
    expect((await runCli(['check', '--baseline', BASE, '--data', folder, '--quiet'], TODAY)).code).toBe(2);
    // Under --format github: an error annotation on the data's trade.csv.
    const gh = await runCli(['check', '--data', BASE, '--importer', 'USA', '--format', 'github'], TODAY);
    expect(gh.code).toBe(2);
    expect(gh.stderr).toMatch(/^::error file=tests\/fixtures\/gate\/base\/trade\.csv::nothing to check: the data covers none of USA's imports/);
  });

  it('with --year 1990 and with an importer the embedded data has no trade for', async () => {
    const year = await runCli(['check', '--year', '1990', '--quiet'], TODAY);
    expect(year.code).toBe(2);
    expect(year.stderr).toMatch(/1990/);
    expect(year.stdout).toBe('');
    // ISL had no trade rows in the embedded data of issue 12; newer BACI rows may add some. Whichever
    // of ISL and ATA (Antarctica) has none in trade.csv must exit 2.
    const trade = readFileSync(join(ROOT, 'data/trade.csv'), 'utf8');
    const importer = ['ISL', 'ATA'].find((code) => !new RegExp(`^[^,]*,[^,]*,[^,]*,${code},`, 'm').test(trade)) ?? 'ATA';
    const empty = await runCli(['check', '--importer', importer, '--quiet'], TODAY);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`nothing to check: the data covers none of ${importer}'s imports`);
    expect(empty.stdout).toBe('');
  });

  it('with a year the fixture has no data for', async () => {
    const { code, stderr } = await runCli(['check', '--data', BASE, '--year', '2020', '--quiet'], TODAY);
    expect(code).toBe(2);
    expect(stderr).toMatch(/2020/);
  });
});

describe('diff --fail-on', () => {
  it('parses the conditions and rejects unknown ones', () => {
    expect(parseConditions('new-gap,reliance-up:5,hhi-up:500')).toMatchObject({ newGap: true, worseGap: false, relianceUp: 0.05, hhiUp: 500, geopolUp: null });
    expect(parseConditions('worse-gap:2.5').tolerance).toBeCloseTo(0.025, 12);
    expect(parseConditions('all')).toMatchObject({ newGap: true, worseGap: true, riskUp: true, unknown: true });
    expect(() => parseConditions('new-gaps')).toThrow(/unknown condition "new-gaps"/);
    expect(() => parseConditions('reliance-up')).toThrow(/reliance-up:N/);
    expect(() => parseConditions('risk-up:3')).toThrow(/takes no value/);
    expect(LIST_ONLY.newGap).toBe(false);
  });

  it('shows years, volumes, new stages and gaps, and gates like check --baseline', async () => {
    const listed = await runCli(['diff', '--base', BASE, '--data', `${GATE}/duplicated`, '--quiet'], TODAY);
    expect(listed.code).toBe(0);
    // delta: imports 50 -> 100, supply 100 -> 150.
    expect(listed.stdout).toMatch(/delta\s+mining\s+2023, 2023\s+100 → 150 \(\+50, \+50\.0%\)\s+50 → 100 \(\+50, \+100\.0%\)/);
    const reliance = await runCli(['diff', '--base', BASE, '--data', `${GATE}/duplicated`, '--fail-on', 'reliance-up:10', '--quiet'], TODAY);
    expect(reliance.code).toBe(1);
    expect(reliance.stdout).toContain('FAIL: 1 finding new or worse (reliance up 1)');

    const stage = await runCli(['diff', '--base', BASE, '--data', `${GATE}/new-stage`, '--fail-on', 'new-gap', '--json', '--quiet'], TODAY);
    expect(stage.code).toBe(1);
    const json = JSON.parse(stage.stdout) as { failOn: string[]; failing: number; stages: { material: string; status: string; gapsAppeared: unknown[] }[] };
    expect(json.failOn).toEqual(['new-gap']);
    expect(json.stages.find((s) => s.material === 'zeta')).toMatchObject({ status: 'added', gapsAppeared: [{ basis: 'supplier', country: 'CHN' }] });

    expect((await runCli(['diff', '--base', BASE, '--data', `${GATE}/deleted`, '--fail-on', 'unknown', '--quiet'], TODAY)).code).toBe(1);
    expect((await runCli(['diff', '--base', BASE, '--data', `${GATE}/deleted`, '--fail-on', 'new-gap,risk-up', '--quiet'], TODAY)).code).toBe(0);
    expect((await runCli(['diff', '--base', BASE, '--data', `${GATE}/supplier-up`, '--fail-on', 'risk-up', '--quiet'], TODAY)).code).toBe(1);
    expect((await runCli(['diff', '--base', BASE, '--data', `${GATE}/worse`, '--fail-on', 'worse-gap', '--quiet'], TODAY)).code).toBe(1);
    expect((await runCli(['diff', '--base', BASE, '--data', `${GATE}/worse`, '--fail-on', 'worse-gap:6', '--quiet'], TODAY)).code).toBe(0);
    expect((await runCli(['diff', '--base', BASE, '--data', `${GATE}/improved`, '--fail-on', 'all', '--quiet'], TODAY)).code).toBe(0);
  });

  it('keeps --fail-on-increase as hhi-up', async () => {
    // supplier-up: beta supplier HHI 2,500 -> 4,900 + 3 x 100 = 5,200, +2,700 points.
    const old = await runCli(['diff', '--base', BASE, '--data', `${GATE}/supplier-up`, '--fail-on-increase', '2000', '--quiet'], TODAY);
    const same = await runCli(['diff', '--base', BASE, '--data', `${GATE}/supplier-up`, '--fail-on', 'hhi-up:2000', '--quiet'], TODAY);
    expect(old.code).toBe(1);
    expect(same.code).toBe(1);
    expect(old.stdout).toBe(same.stdout);
    expect(old.stdout).toContain('FAIL: supplier HHI rose by more than 2,000 points in 1 stage (marked !)');
    expect((await runCli(['diff', '--base', BASE, '--data', `${GATE}/supplier-up`, '--fail-on', 'hhi-up:3000', '--quiet'], TODAY)).code).toBe(0);
  });

  it('with --fail-on all fails exactly where check --baseline fails (one comparison)', async () => {
    const folders = ['unchanged', 'new-stage', 'supplier-up', 'duplicated', 'deleted', 'improved', 'worse'];
    const codes = await Promise.all(
      folders.map(async (folder) => {
        const check = await runCli(['check', '--baseline', BASE, '--data', `${GATE}/${folder}`, '--quiet'], TODAY);
        const diff = await runCli(['diff', '--base', BASE, '--data', `${GATE}/${folder}`, '--fail-on', 'all', '--quiet'], TODAY);
        return `${folder} ${check.code} ${diff.code}`;
      }),
    );
    expect(codes).toEqual(['unchanged 0 0', 'new-stage 1 1', 'supplier-up 1 1', 'duplicated 0 0', 'deleted 1 1', 'improved 0 0', 'worse 1 1']);
  });

  it('rejects a bad --fail-on with exit 2', async () => {
    const { code, stderr } = await runCli(['diff', '--base', BASE, '--data', BASE, '--fail-on', 'hhi-up:lots'], TODAY);
    expect(code).toBe(2);
    expect(stderr).toContain('hhi-up takes HHI points from 0 to 10000');
  });
});

describe('input problems under --format github', () => {
  it('are workflow commands with the file relative to the working directory, line and column', async () => {
    const folder = mkdtempSync(join(ROOT, 'tests/fixtures/gate/.tmp-'));
    try {
      for (const file of ['countries.csv', 'production.csv']) copyFileSync(join(ROOT, BASE, file), join(folder, file));
      // Line 4 is beta's first row; field 6 is quantity.
      writeFileSync(
        join(folder, 'trade.csv'),
        readFileSync(join(ROOT, BASE, 'trade.csv'), 'utf8').replace('beta,mining,AUS,JPN,2023,25,t', 'beta,mining,AUS,JPN,2023,2S,t'),
      );
      const relative = folder.slice(ROOT.length).split('\\').join('/');
      const gh = await runCli(['check', '--data', relative, '--format', 'github'], TODAY);
      expect(gh.code).toBe(2);
      expect(gh.stdout).toBe('');
      expect(gh.stderr.split('\n')[0]).toMatch(
        new RegExp(`^::error file=${relative.replace(/[.]/g, '\\.')}/trade\\.csv,line=4,col=6::quantity "2S" is not a number`),
      );
      // Without --format github the line stays as it was.
      const plain = await runCli(['check', '--data', relative], TODAY);
      expect(plain.stderr.split('\n')[0]).toMatch(/^error: trade\.csv:4:6: quantity "2S"/);
    } finally {
      const { rmSync } = await import('node:fs');
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('name the policy file as given', async () => {
    const gh = await runCli(['check', '--data', BASE, '--policy', 'tests/fixtures/gaps/policies/misspelt.json', '--format', 'github'], TODAY);
    expect(gh.code).toBe(2);
    expect(gh.stderr).toMatch(/^::error file=tests\/fixtures\/gaps\/policies\/misspelt\.json/m);
  });
});
