/**
 * Output safe to open: text from data files never becomes a spreadsheet formula in CSV, never breaks
 * a markdown table, and never reaches the terminal as a raw control sequence (tables and messages).
 */
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/input/problems.js';
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
    ['=cmd|\' /C calc\'!A0', "'=cmd|' /C calc'!A0"],
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
    const units = ['=1+2', '+3', '-4', '@SUM(A1)', '=cmd|\' /C calc\'!A0'];
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
