/**
 * The bad-input corpus: every folder under tests/fixtures/bad/ is a broken data folder or policy file
 * with an expected.json saying exactly what the CLI must answer.
 *
 * expected.json:
 *   description     what is broken
 *   args            CLI arguments; "{case}" is the case folder, "{fixtures}" is tests/fixtures
 *   exitCode        0, 1 or 2
 *   stderr          the exact stderr lines (without the final newline), with "{case}" as above
 *   stdoutIncludes  texts stdout must contain (otherwise stdout must be empty)
 *   outputIncludes  texts stdout + stderr must contain (used instead of stderr)
 *   spawn           also run the built binary and expect the same answer
 *   generate        a file written at test time into a temporary copy of the case (never committed):
 *                   { file, parts: [{ text } | { hex } | { repeat, bytes }] }
 *   maxSeconds      wall-clock bound of the run
 *   knownIssue      the answer above is the wanted one but the CLI does not give it yet (it.fails)
 *   pending         the command does not exist yet: it.todo with this note
 *
 * Policy cases whose problems are input errors are also checked against loadPolicy directly, so a
 * message change in src/policy/policy.ts shows up next to the fixture it breaks.
 */
import { cpSync, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/policy.js';
import { formatProblem, InputError } from '../../src/domain/problems.js';
import { fixture, ROOT, runCli, spawnCli, type RunResult } from '../helpers/cli.js';

interface Part {
  text?: string;
  /** Raw bytes, e.g. "f4" for a Latin-1 ô. */
  hex?: string;
  /** `repeat` written over and over, `bytes` in all (whole repetitions when bytes is a multiple). */
  repeat?: string;
  bytes?: number;
}

interface Expected {
  description: string;
  args: string[];
  exitCode: number;
  stderr?: string[];
  stdoutIncludes?: string[];
  outputIncludes?: string[];
  spawn?: boolean;
  generate?: { file: string; parts: Part[] };
  maxSeconds?: number;
  knownIssue?: string;
  pending?: string;
}

const CORPUS = fixture('bad');
const FIXTURES = fixture('');
const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function expectedOf(name: string): Expected {
  return JSON.parse(readFileSync(join(CORPUS, name, 'expected.json'), 'utf8')) as Expected;
}

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const generated = new Map<string, Promise<string>>();

/** The folder a case runs in: the committed one, or a temporary copy with the generated file added (once). */
async function caseFolder(name: string, expected: Expected): Promise<string> {
  const committed = join(CORPUS, name);
  if (!expected.generate) return committed;
  const cached = generated.get(name);
  if (cached) return cached;
  const dir = generate(name, committed, expected.generate);
  generated.set(name, dir);
  return dir;
}

async function generate(name: string, committed: string, spec: NonNullable<Expected['generate']>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `supply-risk-${name}-`));
  temporary.push(dir);
  cpSync(committed, dir, { recursive: true });
  const out = createWriteStream(join(dir, spec.file));
  for (const part of spec.parts) {
    if (part.text !== undefined) out.write(part.text);
    else if (part.hex !== undefined) out.write(Buffer.from(part.hex, 'hex'));
    else if (part.repeat !== undefined && part.bytes !== undefined) {
      const unit = Buffer.byteLength(part.repeat);
      const block = Buffer.alloc(Math.min(part.bytes, Math.max(unit, Math.floor((1 << 20) / unit) * unit)), part.repeat);
      for (let written = 0; written < part.bytes; written += block.length) {
        if (!out.write(block.subarray(0, Math.min(block.length, part.bytes - written)))) await once(out, 'drain');
      }
    }
  }
  out.end();
  await once(out, 'finish');
  return dir;
}

function substitute(text: string, dir: string): string {
  return text.replaceAll('{case}', dir).replaceAll('{fixtures}', FIXTURES.replace(/\/$/, ''));
}

function assertAnswer(result: RunResult, expected: Expected, dir: string): void {
  expect(result.code).toBe(expected.exitCode);
  if (expected.stderr) {
    const lines = result.stderr === '' ? [] : result.stderr.replace(/\n$/, '').split('\n');
    expect(lines).toEqual(expected.stderr.map((line) => substitute(line, dir)));
  }
  if (expected.stdoutIncludes) for (const text of expected.stdoutIncludes) expect(result.stdout).toContain(text);
  else if (!expected.outputIncludes) expect(result.stdout).toBe('');
  for (const text of expected.outputIncludes ?? []) expect(result.stdout + result.stderr).toContain(text);
  assertNoCrash(result);
}

export function assertNoCrash(result: RunResult): void {
  for (const stream of [result.stdout, result.stderr]) {
    expect(stream).not.toMatch(/^ {4}at /m);
    expect(stream.toLowerCase()).not.toContain('internal error');
  }
}

describe('bad-input corpus (tests/fixtures/bad)', () => {
  it('holds at least 30 cases, each with a description and an exit code', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const name of cases) {
      const expected = expectedOf(name);
      expect(expected.description, name).toMatch(/\w/);
      expect([0, 1, 2], name).toContain(expected.exitCode);
      expect(expected.stderr ?? expected.outputIncludes, name).toBeDefined();
    }
  });

  for (const name of cases) {
    const expected = expectedOf(name);
    const title = `${name}: ${expected.description}`;
    if (expected.pending) {
      it.todo(`${title} (pending: ${expected.pending})`);
      continue;
    }
    const test = expected.knownIssue ? it.fails : it;
    test(expected.knownIssue ? `${title} [known issue: ${expected.knownIssue}]` : title, async () => {
      const dir = await caseFolder(name, expected);
      const started = performance.now();
      const result = await runCli(expected.args.map((arg) => substitute(arg, dir)));
      expect((performance.now() - started) / 1000).toBeLessThan(expected.maxSeconds ?? 5);
      assertAnswer(result, expected, dir);
    });
    if (expected.spawn) {
      test(`${title} (built binary)`, async () => {
        const dir = await caseFolder(name, expected);
        assertAnswer(spawnCli(expected.args.map((arg) => substitute(arg, dir))), expected, dir);
      });
    }
  }
});

describe('policy cases, checked directly against loadPolicy', () => {
  for (const name of cases.filter((entry) => entry.startsWith('policy-'))) {
    const expected = expectedOf(name);
    if (expected.exitCode !== 2 || !expected.stderr) continue;
    it(`${name}: ${expected.description}`, async () => {
      const dir = join(CORPUS, name);
      const path = join(dir, 'policy.json');
      const error = await loadPolicy(path, path).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InputError);
      const wanted = expected.stderr!.filter((line) => line.startsWith('error: ')).map((line) => substitute(line.slice(7), dir));
      expect((error as InputError).problems.map(formatProblem)).toEqual(wanted);
    });
  }
});

describe('row accounting when a file stops on a fatal problem', () => {
  // dataset.ts says "after a fatal problem ... nothing of the file is used", but validate still counts
  // the rows read before the unterminated quote as used (rowsRead 1, rowsUsed 1, rowsRejected 0).
  it('validate --format json: no row of a file with a fatal problem counts as used', async () => {
    const result = await runCli(['validate', '--data', join(CORPUS, 'unterminated-quote'), '--format', 'json']);
    expect(result.code).toBe(2);
    const production = (JSON.parse(result.stdout) as { files: { file: string; rowsRead: number; rowsUsed: number; rowsRejected: number }[] }).files[0];
    expect(production?.file).toBe('production.csv');
    expect(production?.rowsUsed).toBe(0);
    expect(production?.rowsRejected).toBe(production?.rowsRead);
  });
});

describe('bounded memory on a 100 MB field (built binary)', () => {
  it('reads at most a few MiB of the file: peak RSS stays far below the file size', async () => {
    const expected = expectedOf('huge-single-field');
    const dir = await caseFolder('huge-single-field', expected);
    const wrapper = join(dir, 'measure.mjs');
    // Runs the CLI, then records the process's peak resident set (KiB) outside stdout and stderr.
    writeFileSync(
      wrapper,
      [
        "import { writeFileSync } from 'node:fs';",
        'const { main } = await import(process.env.SUPPLY_RISK_MAIN);',
        'process.exitCode = await main(process.argv.slice(2));',
        'writeFileSync(process.env.SUPPLY_RISK_RSS, String(process.resourceUsage().maxRSS));',
      ].join('\n'),
    );
    const rssFile = join(dir, 'rss.txt');
    const started = performance.now();
    const result = spawnSync(process.execPath, [wrapper, 'report', '--data', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        NO_COLOR: '1',
        SUPPLY_RISK_MAIN: new URL('../../dist/cli/main.js', import.meta.url).href,
        SUPPLY_RISK_RSS: rssFile,
      },
      timeout: 30_000,
    });
    expect((performance.now() - started) / 1000).toBeLessThan(10);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('error: production.csv:2: a record is longer than 1048576 bytes; this is not a data row\n');
    expect(existsSync(rssFile)).toBe(true);
    const peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    // Node itself needs ~50-90 MiB; reading the 100 MiB field into memory would need well over 200.
    expect(peakMiB).toBeLessThan(160);
  });
});
