/**
 * Output safe to open: text from data files never becomes a spreadsheet formula in CSV, never breaks
 * a markdown table, and never reaches the terminal as a raw control sequence (tables and messages).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SafeWriteError, writeFileSafely as writeFileAtomically } from '../../src/io/safe-write.js';
import { writeFileSafely } from '../../src/io/safe-write.js';
import { formatProblem } from '../../src/domain/problems.js';
import { csvCell, markdownCell, safeText } from '../../src/report/text.js';
import { runCli } from '../helpers/cli.js';
import { dataFolder, production, trade } from '../helpers/data.js';

const ESC = '\u001b';

describe('csvCell neutralises formula starts (OWASP CSV injection)', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tcalc', "'\tcalc"],
    ['\rcalc', `"'\rcalc"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
  ])('%j -> %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it.each([
    ['cobalt', 'cobalt'],
    ['t', 't'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['', ''],
    ['a=b', 'a=b'],
  ])('leaves ordinary text alone, quoting only when needed: %j -> %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe('markdownCell keeps one table row per cell', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['two\nlines', 'two lines'],
    ['two\r\nlines', 'two lines'],
    ['back\\slash|pipe', 'back\\\\slash\\|pipe'],
    [`${ESC}[31mred`, '[31mred'],
    ['plain', 'plain'],
  ])('%j -> %j', (value, expected) => {
    expect(markdownCell(value)).toBe(expected);
  });
});

describe('safeText for the terminal', () => {
  it('replaces ESC, BEL, line breaks and C1 controls', () => {
    expect(safeText(`${ESC}[31mChina${ESC}[0m\u0007\n\u009b2J`)).toBe('?[31mChina?[0m???2J');
    expect(safeText('Côte d’Ivoire')).toBe('Côte d’Ivoire');
  });
});

describe('through the CLI', () => {
  it('units that look like formulas are neutralised in the CSV report', async () => {
    const units = ['=1+2', '+3', '-4', '@SUM(A1)', "=cmd|' /C calc'!A0"];
    const materials = ['aluminium', 'cobalt', 'lithium', 'manganese', 'nickel'];
    const dir = dataFolder({
      'production.csv': production(...materials.map((material, i) => `${material},mining,COD,2023,10,"${units[i]}"`)),
    });
    const result = await runCli(['report', '--data', dir, '--format', 'csv']);
    expect(result.code).toBe(0);
    const rows = result.stdout.trimEnd().split('\n').slice(1);
    expect(rows.map((row) => row.split(',')[2])).toEqual(["'=1+2", "'+3", "'-4", "'@SUM(A1)", "'=cmd|' /C calc'!A0"]);
    // No cell of the whole report starts with a formula character.
    for (const row of rows) for (const cell of row.split(',')) expect(cell).not.toMatch(/^[=+@\t\r]|^-[^0-9]/);
  });

  it('country names with escape sequences never reach the terminal raw in the table', async () => {
    const dir = dataFolder({
      'production.csv': production('cobalt,mining,CHN,2023,60,t', 'cobalt,mining,COD,2023,10,t'),
      'trade.csv': trade('cobalt,mining,CHN,JPN,2023,8,t'),
      'countries.csv': `country,name,governance,groups\nCHN,"China${ESC}[31m${ESC}]0;pwned\u0007",0,\nJPN,"Japan${ESC}[2J\nInc",1,\n`,
    });
    const result = await runCli(['report', '--data', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).not.toContain('\u0007');
    expect(result.stdout).toContain('Supply risk for Japan?[2J?Inc (JPN)');
    expect(result.stdout).toMatch(/top producer\s+CHN China\?\[31m\?\]0;p/);
  });

  it('names with pipes and line breaks stay inside their markdown cell', async () => {
    const dir = dataFolder({
      'production.csv': production('cobalt,mining,CHN,2023,60,t'),
      'trade.csv': trade('cobalt,mining,CHN,JPN,2023,8,t'),
      'countries.csv': 'country,name,governance,groups\nCHN,"China | Ltd\nsecond line",0,\nJPN,"Japan|",1,\n',
    });
    const result = await runCli(['report', '--data', dir, '--format', 'markdown']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('## Supply risk for Japan\\| (JPN)');
    // Title, blank, header, separator and exactly one row for the one stage.
    expect(lines).toHaveLength(5);
    const row = lines[4] ?? '';
    expect(row).toContain('China \\| Ltd second line (CHN) 100.0%');
    // 11 columns: 12 unescaped pipes.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(12);
  });

  it('error messages quote data values with escapes: one line per problem, no raw control characters', async () => {
    const dir = dataFolder({
      'production.csv': production('cobalt,mining,COD,2023,10,t', `cobalt,mining,CHN,2023,"6${ESC}[2J0",t`, 'cobalt,mining,FIN,2023,"1\n5",t'),
    });
    const result = await runCli(['report', '--data', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toEqual([
      'error: production.csv:3:5: quantity "6\\u001b[2J0" is not a number written plainly (digits with an optional "." decimal part)',
      'error: production.csv:5:5: quantity "1\\n5" is not a number written plainly (digits with an optional "." decimal part)',
      '2 problems found; nothing was reported. Run `supply-risk validate` for a per-file summary.',
      '',
    ]);
    expect(formatProblem({ file: 'x.csv', line: 1, message: 'tab\there, CR\rthere, NEL\u0085' })).toBe('x.csv:1: tab\\there, CR\\rthere, NEL\\u0085');
  });

  // The unit cell, like country names and the title, goes through safeText.
  it('a unit with an escape sequence never reaches the terminal raw in the table', async () => {
    const dir = dataFolder({ 'production.csv': production(`cobalt,mining,COD,2023,10,"t${ESC}[31m"`) });
    const result = await runCli(['report', '--data', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESC);
  });
});

/**
 * --output never damages a file: every case runs inside a temporary folder (never against /dev), and
 * as root would (root passes access() whatever the mode, so read-only is judged by the mode bits).
 */
describe('--output writes safely', () => {
  const root = mkdtempSync(join(tmpdir(), 'supply-risk-output-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let counter = 0;
  const folder = (): string => {
    counter += 1;
    const dir = join(root, `case-${counter}`);
    mkdirSync(dir);
    return dir;
  };
  const schema = (output: string) => runCli(['schema', '--output', output]);

  it('replaces a regular file atomically, keeping its mode and leaving no temporary file', async () => {
    const dir = folder();
    const target = join(dir, 'report.json');
    writeFileSync(target, 'old');
    chmodSync(target, 0o640);
    const result = await schema(target);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(target, 'utf8')).toMatch(/^\{\n/);
    expect(statSync(target).mode & 0o7777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('creates a new file', async () => {
    const dir = folder();
    expect((await schema(join(dir, 'new.json'))).code).toBe(0);
    expect(statSync(join(dir, 'new.json')).isFile()).toBe(true);
  });

  it('follows a symbolic link: the target is written, the link stays a link', async () => {
    const dir = folder();
    const target = join(dir, 'real.json');
    writeFileSync(target, 'old');
    chmodSync(target, 0o600);
    symlinkSync('real.json', join(dir, 'link.json'));
    expect((await schema(join(dir, 'link.json'))).code).toBe(0);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe('real.json');
    expect(readFileSync(target, 'utf8')).toMatch(/^\{/);
    expect(statSync(target).mode & 0o7777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real.json']);
  });

  it('a dangling link gets its target created; the link stays', async () => {
    const dir = folder();
    symlinkSync(join(dir, 'later.json'), join(dir, 'link.json'));
    expect((await schema(join(dir, 'link.json'))).code).toBe(0);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'later.json'), 'utf8')).toMatch(/^\{/);
  });

  it('writes into a FIFO (made with mkfifo) without replacing it', async () => {
    const dir = folder();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // A reader in another process: opening a FIFO for writing waits for one.
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.setEncoding('utf8').on('data', (text: string) => (received += text));
    const closed = new Promise((done) => reader.on('close', done));
    const result = await schema(fifo);
    await closed;
    expect(result.code).toBe(0);
    expect(JSON.parse(received)).toHaveProperty('$schema');
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it('a link to a FIFO is written through, and both stay what they are', async () => {
    const dir = folder();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    symlinkSync('pipe', join(dir, 'link'));
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.setEncoding('utf8').on('data', (text: string) => (received += text));
    const closed = new Promise((done) => reader.on('close', done));
    expect((await schema(join(dir, 'link'))).code).toBe(0);
    await closed;
    expect(received).toMatch(/^\{/);
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
  });

  it('refuses a read-only (0444) file, even as root, and leaves it as it was (exit 2)', async () => {
    const dir = folder();
    const target = join(dir, 'frozen.json');
    writeFileSync(target, 'keep me');
    chmodSync(target, 0o444);
    const result = await schema(target);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: --output ${target} is a read-only file, mode 0444; it was left as it is (make it writable, or choose another file)\n`);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(statSync(target).mode & 0o777).toBe(0o444);
    expect(readdirSync(dir)).toEqual(['frozen.json']);
  });

  it('refuses a read-only file behind a symbolic link', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'frozen.json'), 'keep me');
    chmodSync(join(dir, 'frozen.json'), 0o444);
    symlinkSync('frozen.json', join(dir, 'link.json'));
    expect((await schema(join(dir, 'link.json'))).code).toBe(2);
    expect(readFileSync(join(dir, 'frozen.json'), 'utf8')).toBe('keep me');
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
  });

  it('refuses a directory (exit 2)', async () => {
    const dir = folder();
    const result = await schema(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: --output ${dir} is a directory; name a file in it, or "-" for stdout\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names a missing folder in words', async () => {
    const dir = folder();
    const result = await schema(join(dir, 'no', 'such.json'));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: cannot write --output ${join(dir, 'no', 'such.json')} (its folder does not exist, ENOENT)\n`);
  });

  it('"-" is stdout: no file named "-" is created', async () => {
    const result = await runCli(['report', '--data', dataFolder({ 'production.csv': production('cobalt,mining,COD,2023,10,t') }), '--json', '--output', '-']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('schemaVersion');
    expect(existsSync(join(ROOT_DIR, '-'))).toBe(false);
  });

  it("the importers' writer (atomic-write) follows the same rules", async () => {
    const dir = folder();
    const target = join(dir, 'production.csv');
    writeFileSync(target, 'keep me');
    chmodSync(target, 0o444);
    await expect(writeFileAtomically(target, 'new')).rejects.toBeInstanceOf(SafeWriteError);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    chmodSync(target, 0o644);
    symlinkSync('production.csv', join(dir, 'link.csv'));
    await writeFileSafely(join(dir, 'link.csv'), 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(lstatSync(join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
  });
});

const ROOT_DIR = new URL('../../', import.meta.url).pathname;
