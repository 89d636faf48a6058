/**
 * Data sanity checks (issue 12): duplicate rows and implausible year-to-year jumps. Every expected
 * line and share is worked out by hand in the comments (line 1 is the header).
 */
import { describe, expect, it } from 'vitest';
import { checkSanity, hashRow, JUMP_RULE, PRODUCTION_SHAPE, RowHashIndex, TRADE_SHAPE, YearSeries } from '../../src/input/sanity.js';
import { runCli } from '../helpers/cli.js';
import { dataFolder, production, trade } from '../helpers/data.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
function hashOf(text: string): [number, number] {
  const out = new Uint32Array(2);
  const data = bytes(text);
  hashRow(data, 0, data.length, out);
  return [out[0] ?? 0, out[1] ?? 0];
}

describe('row hash and duplicate index (pure)', () => {
  it('the same text hashes alike, one byte more or less does not', () => {
    expect(hashOf('cobalt,mining,COD,2023,100,t')).toEqual(hashOf('cobalt,mining,COD,2023,100,t'));
    expect(hashOf('cobalt,mining,COD,2023,100,t')).not.toEqual(hashOf('cobalt,mining,COD,2023,100.0,t'));
    expect(hashOf('a,b')).not.toEqual(hashOf('b,a'));
  });

  it('returns the first line of a repeated hash, 0 for a new one, across growth', () => {
    const index = new RowHashIndex(4);
    expect(index.firstLine(1, 2, 2)).toBe(0);
    expect(index.firstLine(1, 3, 3)).toBe(0);
    expect(index.firstLine(1, 2, 4)).toBe(2); // line 4 repeats line 2
    expect(index.firstLine(1, 2, 5)).toBe(2); // and so does line 5: always the first
    for (let line = 10; line < 5000; line += 1) index.firstLine(line, line * 7, line); // forces resizes
    expect(index.firstLine(1, 3, 9999)).toBe(3);
    expect(index.size).toBe(2 + 4990);
  });
});

describe('jump search (pure)', () => {
  it('production: x10 or more with a share of 1% in one year; the unit of comparison is the world total', () => {
    const series = new YearSeries(PRODUCTION_SHAPE);
    // group 0 = one material and stage; series 1 COD, 2 AUS, 3 RUS, 4 IDN.
    // 2021: COD 100, AUS 100, RUS 1, IDN 0.5 -> total 201.5
    // 2022: COD 1000, AUS 101, RUS 9.99, IDN 6 -> total 1116.99
    series.add(0, 1, 2021, 100, 2);
    series.add(0, 2, 2021, 100, 3);
    series.add(0, 3, 2021, 1, 4);
    series.add(0, 4, 2021, 0.5, 5);
    series.add(0, 1, 2022, 1000, 6);
    series.add(0, 2, 2022, 101, 7);
    series.add(0, 3, 2022, 9.99, 8);
    series.add(0, 4, 2022, 6, 9);
    const jumps = series.jumps(JUMP_RULE);
    // COD x10 exactly (the threshold is "10 or more"): share 100 / 201.5 = 49.6% in 2021.
    // RUS x9.99: below the factor. IDN x12: 0.5 / 201.5 = 0.25% and 6 / 1116.99 = 0.54%, below 1%.
    expect(jumps).toHaveLength(1);
    expect(jumps[0]).toMatchObject({ series: 1, year: 2021, nextYear: 2022, quantity: 100, nextQuantity: 1000, line: 2, nextLine: 6 });
    expect(jumps[0]?.share).toBeCloseTo(100 / 201.5, 12);
    expect(jumps[0]?.nextShare).toBeCloseTo(1000 / 1116.99, 12);
  });

  it('compares a year with the next year with data, and leaves flows that start, stop or are zero', () => {
    const series = new YearSeries(PRODUCTION_SHAPE);
    // 2019 and 2023 only: the group has no data in between, so 2019 -> 2023 is "the next year".
    series.add(0, 1, 2019, 5, 2);
    series.add(0, 1, 2023, 500, 3); // x100 -> a jump
    series.add(0, 2, 2019, 5, 4); // absent in 2023: stopped, not judged
    series.add(0, 3, 2023, 5, 5); // absent in 2019: started, not judged
    series.add(0, 4, 2019, 0, 6);
    series.add(0, 4, 2023, 50, 7); // from zero: no ratio, not judged
    expect(series.jumps(JUMP_RULE).map((jump) => [jump.series, jump.line, jump.nextLine])).toEqual([[1, 2, 3]]);
  });

  it('trade: a group is an importer, its timeline the material and stage; the share is of the larger of imports and exports', () => {
    const series = new YearSeries(TRADE_SHAPE);
    const slice = 0;
    const group = (importer: number): number => slice * 4096 + importer;
    // Importer 9 (JPN). 2020: AUS(1) 1000, CAN(2) 10, NOR(3) 0.5 -> imports 1010.5
    // 2021 has data only into importer 8: the material and stage has 2021, so 2020 -> 2022 into JPN is not compared.
    // 2022: AUS 1000, CAN 200, NOR 6, FIN(4) 500 -> imports 1706
    series.add(group(9), 1, 2020, 1000, 2);
    series.add(group(9), 2, 2020, 10, 3);
    series.add(group(9), 3, 2020, 0.5, 4);
    series.add(group(8), 2, 2021, 1, 5);
    series.add(group(9), 1, 2022, 1000, 6);
    series.add(group(9), 2, 2022, 200, 7);
    series.add(group(9), 3, 2022, 6, 8);
    series.add(group(9), 4, 2022, 500, 9);
    // CAN into JPN: 2020 -> 2021 absent (stops), 2021 -> 2022 absent: nothing. CAN into 8: only 2021.
    expect(series.jumps(JUMP_RULE)).toEqual([]);

    const noGap = new YearSeries(TRADE_SHAPE);
    noGap.add(group(9), 1, 2020, 1000, 2);
    noGap.add(group(9), 2, 2020, 10, 3);
    noGap.add(group(9), 3, 2020, 0.5, 4);
    noGap.add(group(9), 1, 2022, 1000, 6);
    noGap.add(group(9), 2, 2022, 200, 7);
    noGap.add(group(9), 3, 2022, 6, 8);
    noGap.add(group(9), 4, 2022, 500, 9);
    // CAN x20: 200 / max(imports 1706, CAN's exports 200) = 11.7% in 2022 -> a jump (lines 3 and 7).
    // NOR x12: 6 / 1706 = 0.35%, 0.5 / 1010.5 = 0.05% -> below 1%.
    const jumps = noGap.jumps(JUMP_RULE);
    expect(jumps.map((jump) => [jump.series, jump.line, jump.nextLine])).toEqual([[2, 3, 7]]);
    expect(jumps[0]?.nextShare).toBeCloseTo(200 / 1706, 12);
  });

  it("trade: one country's reported exports do not make each partner 100% of its own imports", () => {
    const series = new YearSeries(TRADE_SHAPE);
    // Only JPN(1)'s exports are in the file: each partner's imports are that one flow.
    // 2020: JPN->A(2) 2, JPN->B(3) 998 -> JPN's exports 1000; 2021: JPN->A 30, JPN->B 970 -> 1000.
    series.add(2, 1, 2020, 2, 2);
    series.add(3, 1, 2020, 998, 3);
    series.add(2, 1, 2021, 30, 4);
    series.add(3, 1, 2021, 970, 5);
    // JPN->A x15, but 30 / max(30, 1000) = 3% in 2021 -> a jump; with 1% -> 5% it would not be.
    expect(series.jumps(JUMP_RULE).map((jump) => [jump.line, jump.nextLine])).toEqual([[2, 4]]);
    expect(series.jumps({ factor: 10, minShare: 0.05 })).toEqual([]);
  });
});

describe('checkSanity on files', () => {
  it('duplicate rows: first and repeat lines, quoting ignored, blank rows ignored', async () => {
    const dir = dataFolder({
      'production.csv': production(
        'cobalt,mining,COD,2023,100,t', // line 2
        'cobalt,mining,AUS,2023,5,t', // line 3
        'cobalt,mining,COD,2023,100,t', // line 4: repeats line 2
        'cobalt,mining,"COD",2023,100,t', // line 5: the same record, quoted: repeats line 2
        'cobalt,mining,COD,2023,100.0,t', // line 6: other text, not a duplicate
        ',,,,,', // line 7: blank
        ',,,,,', // line 8: blank, not a duplicate
      ),
      'trade.csv': trade(
        'cobalt,mining,COD,CHN,2023,50,t', // line 2
        'cobalt,mining,COD,CHN,2023,50,t\r', // line 3: CRLF line end, repeats line 2
      ),
    });
    const { warnings } = await checkSanity(dir);
    const duplicates = warnings.kept.filter((warning) => warning.class === 'duplicate-row');
    expect(duplicates.map((warning) => [warning.file, ...warning.lines])).toEqual([
      ['production.csv', 2, 4],
      ['production.csv', 2, 5],
      ['trade.csv', 2, 3],
    ]);
    expect(duplicates[0]?.message).toBe('line 4 repeats line 2 exactly; the loader sums the two (delete one if it was pasted twice)');
  });

  it('jumps in production and trade, with lines; the unattributed remainder is left out', async () => {
    const dir = dataFolder({
      'production.csv': production(
        'cobalt,mining,COD,2021,100,t', // 2
        'cobalt,mining,AUS,2021,100,t', // 3
        'cobalt,mining,ZZZ,2021,1,t', // 4
        'cobalt,mining,COD,2022,1500,t', // 5: COD x15; 100 / 201 = 49.8% in 2021, 1500 / 1650 = 90.9% in 2022 (the larger is named)
        'cobalt,mining,AUS,2022,100,t', // 6
        'cobalt,mining,ZZZ,2022,50,t', // 7: ZZZ x50: not a country, left out
      ),
      'trade.csv': trade(
        'cobalt,refining,FIN,JPN,2021,5000,t', // 2
        'cobalt,refining,FIN,JPN,2022,5,t', // 3: FIN->JPN x1000 down, 100% of JPN's imports in 2021
      ),
    });
    const { warnings } = await checkSanity(dir);
    const jumps = warnings.kept.filter((warning) => warning.class === 'jump');
    expect(jumps.map((warning) => [warning.file, ...warning.lines])).toEqual([
      ['production.csv', 2, 5],
      ['trade.csv', 2, 3],
    ]);
    expect(jumps[0]?.message).toContain('cobalt mining COD rose x15.0 from 2021 (100 t, line 2) to 2022 (1500 t, line 5); 90.9% of world production in 2022');
    expect(jumps[1]?.message).toContain("cobalt refining FIN->JPN fell x1000 from 2021 (5000 t, line 2) to 2022 (5 t, line 3); 100.0% of the larger of FIN's exports and JPN's imports in 2021");
  });

  it('lists the first 50 of each class and file and counts the rest', async () => {
    const rows = Array.from({ length: 60 }, () => 'cobalt,mining,COD,2023,1,t');
    const { warnings } = await checkSanity(dataFolder({ 'production.csv': production(...rows) }));
    // Lines 3..61 each repeat line 2: 59 duplicates, 50 listed (lines 3..52).
    expect(warnings.counts.get('duplicate-row')).toBe(59);
    expect(warnings.kept).toHaveLength(50);
    expect(warnings.omitted).toBe(9);
    expect(warnings.kept[49]?.lines).toEqual([2, 52]);
  });
});

describe('supply-risk validate: warnings with classes, --strict, --json', () => {
  const folder = (): string =>
    dataFolder({
      'production.csv': production('cobalt,mining,COD,2023,100,t', 'cobalt,mining,COD,2023,100,t'),
      'countries.csv': 'country,governance\nCOD,-1.8\n',
    });

  it('a duplicate row is a warning: exit 0, or 1 with --strict; the table says so', async () => {
    const plain = await runCli(['validate', '--data', folder()]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('warning: production.csv:3: [duplicate-row] line 3 repeats line 2 exactly');
    expect(plain.stdout).toContain('warnings: 1 duplicate-row (listed on stderr)\nvalid\n');
    const strict = await runCli(['validate', '--data', folder(), '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('valid, but --strict fails: 1 data-integrity warning\n');
  });

  it('--json and --format json: each warning with class, file and lines; counts per class', async () => {
    for (const args of [['--json'], ['--format', 'json']]) {
      const result = await runCli(['validate', '--data', folder(), '--strict', '--quiet', ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ schemaVersion: 2, valid: true, strict: true, warningsOmitted: 0 });
      expect(summary.warningCounts).toEqual({ 'duplicate-row': 1, jump: 0, coverage: 0, note: 0 });
      expect(summary.warnings).toEqual([
        {
          class: 'duplicate-row',
          integrity: true,
          file: 'production.csv',
          lines: [2, 3],
          message: 'line 3 repeats line 2 exactly; the loader sums the two (delete one if it was pasted twice)',
        },
      ]);
    }
  });

  it('notes such as a missing governance score are not integrity warnings: --strict passes', async () => {
    const dir = dataFolder({ 'production.csv': production('cobalt,mining,COD,2023,100,t') });
    const result = await runCli(['validate', '--data', dir, '--strict', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.warnings.map((warning: { class: string; integrity: boolean }) => [warning.class, warning.integrity])).toEqual([['coverage', false]]);
    expect(result.stderr).toContain('warning: no governance score for 1 country (COD)');
  });

  it('invalid data still exits 2 with --strict', async () => {
    const dir = dataFolder({ 'production.csv': production('cobalt,mining,COD,2023,-1,t') });
    expect((await runCli(['validate', '--data', dir, '--strict', '--quiet'])).code).toBe(2);
  });

  it('the embedded data: valid, no duplicate rows (its jumps are reviewed in docs/validate.md)', async () => {
    const result = await runCli(['validate', '--json', '--quiet']);
    const summary = JSON.parse(result.stdout);
    expect(summary.valid).toBe(true);
    expect(summary.warningCounts['duplicate-row']).toBe(0);
  });
});
