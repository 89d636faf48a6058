/**
 * Issue 12: every terminal table fits the width (COLUMNS, else the terminal's, else 100) and loses
 * nothing on the way: each country code and number of a wide rendering is still printed when narrow.
 * Machine formats do not depend on the width.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { fitTable, stripAnsi, terminalWidth, visibleLength, wrap, wrapParagraph, DEFAULT_WIDTH, MIN_WIDTH } from '../../src/report/fit.js';
import { BufferSink, type CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { fixture, ROOT, runCli } from '../helpers/cli.js';

const SHOCK = fixture('analysis/shock');
const WIDTHS = [60, 80, 100, 200] as const;
/** Wide enough that nothing wraps: the reference rendering. */
const WIDE = '100000';

const COMMANDS: Record<string, string[]> = {
  report: ['report'],
  gaps: ['gaps'],
  check: ['check', '--no-exit-code'],
  shock: ['shock', '--country', 'CHN'],
  trace: ['trace', 'cobalt'],
  trend: ['trend'],
};

const DATASETS: [string, string[]][] = [
  ['embedded data', []],
  ['tests/fixtures/analysis/shock', ['--data', SHOCK]],
];

/** Country codes and numbers (with their %, thousands separators and decimals), each with its count. */
function tokens(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/\b[A-Z]{3}\b|\d[\d,]*(?:\.\d+)?%?/g)) {
    const token = match[0].replace(/,$/, '');
    counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return counts;
}

async function render(args: string[], columns: string): Promise<string> {
  const result = await runCli([...args, '--quiet'], { COLUMNS: columns });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

describe.each(DATASETS)('terminal tables fit the width (%s)', (_, data) => {
  describe.each(Object.entries(COMMANDS))('%s', (_name, command) => {
    it.each(WIDTHS)('COLUMNS=%i: no line wider, every country code and number kept', async (width) => {
      const args = [...command, ...data];
      const wide = await render(args, WIDE);
      const narrow = await render(args, String(width));
      const over = narrow.split('\n').filter((line) => visibleLength(line) > width);
      expect(over).toEqual([]);
      const kept = tokens(narrow);
      const lost = [...tokens(wide)].filter(([token, count]) => (kept.get(token) ?? 0) < count).map(([token]) => token);
      expect(lost).toEqual([]);
    });
  });
});

describe('the width', () => {
  const io = (env: Record<string, string>, tty = false, columns?: number) => ({ env, stdoutIsTTY: tty, ...(columns === undefined ? {} : { columns }) });

  it('is COLUMNS, else the terminal width when writing to a terminal, else 100', () => {
    expect(terminalWidth(io({ COLUMNS: '72' }, true, 150))).toBe(72);
    expect(terminalWidth(io({}, true, 150))).toBe(150);
    expect(terminalWidth(io({}, true, 150), { output: 'report.txt' })).toBe(DEFAULT_WIDTH);
    expect(terminalWidth(io({}, false, 150))).toBe(DEFAULT_WIDTH);
    expect(terminalWidth(io({}, true))).toBe(DEFAULT_WIDTH);
    for (const bad of ['', 'wide', '0', '-5', '80.5']) expect(terminalWidth(io({ COLUMNS: bad }))).toBe(DEFAULT_WIDTH);
    expect(terminalWidth(io({ COLUMNS: '10' }))).toBe(MIN_WIDTH);
  });

  it('reaches the renderers from the CLI', async () => {
    const at = async (columns: string) => (await runCli(['gaps', '--data', SHOCK, '--quiet'], { COLUMNS: columns })).stdout;
    expect(await at('200')).not.toBe(await at('60'));
    // Without COLUMNS and not on a terminal: 100.
    expect((await runCli(['gaps', '--data', SHOCK, '--quiet'])).stdout).toBe(await at('100'));
  });

  it('on a terminal: its width, in colour, colour codes not counted', async () => {
    for (const args of [['report'], ['gaps'], ['shock', '--country', 'CHN'], ['trace', 'cobalt'], ['trend']]) {
      const stdout = new BufferSink();
      const stderr = new BufferSink();
      const io: CliIo = { stdout, stderr, env: {}, stdoutIsTTY: true, stderrIsTTY: false, columns: 70, cwd: ROOT };
      expect(await main([...args, '--quiet'], io)).toBe(0);
      expect(stdout.text).toContain('\u001b[');
      expect(stdout.text.split('\n').filter((line) => visibleLength(line) > 70)).toEqual([]);
      expect(stripAnsi(stdout.text)).toBe(await render(args, '70'));
    }
  });

  it('leaves the machine formats alone', async () => {
    const machine: string[][] = [
      ['report', '--json'],
      ['report', '--format', 'csv'],
      ['report', '--format', 'markdown'],
      ['gaps', '--format', 'markdown'],
      ['check', '--format', 'github', '--no-exit-code'],
      ['shock', '--country', 'CHN', '--format', 'markdown'],
      ['trace', 'cobalt', '--format', 'dot'],
      ['trace', 'cobalt', '--format', 'mermaid'],
      ['trend', '--format', 'csv'],
    ];
    for (const args of machine) {
      const narrow = await runCli([...args, '--data', SHOCK, '--quiet'], { COLUMNS: '40' });
      const wide = await runCli([...args, '--data', SHOCK, '--quiet'], { COLUMNS: '300' });
      expect(narrow.stdout, args.join(' ')).toBe(wide.stdout);
    }
  });
});

describe('fitTable and wrap', () => {
  const columns = [{ title: 'country' }, { title: 'quantity', align: 'right' as const }, { title: 'proposed suppliers' }];
  const rows = [
    ['CHN China', '1,234 t', 'BRA 8, CAN 5, MEX 2 +3 more'],
    ['COD DR Congo', '56 t', 'none eligible'],
  ];

  it('keeps the table layout when it fits, wraps cells when not, then switches to blocks', () => {
    expect(fitTable(columns, rows, { width: 80 }).layout).toBe('table');
    const wrapped = fitTable(columns, rows, { width: 42 });
    expect(wrapped.layout).toBe('wrapped');
    expect(wrapped.lines.every((line) => visibleLength(line) <= 42)).toBe(true);
    // A figure stays with its unit; a list breaks after a comma.
    expect(wrapped.lines.join('\n')).toContain('1,234 t');
    expect(wrapped.lines.some((line) => line.trimEnd().endsWith('CAN 5,'))).toBe(true);
    const compact = fitTable(columns, [...rows, ['AUS Australia', '7 t', 'one two three four five six seven eight nine ten eleven twelve']], { width: 40 });
    expect(compact.layout).toBe('compact');
    expect(compact.lines).toContain('CHN China');
    expect(compact.lines.some((line) => /^ {2}quantity: +1,234 t$/.test(line))).toBe(true);
    expect(compact.lines.every((line) => visibleLength(line) <= 40)).toBe(true);
  });

  it('measures visible characters, so colour does not count and changes nothing else', () => {
    const chalk = new Chalk({ level: 1 });
    const plain = fitTable(columns, rows, { width: 42 }).lines;
    const painted = fitTable(columns, rows, { width: 42, paint: (_row, column, text) => (column === 0 ? chalk.red.bold(text) : chalk.dim(text)) }).lines;
    expect(painted.join('\n')).toContain('\u001b[');
    expect(painted.map(stripAnsi)).toEqual(plain);
    expect(painted.every((line) => visibleLength(line) <= 42)).toBe(true);
    const paragraph = wrapParagraph('Shares are of world production or of the importer\'s supply. "high": share > 65% or HHI > 2,500.', 30, {
      hang: 2,
      paint: (line) => chalk.dim(line),
    });
    expect(paragraph.every((line) => visibleLength(line) <= 30)).toBe(true);
  });

  it('never drops text: every word comes back in order, a too-long word continued on the next line', () => {
    const text = 'lost = direct + via others, as shares of supply; supercalifragilisticexpialidocious · end';
    const lines = wrap(text, 12);
    expect(lines.every((line) => visibleLength(line) <= 12)).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    expect(visibleLength('日本 Japan')).toBe(10);
  });
});
