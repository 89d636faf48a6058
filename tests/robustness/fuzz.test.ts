/**
 * A bounded, seeded fuzz run: valid data folders mutated byte by byte (insertions, deletions and
 * replacements with quotes, commas, line breaks, NUL, 0xFF, broken UTF-8 ...) go through `report --json`
 * and `validate --format json` in-process. Whatever the bytes, the CLI must answer 0 or 2 with one
 * well-formed line per problem, never a stack trace or an internal error, within a few seconds; and
 * `validate` must account for every row it read.
 *
 * Reproduce a failure: the message names the seed and iteration; FUZZ_SEED and FUZZ_ITERATIONS
 * override the defaults (e.g. FUZZ_ITERATIONS=5000 for a longer local run).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type RunResult } from '../helpers/cli.js';
import { seededRandom as random } from '../helpers/random.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 300);
const MAX_RUN_MS = 3000;

const BASES: Record<string, string>[] = [
  {
    'production.csv':
      'material,stage,country,year,quantity,unit\ncobalt,mining,COD,2023,10,t\ncobalt,mining,CHN,2023,60,t\ncobalt,mining,FIN,2023,15,t\ncobalt,mining,BEL,2023,5,t\ncobalt,mining,JPN,2023,0,t\n',
    'trade.csv':
      'material,stage,exporter,importer,year,quantity,unit\ncobalt,mining,CHN,JPN,2023,8,t\ncobalt,mining,FIN,JPN,2023,4,t\ncobalt,mining,BEL,JPN,2023,2,t\ncobalt,mining,CHN,BEL,2023,3,t\ncobalt,mining,COD,CHN,2023,2,t\ncobalt,mining,BEL,FIN,2023,1,t\n',
  },
  {
    'production.csv':
      '\ufeffmaterial,stage,country,year,quantity,unit,source\r\n"nickel",mining,IDN,2022,"1600000",t,"USGS MCS 2024, table 1"\r\nnickel,mining,PHL,2022,345000.5,t,\r\nnickel,refining,CHN,2022,880000,t,"estimate ""x"""\r\nnickel,refining,JPN,2022,100000,t,\r\n',
    'trade.csv':
      'material,stage,exporter,importer,year,quantity,unit,value_usd\r\nnickel,mining,PHL,JPN,2022,2500,t,123.5\r\nnickel,refining,CHN,JPN,2022,1200,t,\r\nnickel,refining,IDN,CHN,2022,90000,t,"4500000"\r\n',
    'countries.csv': 'country,name,governance,groups\nIDN,Indonesia,-0.5,ASEAN\nPHL,"Philippines, the",-0.8,ASEAN\nJPN,Japan,1.0,G7;like-minded\n',
  },
];

const PALETTE = [
  '"',
  '"',
  ',',
  ',',
  '\n',
  '\r',
  '\r\n',
  '\0',
  '\xff',
  '\xc3',
  ';',
  '\t',
  ' ',
  '-',
  '.',
  'e',
  '9',
  '0',
  'x',
  'Z',
  '\ufeff',
  '\u001b[31m',
  '=',
].map((text) => (text === '\xff' || text === '\xc3' ? Buffer.from([text.charCodeAt(0)]) : Buffer.from(text, 'utf8')));

function mutate(bytes: Buffer, next: () => number): Buffer {
  let data = bytes;
  const count = 1 + Math.floor(next() * 4);
  for (let i = 0; i < count; i += 1) {
    const at = Math.floor(next() * (data.length + 1));
    const piece = PALETTE[Math.floor(next() * PALETTE.length)] ?? Buffer.from(',');
    const op = next();
    if (op < 0.4) data = Buffer.concat([data.subarray(0, at), piece, data.subarray(at)]);
    else if (op < 0.7) data = Buffer.concat([data.subarray(0, at), data.subarray(Math.min(data.length, at + 1 + Math.floor(next() * 3)))]);
    else data = Buffer.concat([data.subarray(0, at), piece, data.subarray(Math.min(data.length, at + 1))]);
  }
  return data;
}

/** Every stderr line is one of the CLI's own forms: a problem with its place, a warning, or a summary. */
const STDERR_LINE =
  /^(?:error: (?:production|trade|countries)\.csv(?::\d+(?::\d+)?)?: \S.*|error: \.\.\. and \d+ more problems .*|warning: \S.*|\d+ problems found; nothing was reported\..*)$/;

function assertWellFormed(result: RunResult, context: string): void {
  expect([0, 2], context).toContain(result.code);
  for (const stream of [result.stdout, result.stderr]) {
    expect(stream, context).not.toMatch(/^ {4}at /m);
    expect(stream.toLowerCase(), context).not.toContain('internal error');
  }
  for (const line of result.stderr.split('\n').filter((entry) => entry !== '')) expect(line, context).toMatch(STDERR_LINE);
}

interface ValidateFile {
  file: string;
  rowsRead: number;
  rowsUsed: number;
  rowsRejected: number;
  rowsBlank: number;
  rowsSkipped: number;
  problems: unknown[];
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe(`fuzz: ${ITERATIONS} byte-mutated data folders (seed ${SEED})`, () => {
  it('always exit 0 or 2 with well-formed messages, no stack trace, each run within a few seconds', async () => {
    const next = random(SEED);
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-fuzz-'));
    dirs.push(dir);
    let invalid = 0;
    for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
      const base = BASES[iteration % BASES.length] ?? {};
      const names = Object.keys(base);
      const target = names[Math.floor(next() * names.length)] ?? 'production.csv';
      rmSync(join(dir, 'countries.csv'), { force: true });
      for (const name of names) {
        const bytes = Buffer.from(base[name] ?? '', 'utf8');
        writeFileSync(join(dir, name), name === target ? mutate(bytes, next) : bytes);
      }
      const context = `seed ${SEED}, iteration ${iteration}, ${target}`;

      let started = performance.now();
      const report = await runCli(['report', '--data', dir, '--json']);
      expect(performance.now() - started, context).toBeLessThan(MAX_RUN_MS);
      assertWellFormed(report, context);
      if (report.code === 0) expect(() => JSON.parse(report.stdout) as unknown, context).not.toThrow();
      else expect(report.stdout, context).toBe('');

      started = performance.now();
      const validate = await runCli(['validate', '--data', dir, '--format', 'json']);
      expect(performance.now() - started, context).toBeLessThan(MAX_RUN_MS);
      assertWellFormed(validate, context);
      // The two commands agree on whether the folder is valid.
      expect(validate.code, context).toBe(report.code);
      const summary = JSON.parse(validate.stdout) as { valid: boolean; files: ValidateFile[] };
      expect(summary.valid, context).toBe(validate.code === 0);
      for (const file of summary.files) {
        expect(file.rowsRead, `${context}: ${file.file} rows add up`).toBe(file.rowsUsed + file.rowsRejected + file.rowsBlank + file.rowsSkipped);
        if (file.rowsRejected > 0) expect(file.problems.length, `${context}: ${file.file} rejected rows have a reason`).toBeGreaterThan(0);
      }
      if (validate.code === 2) invalid += 1;
    }
    // The mutations must actually break files most of the time, or this test proves little.
    expect(invalid).toBeGreaterThan(ITERATIONS / 3);
  }, 60_000);
});
