/**
 * The GitHub Action (action.yml) and the package it installs. Nothing here can run GitHub, so:
 * - action.yml is read (a small reader for the subset of YAML it is written in), its inputs and steps
 *   checked, and the check step's `run:` script is run with bash the way the runner would: `${{ }}`
 *   expressions substituted, the step's env set, `supply-risk` on PATH (a shim to this checkout's
 *   bin/), in a workspace holding the pull request's data in data/ and the base's in base/data.
 *   Unchanged data: exit 0; a new 90%-China stage: exit 1 with an error annotation.
 * - `npm pack` makes a tarball that installs into an empty folder and whose `supply-risk report`
 *   exits 0 (the install step of the action does the same from the action's folder).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  shell?: string;
  with: Record<string, string>;
  env: Record<string, string>;
  run?: string;
}

interface Action {
  inputs: Record<string, { required: boolean; default: string | undefined }>;
  using: string;
  steps: Step[];
}

/** Scalars as action.yml writes them: plain, or in single quotes. */
function scalar(text: string): string {
  const value = text.trim();
  return value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1).replace(/''/g, "'") : value;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** Reads action.yml: inputs (name, required, default), runs.using and runs.steps. */
function readAction(text: string): Action {
  const lines = text.split('\n');
  const action: Action = { inputs: {}, using: '', steps: [] };
  let section = '';
  let input: string | undefined;
  let step: Step | undefined;
  let map: 'with' | 'env' | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const indent = indentOf(line);
    if (indent === 0) {
      section = line.replace(/:.*$/, '');
      continue;
    }
    if (section === 'inputs') {
      if (indent === 2) action.inputs[(input = line.trim().replace(/:$/, ''))] = { required: false, default: undefined };
      else if (indent === 4 && input) {
        const [key = '', ...rest] = line.trim().split(':');
        if (key === 'required') action.inputs[input]!.required = scalar(rest.join(':')) === 'true';
        if (key === 'default') action.inputs[input]!.default = scalar(rest.join(':'));
      }
      continue;
    }
    if (section !== 'runs') continue;
    if (indent === 2 && line.trim().startsWith('using:')) action.using = scalar(line.trim().slice('using:'.length));
    const body = line.trim().replace(/^- /, '');
    if (indent === 4 && line.trim().startsWith('- ')) {
      action.steps.push((step = { with: {}, env: {} }));
      map = undefined;
    }
    if (!step || indent < 4) continue;
    if (indent <= 6) {
      const [key = '', ...rest] = body.split(':');
      const value = rest.join(':').trim();
      map = undefined;
      if (key === 'with' || key === 'env') map = key;
      else if (key === 'run' && value === '|') {
        const block: string[] = [];
        while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || indentOf(lines[i + 1]!) > 6)) block.push(lines[++i]!.slice(8));
        step.run = `${block.join('\n').trimEnd()}\n`;
      } else if (key === 'name' || key === 'id' || key === 'uses' || key === 'shell' || key === 'run') step[key] = scalar(value);
    } else if (map && indent === 8) {
      const [key = '', ...rest] = body.split(':');
      step[map][key] = scalar(rest.join(':'));
    }
  }
  return action;
}

const ACTION = readAction(readFileSync(join(ROOT, 'action.yml'), 'utf8'));

/** The runner's substitution of `${{ inputs.x }}` and `${{ github.action_path }}`. */
function substitute(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_match, name: string) => {
    if (name === 'github.action_path') return ROOT;
    if (name.startsWith('inputs.')) {
      const key = name.slice('inputs.'.length);
      const declared = ACTION.inputs[key];
      if (!declared) throw new Error(`action.yml uses undeclared input ${key}`);
      return inputs[key] ?? declared.default ?? '';
    }
    throw new Error(`no value for \${{ ${name} }} in this test`);
  });
}

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** Runs one step's script as the runner would (bash, env, expressions), in `cwd`. */
function runStep(step: Step, inputs: Record<string, string>, cwd: string): { code: number; stdout: string; stderr: string } {
  const bin = mkdtempSync(join(tmpdir(), 'supply-risk-action-bin-'));
  temporary.push(bin);
  writeFileSync(join(bin, 'supply-risk'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'supply-risk'), 0o755);
  const env = Object.fromEntries(Object.entries(step.env).map(([key, value]) => [key, substitute(value, inputs)]));
  const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', substitute(step.run ?? '', inputs)], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SUPPLY_RISK_TODAY: '2026-01-01', ...env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A workspace as actions/checkout leaves it: the pull request in ., the base branch in base/. */
function workspace(changed: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'supply-risk-action-'));
  temporary.push(dir);
  cpSync(join(ROOT, 'tests/fixtures/gate', changed), join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'base'));
  cpSync(join(ROOT, 'tests/fixtures/gate/base'), join(dir, 'base/data'), { recursive: true });
  return dir;
}

describe('action.yml', () => {
  it('is a composite action: Node 20, install this package, then check --baseline', () => {
    expect(ACTION.using).toBe('composite');
    expect(Object.keys(ACTION.inputs).sort()).toEqual(['args', 'baseline', 'data', 'format', 'policy']);
    expect(ACTION.inputs.baseline?.required).toBe(true);
    expect(ACTION.inputs.format?.default).toBe('github');
    const [node, install, check] = ACTION.steps;
    expect(node?.uses).toMatch(/^actions\/setup-node@v\d+$/);
    expect(node?.with['node-version']).toBe('20');
    expect(install?.run).toContain('npm pack');
    expect(install?.run).toContain('npm install --global');
    expect(check?.id).toBe('check');
    expect(check?.shell).toBe('bash');
    // Inputs reach the script through env only (no ${{ }} inside the script: no injection).
    expect(check?.run).not.toContain('${{');
    expect(check?.run).toContain('supply-risk "$@"');
  });

  const check = (): Step => {
    const step = ACTION.steps.find((entry) => entry.id === 'check');
    if (!step) throw new Error('action.yml has no step with id: check');
    return step;
  };

  it('passes the unchanged data (exit 0) though the base has open gaps', () => {
    const result = runStep(check(), { baseline: 'base/data' }, workspace('unchanged'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('supply-risk check: PASS: nothing new or worse than base/data. 3 open gaps carried over from the baseline.');
  });

  it('fails a new 90%-China stage (exit 1) with an error annotation on data/trade.csv', () => {
    const result = runStep(check(), { baseline: 'base/data' }, workspace('new-stage'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('::error file=data/trade.csv,title=zeta mining%3A new::zeta mining: new gap: single supplier CHN 90.0%25 > 65.0%25');
  });

  it('passes policy, format and extra options through', () => {
    const dir = workspace('duplicated');
    writeFileSync(join(dir, 'policy.json'), '{ "maxSingleCountryShare": 0.65 }\n');
    const loose = runStep(check(), { baseline: 'base/data', policy: 'policy.json', format: 'markdown' }, dir);
    expect(loose.code).toBe(0);
    expect(loose.stdout).toContain('## supply-risk check against base/data: passed');
    const strict = runStep(check(), { baseline: 'base/data', policy: 'policy.json', args: '--reliance-up 10' }, dir);
    expect(strict.code).toBe(1);
  });
});

describe('npm pack', () => {
  it('makes a tarball that installs into an empty folder and runs report', (context) => {
    const dest = mkdtempSync(join(tmpdir(), 'supply-risk-pack-'));
    temporary.push(dest);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // --ignore-scripts: `prepare` would build dist/ again; `npm test` has just built it (pretest).
    expect(existsSync(join(ROOT, 'dist/cli/main.js'))).toBe(true);
    const pack = spawnSync(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', dest], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = readdirSync(dest).find((file) => file.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const target = join(dest, 'install');
    mkdirSync(target);
    writeFileSync(join(target, 'package.json'), '{ "name": "empty", "version": "1.0.0", "private": true }\n');
    const install = (mode: string) =>
      spawnSync(npm, ['install', mode, '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', join(dest, tarball ?? '')], {
        cwd: target,
        encoding: 'utf8',
        timeout: 90_000,
      });
    // From the npm cache when the dependencies are there; else the registry, if it can be reached.
    let installed = install('--offline');
    if (installed.status !== 0) installed = install('--prefer-offline');
    if (installed.status !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(installed.stderr)) {
      context.skip(`npm cannot install the dependencies here: not in the npm cache and the registry is unreachable (${installed.stderr.split('\n')[0]})`);
    }
    expect(installed.status, installed.stderr).toBe(0);
    const bin = join(target, 'node_modules/supply-risk/bin/supply-risk.js');
    const report = spawnSync(process.execPath, [bin, 'report', '--material', 'cobalt', '--quiet'], {
      cwd: target,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toContain('Supply risk for Japan (JPN)');
    expect(existsSync(join(target, 'node_modules/.bin/supply-risk'))).toBe(true);
  }, 120_000);
});
