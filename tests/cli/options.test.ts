/**
 * Command-line options that help the user: repeatable lists, did-you-mean for materials and country
 * names, the years the data has when a year has none, SUPPLY_RISK_THREADS and --json everywhere.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dataFolder, production, trade } from '../helpers/data.js';

const DATA = dataFolder({
  'production.csv': production(
    'cobalt,mining,COD,2022,150000,t',
    'cobalt,mining,COD,2023,170000,t',
    'cobalt,mining,AUS,2023,3700,t',
    'graphite,mining,CHN,2023,1230000,t',
    'nickel,mining,IDN,2023,1800000,t',
  ),
  'trade.csv': trade('cobalt,mining,COD,JPN,2020,50,t', 'cobalt,mining,AUS,JPN,2021,40,t'),
});

const run = (args: string[], env: Record<string, string> = {}) => runCli([...args.slice(0, 1), '--data', DATA, ...args.slice(1)], env);

function materials(stdout: string): string[] {
  return (JSON.parse(stdout) as { materials: { material: string }[] }).materials.map((entry) => entry.material);
}

describe('--material', () => {
  it('is repeatable, and comma lists still work', async () => {
    expect(materials((await run(['report', '--json', '--quiet', '--material', 'cobalt', '--material', 'nickel'])).stdout)).toEqual(['cobalt', 'nickel']);
    expect(materials((await run(['report', '--json', '--quiet', '--material', 'cobalt,graphite', '--material', 'nickel'])).stdout)).toEqual([
      'cobalt',
      'graphite',
      'nickel',
    ]);
    expect(materials((await run(['report', '--json', '--quiet', '--material', 'cobalt', '--material', 'cobalt'])).stdout)).toEqual(['cobalt']);
  });

  it('a mis-cased or misspelt material gets a did-you-mean (exit 2)', async () => {
    const cased = await run(['report', '--material', 'Cobalt']);
    expect(cased.code).toBe(2);
    expect(cased.stdout).toBe('');
    expect(cased.stderr).toBe('error: no data for material Cobalt (did you mean "cobalt"?); the data has: cobalt, graphite, nickel\n');
    const typo = await run(['report', '--material', 'cobalt,grafite']);
    expect(typo.stderr).toBe('error: no data for material grafite (did you mean "graphite"?); the data has: cobalt, graphite, nickel\n');
    const far = await run(['report', '--material', 'unobtainium']);
    expect(far.stderr).toBe('error: no data for material unobtainium; the data has: cobalt, graphite, nickel\n');
  });

  it('trace checks its material argument the same way', async () => {
    const result = await run(['trace', 'Cobalt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: no data for material Cobalt (did you mean "cobalt"?); the data has: cobalt, graphite, nickel\n');
  });

  it('--partner-groups is repeatable too', async () => {
    const result = await run(['gaps', '--json', '--quiet', '--partner-groups', 'G7', '--partner-groups', 'Quad,G7']);
    // The groups are unknown to this data: the error lists both, in the order given.
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown partner group "G7"');
    expect(result.stderr).toContain('unknown partner group "Quad"');
  });
});

describe('countries given by name or in lower case', () => {
  it.each([
    [
      ['report', '--importer', 'Japan'],
      "error: option '--importer <iso3>' argument 'Japan' is invalid. expected an ISO 3166-1 alpha-3 code, not a country name (did you mean JPN for Japan?).",
    ],
    [
      ['shock', '--country', 'China'],
      "error: option '--country <iso3>' argument 'China' is invalid. expected an ISO 3166-1 alpha-3 code, not a country name (did you mean CHN for China?).",
    ],
    [
      ['shock', '--country', 'Democratic Republic of the Congo'],
      "error: option '--country <iso3>' argument 'Democratic Republic of the Congo' is invalid. expected an ISO 3166-1 alpha-3 code, not a country name (did you mean COD for DR Congo?).",
    ],
    [['report', '--importer', 'jpn'], "error: option '--importer <iso3>' argument 'jpn' is invalid. country codes are upper-case: JPN."],
    [['report', '--importer', 'Jpn'], "error: option '--importer <iso3>' argument 'Jpn' is invalid. country codes are upper-case: JPN."],
    [
      ['report', '--importer', 'JAPAN'],
      "error: option '--importer <iso3>' argument 'JAPAN' is invalid. expected an ISO 3166-1 alpha-3 code, not a country name (did you mean JPN for Japan?).",
    ],
    [
      ['report', '--importer', 'EU'],
      'error: --importer EU is neither a country code nor a group of the data; the data defines no groups (countries.csv `groups`)',
    ],
    [['report', '--importer', 'JAP'], 'error: --importer JAP is not an ISO 3166-1 alpha-3 code or a country of countries.csv (did you mean JPN for Japan?)'],
    // Not three letters and not a country's name: taken for a group tag, which the data then lacks.
    [
      ['report', '--importer', 'Atlantis'],
      'error: --importer Atlantis is neither a country code nor a group of the data; the data defines no groups (countries.csv `groups`)',
    ],
  ])('%j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(message);
  });
});

describe('years', () => {
  it.each([
    [['report', '--year', '1990'], 'error: no data for --year 1990; the data has years 2020-2023 (production 2022-2023, trade 2020-2021)'],
    [['report', '--year', '2030'], 'error: no data for --year 2030; the data has years 2020-2023 (production 2022-2023, trade 2020-2021)'],
    [['trace', 'cobalt', '--year', '2030'], 'error: no data for --year 2030; the data has years 2020-2023 (production 2022-2023, trade 2020-2021)'],
    [['gaps', '--year', '1990'], 'error: no data for --year 1990; the data has years 2020-2023 (production 2022-2023, trade 2020-2021)'],
    [
      ['trend', '--from', '1990', '--to', '1992'],
      'error: no data for the years 1990-1992; the data has years 2020-2023 (production 2022-2023, trade 2020-2021)',
    ],
  ])('%j says which years the data has (exit 2)', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${message}\n`);
  });

  it('a year with data in one file only is no error', async () => {
    expect((await run(['report', '--year', '2021', '--quiet'])).code).toBe(0);
  });

  it('2021.0 gets "write 2021"', async () => {
    const result = await run(['report', '--year', '2021.0']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe("error: option '--year <yyyy>' argument '2021.0' is invalid. expected a four-digit year: write 2021.");
  });
});

describe('SUPPLY_RISK_THREADS', () => {
  it.each(['abc', '0', '-2', '1.5'])('%j is a usage error naming the variable (exit 2)', async (value) => {
    for (const command of [['report'], ['validate']]) {
      const result = await run(command, { SUPPLY_RISK_THREADS: value });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`error: SUPPLY_RISK_THREADS=${value} is not a whole number of threads (1 or more; 1 turns worker threads off)\n`);
    }
  });

  it.each(['', '1', '3'])('%j is fine', async (value) => {
    expect((await run(['report', '--quiet'], { SUPPLY_RISK_THREADS: value })).code).toBe(0);
  });
});

describe('SUPPLY_RISK_FAST_PATH', () => {
  it('0 reads every line through csv-parse and gives the same bytes as the fast path', async () => {
    for (const command of [
      ['report', '--json', '--quiet'],
      ['validate', '--json'],
      ['trend', '--json', '--quiet'],
    ]) {
      const fast = await run(command);
      const plain = await run(command, { SUPPLY_RISK_FAST_PATH: '0' });
      expect(plain.code).toBe(fast.code);
      expect(plain.stdout).toBe(fast.stdout);
      expect(plain.stdout.length).toBeGreaterThan(100);
    }
  });

  it.each(['yes', '2', 'off'])('%j is a usage error naming the variable (exit 2)', async (value) => {
    const result = await run(['report'], { SUPPLY_RISK_FAST_PATH: value });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: SUPPLY_RISK_FAST_PATH=${value} must be 0 (off) or 1 (on, the default)\n`);
  });
});

describe('--json wherever --format json works', () => {
  it('validate --json prints the JSON summary', async () => {
    const result = await run(['validate', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true });
    expect((await run(['validate', '--json', '--format', 'json'])).code).toBe(0);
  });

  it.each([[['validate', '--json', '--format', 'table']], [['report', '--json', '--format', 'csv']], [['trend', '--json', '--format', 'table']]])(
    '%j is a conflict (exit 2)',
    async (args) => {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: --json conflicts with --format \w+\n$/);
    },
  );
});
