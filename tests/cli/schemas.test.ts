/**
 * The JSON contract of every command (issue 12): each command's real output, on the embedded data
 * and on small fixtures, parses with its zod schema; every field of every schema is described; and
 * the committed schema/*.json are the ones generated from the zod definitions.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { COMMAND_SCHEMAS, commandJsonSchema, SCHEMA_COMMANDS, schemaFileName, type SchemaCommand } from '../../src/report/schema.js';
import { ROOT, runCli } from '../helpers/cli.js';

const TODAY = { SUPPLY_RISK_TODAY: '2026-01-01' };
const F = 'tests/fixtures';
/** Where the import runs merge (one folder, so the second run replaces and keeps rows). */
const IMPORT_OUT = mkdtempSync(join(tmpdir(), 'supply-risk-import-json-'));

/** Runs one command with JSON output and returns the parsed JSON, checking it printed nothing else. */
async function jsonOf(argv: string[], env: Record<string, string> = TODAY): Promise<unknown> {
  const result = await runCli([...argv, '--quiet'], env);
  expect(result.stderr.split('\n').filter((line) => !line.startsWith('error: ') && line !== '')).toEqual([]);
  return JSON.parse(result.stdout);
}

/** The issues zod finds, as "path: message" lines (empty when the value conforms). */
function issues(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const RUNS: Record<SchemaCommand, { name: string; argv: string[] }[]> = {
  report: [
    { name: 'embedded data', argv: ['report', '--json'] },
    { name: 'embedded data, --year 2022', argv: ['report', '--json', '--year', '2022'] },
    { name: 'embedded data, importer CHN', argv: ['report', '--json', '--importer', 'CHN'] },
    { name: 'worked example', argv: ['report', '--json', '--data', `${F}/worked-example`] },
    { name: 'gaps/basic with accepts', argv: ['report', '--json', '--data', `${F}/gaps/basic`, '--policy', `${F}/gaps/policies/accept-all.json`] },
    { name: 'coverage (governance outside -2.5..2.5)', argv: ['report', '--json', '--data', `${F}/coverage`] },
    { name: 'two-stage', argv: ['report', '--json', '--data', `${F}/two-stage`] },
    { name: 'truth', argv: ['report', '--json', '--data', `${F}/truth`] },
    { name: 'years', argv: ['report', '--json', '--data', `${F}/years`] },
    { name: 'WGI scores beyond -2.5..2.5', argv: ['report', '--json', '--data', `${F}/json-contract/wgi-out-of-range`] },
    { name: 'exports exceed supply', argv: ['report', '--json', '--data', `${F}/json-contract/exports-exceed-supply`] },
    { name: 'price (a priced plan)', argv: ['report', '--json', '--data', `${F}/price`] },
    { name: 'cf (characterisation factors)', argv: ['report', '--json', '--data', `${F}/cf`] },
    { name: 'cf, group importer DUO', argv: ['report', '--json', '--data', `${F}/cf`, '--importer', 'DUO'] },
    { name: 'three-stage (magnet)', argv: ['report', '--json', '--data', `${F}/three-stage`] },
  ],
  gaps: [
    { name: 'embedded data', argv: ['gaps', '--json'] },
    { name: 'gaps/basic', argv: ['gaps', '--json', '--data', `${F}/gaps/basic`] },
    { name: 'gaps/basic, strict partners', argv: ['gaps', '--json', '--data', `${F}/gaps/basic`, '--policy', `${F}/gaps/policies/strict-partners.json`] },
    { name: 'gaps/basic with accepts', argv: ['gaps', '--json', '--data', `${F}/gaps/basic`, '--policy', `${F}/gaps/policies/accept-all.json`] },
    { name: 'price (a priced plan)', argv: ['gaps', '--json', '--data', `${F}/price`] },
    { name: 'three-stage (magnet gaps)', argv: ['gaps', '--json', '--data', `${F}/three-stage`] },
  ],
  check: [
    { name: 'embedded data', argv: ['check', '--json', '--no-exit-code'] },
    { name: 'gaps/basic (open gaps)', argv: ['check', '--json', '--data', `${F}/gaps/basic`] },
    { name: 'gaps/basic with accepts', argv: ['check', '--json', '--data', `${F}/gaps/basic`, '--policy', `${F}/gaps/policies/accept-all.json`] },
    { name: 'gaps/basic against the baseline gaps/base', argv: ['check', '--json', '--data', `${F}/gaps/basic`, '--baseline', `${F}/gaps/base`] },
    { name: 'embedded data against the baseline gaps/base', argv: ['check', '--json', '--no-exit-code', '--baseline', `${F}/gaps/base`] },
  ],
  diff: [
    { name: 'gaps/base -> gaps/basic', argv: ['diff', '--json', '--base', `${F}/gaps/base`, '--data', `${F}/gaps/basic`] },
    {
      name: 'gaps/base -> gaps/basic, --fail-on-increase',
      argv: ['diff', '--json', '--base', `${F}/gaps/base`, '--data', `${F}/gaps/basic`, '--fail-on-increase', '100'],
    },
    { name: 'gaps/base -> embedded data', argv: ['diff', '--json', '--base', `${F}/gaps/base`] },
    {
      name: 'gaps/basic -> gaps/base, --fail-on all and thresholds',
      argv: ['diff', '--json', '--base', `${F}/gaps/basic`, '--data', `${F}/gaps/base`, '--fail-on', 'all,reliance-up:1,hhi-up:10,geopol-up:0.01'],
    },
  ],
  shock: [
    { name: 'embedded data, CHN', argv: ['shock', '--json', '--country', 'CHN'] },
    { name: 'embedded data, COD mining half', argv: ['shock', '--json', '--country', 'COD', '--stage', 'mining', '--fraction', '0.5'] },
    { name: 'analysis/shock', argv: ['shock', '--json', '--data', `${F}/analysis/shock`, '--country', 'CHN', '--fraction', '0.5'] },
    { name: 'coverage', argv: ['shock', '--json', '--data', `${F}/coverage`, '--country', 'CHN'] },
    { name: 'exports exceed supply', argv: ['shock', '--json', '--data', `${F}/json-contract/exports-exceed-supply`, '--country', 'COD'] },
    { name: 'three-stage, CHN at the magnet stage', argv: ['shock', '--json', '--data', `${F}/three-stage`, '--country', 'CHN', '--stage', 'magnet'] },
  ],
  trace: [
    { name: 'embedded data, cobalt', argv: ['trace', 'cobalt', '--json'] },
    { name: 'embedded data, nickel mining, every link', argv: ['trace', 'nickel', '--json', '--stage', 'mining', '--min-share', '0'] },
    { name: 'embedded data, copper refining', argv: ['trace', 'copper', '--json', '--stage', 'refining'] },
    { name: 'analysis/shock, cobalt', argv: ['trace', 'cobalt', '--json', '--data', `${F}/analysis/shock`] },
    { name: 'analysis/shock, cobalt mining', argv: ['trace', 'cobalt', '--json', '--data', `${F}/analysis/shock`, '--stage', 'mining'] },
    { name: 'worked example', argv: ['trace', 'cobalt', '--json', '--data', `${F}/worked-example`] },
    { name: 'exports exceed supply', argv: ['trace', 'cobalt', '--json', '--data', `${F}/json-contract/exports-exceed-supply`] },
    { name: 'three-stage, magnet makers', argv: ['trace', 'rare-earths', '--json', '--data', `${F}/three-stage`, '--stage', 'magnet'] },
    { name: 'embedded data, magnets (nothing traced)', argv: ['trace', 'rare-earths', '--json', '--stage', 'magnet'] },
  ],
  trend: [
    { name: 'embedded data', argv: ['trend', '--json'] },
    { name: 'embedded data, 5-year means', argv: ['trend', '--json', '--average', '5'] },
    { name: 'analysis/trend, 3-year means', argv: ['trend', '--json', '--data', `${F}/analysis/trend`, '--average', '3'] },
    { name: 'coverage', argv: ['trend', '--json', '--data', `${F}/coverage`] },
    { name: 'three-stage', argv: ['trend', '--json', '--data', `${F}/three-stage`] },
    { name: 'WGI scores beyond -2.5..2.5', argv: ['trend', '--json', '--data', `${F}/json-contract/wgi-out-of-range`] },
  ],
  import: [
    {
      name: 'usgs-mcs, two tables',
      argv: ['import', 'usgs-mcs', `${F}/importers/usgs/mcs2024-cobal_world.csv`, `${F}/importers/usgs/mcs2024-lithi_world.csv`, '--out', IMPORT_OUT, '--json'],
    },
    { name: 'usgs-mcs again: rows replaced', argv: ['import', 'usgs-mcs', `${F}/importers/usgs/mcs2024-cobal_world.csv`, '--out', IMPORT_OUT, '--json'] },
    { name: 'comtrade with skipped records', argv: ['import', 'comtrade', `${F}/importers/comtrade/comtrade_2022_excerpt.csv`, '--out', IMPORT_OUT, '--json'] },
  ],
  validate: [
    { name: 'embedded data', argv: ['validate', '--format', 'json'] },
    { name: 'worked example', argv: ['validate', '--format', 'json', '--data', `${F}/worked-example`] },
    { name: 'an invalid folder', argv: ['validate', '--format', 'json', '--data', `${F}/bad/many-problems-capped`] },
    { name: 'problems in every file', argv: ['validate', '--format', 'json', '--data', `${F}/bad/problems-in-every-file`] },
    { name: 'embedded data, --strict', argv: ['validate', '--format', 'json', '--strict'] },
  ],
};

describe('every command with JSON output has a schema', () => {
  it('the registry names each command once, and only commands with JSON output', () => {
    expect([...SCHEMA_COMMANDS].sort()).toEqual(Object.keys(RUNS).sort());
  });
});

describe.each(SCHEMA_COMMANDS)('%s --format json matches its schema', (command) => {
  it.each(RUNS[command])('$name', async ({ argv }) => {
    const output = await jsonOf(argv);
    expect(issues(COMMAND_SCHEMAS[command], output)).toEqual([]);
  });
});

describe('the schemas are strict and described', () => {
  it('a field the contract does not name is an error', async () => {
    const report = (await jsonOf(['report', '--json', '--data', `${F}/worked-example`])) as Record<string, unknown>;
    expect(issues(COMMAND_SCHEMAS.report, { ...report, extra: 1 })).toEqual([': Unrecognized key: "extra"']);
    const { warnings: _dropped, ...withoutWarnings } = report;
    expect(issues(COMMAND_SCHEMAS.report, withoutWarnings)).toHaveLength(1);
  });

  it.each(SCHEMA_COMMANDS)('every field of %s has a description', (command) => {
    const undescribed: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof child.description !== 'string' || child.description === '') undescribed.push(`${path}.${name}`);
        visit(child, `${path}.${name}`);
      }
      for (const key of ['items', 'additionalProperties']) visit(schema[key], `${path}[]`);
      for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) {
        for (const [i, child] of ((schema[key] ?? []) as unknown[]).entries()) visit(child, `${path}[${i}]`);
      }
    };
    const root = commandJsonSchema(command);
    visit(root, command);
    expect(undescribed).toEqual([]);
    expect(root).toMatchObject({ title: expect.stringContaining(command), description: expect.any(String) });
  });
});

describe('supply-risk schema', () => {
  it('the committed schema/*.json are the generated ones, one per command and no other', async () => {
    for (const command of SCHEMA_COMMANDS) {
      const printed = await runCli(['schema', command]);
      expect(printed.code).toBe(0);
      expect(printed.stdout, `schema/${schemaFileName(command)} is stale: run npm run schema`).toBe(
        readFileSync(join(ROOT, 'schema', schemaFileName(command)), 'utf8'),
      );
    }
    expect(readdirSync(join(ROOT, 'schema')).sort()).toEqual(SCHEMA_COMMANDS.map(schemaFileName).sort());
  });

  it('prints the report schema by default', async () => {
    expect((await runCli(['schema'])).stdout).toBe((await runCli(['schema', 'report'])).stdout);
  });

  it('--out-dir writes every schema, as npm run schema does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-schema-'));
    const result = await runCli(['schema', '--out-dir', dir]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(dir).sort()).toEqual(SCHEMA_COMMANDS.map(schemaFileName).sort());
    for (const command of SCHEMA_COMMANDS) {
      expect(readFileSync(join(dir, schemaFileName(command)), 'utf8')).toBe(readFileSync(join(ROOT, 'schema', schemaFileName(command)), 'utf8'));
    }
  });

  it('a command without JSON output is a usage error naming those with one', async () => {
    const result = await runCli(['schema', 'schema']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: no JSON output for "schema"; commands with one: report, gaps, check, diff, shock, trace, trend, validate, import\n');
    expect((await runCli(['schema', 'trace', '--out-dir', tmpdir()])).code).toBe(2);
  });
});
