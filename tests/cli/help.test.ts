/** --help: each command lists only the options it accepts, shows defaults and ends with examples. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const COMMANDS = ['report', 'gaps', 'check', 'diff', 'shock', 'trace', 'trend', 'validate', 'schema', 'import'];

async function help(command: string): Promise<string> {
  const result = await runCli([command, '--help']);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
}

/** The long option names a help text lists. */
function listed(text: string): string[] {
  return [...text.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((match) => match[1] ?? '');
}

describe('--help of each command', () => {
  it.each(COMMANDS)('%s --help ends with examples of that command', async (command) => {
    const text = await help(command);
    expect(text).toMatch(new RegExp(`\\nExamples:\\n(?: {2}\\$ supply-risk ${command}[^\\n]*\\n)+$`));
  });

  it('trace lists no --material (its material is the argument) and trend no --year (it takes --from/--to)', async () => {
    const trace = listed(await help('trace'));
    expect(trace).not.toContain('--material');
    expect(trace).toEqual(expect.arrayContaining(['--data', '--importer', '--year', '--output', '--stage', '--min-share', '--format', '--json']));
    const trend = listed(await help('trend'));
    expect(trend).not.toContain('--year');
    expect(trend).toEqual(expect.arrayContaining(['--data', '--importer', '--material', '--from', '--to', '--average', '--format', '--json']));
  });

  it('trace and trend refuse --material and --year while parsing, saying what to write instead', async () => {
    const trace = await runCli(['trace', 'cobalt', '--material', 'nickel']);
    expect(trace.code).toBe(2);
    expect(trace.stderr.split('\n')[0]).toBe(
      "error: option '--material <list>' argument 'nickel' is invalid. trace takes the material as its argument, not --material.",
    );
    const trend = await runCli(['trend', '--year', '2023']);
    expect(trend.code).toBe(2);
    expect(trend.stderr.split('\n')[0]).toBe(
      "error: option '--year <yyyy>' argument '2023' is invalid. trend covers many years: use --from and --to instead of --year.",
    );
  });

  it('shows defaults', async () => {
    const report = await help('report');
    expect(report).toMatch(/--importer <iso3>\s+importing country, ISO 3166-1 alpha-3[^-]*\(default: "JPN"\)/);
    expect(report).toMatch(/--format <format>\s+table, json, csv or markdown \(default: table\)/);
    expect(report).toMatch(/--year <yyyy>\s+use this year for every block \(default: the latest year of\s+each source\)/);
    expect(await help('shock')).toMatch(/--fraction <f>\s+share of its supply that stops, 0\.\.1 \(default: 1\)/);
    expect(await help('trace')).toMatch(/--min-share <fraction>[\s\S]*\(default: 0\.01\)/);
    expect(await help('trend')).toMatch(/--average <n>[\s\S]*\(default: 1\)/);
    expect(await help('validate')).toMatch(/--format <format>\s+table or json \(default: "table"\)/);
  });

  it('every command with --format json also takes --json', async () => {
    for (const command of COMMANDS) {
      const text = await help(command);
      if (/--format <format>\s+[^\n]*json/.test(text)) expect(listed(text), command).toContain('--json');
    }
  });
});

describe('no command', () => {
  it('prints the help to stderr and exits 2', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: supply-risk [options] [command]');
    expect(result.stderr).toContain('Run `supply-risk COMMAND --help`');
  });

  it('`help` and `--help` are asked for: stdout, exit 0', async () => {
    for (const args of [['help'], ['--help'], ['help', 'report']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: supply-risk');
      expect(result.stderr).toBe('');
    }
  });
});
