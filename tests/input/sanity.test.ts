/**
 * Data sanity checks (issue 12): duplicate rows and likely unit or decimal slips (jumps). Every
 * expected line and share is worked out by hand in the comments (line 1 is the header).
 */
import { describe, expect, it } from 'vitest';
import { checkSanity, CoverageExtents, FlowTable, hashRow, JUMP_RULE, RowHashIndex, type Jump } from '../../src/input/sanity.js';
import { runCli } from '../helpers/cli.js';
import { dataFolder, production, trade } from '../helpers/data.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
function hashOf(text: string): [number, number] {
  const out = new Uint32Array(2);
  const data = bytes(text);
  hashRow(data, 0, data.length, out);
  return [out[0] ?? 0, out[1] ?? 0];
}

const VALUED_TRADE_HEADER = 'material,stage,exporter,importer,year,quantity,unit,value_usd';
const valuedTrade = (...rows: string[]): string => `${[VALUED_TRADE_HEADER, ...rows].join('\n')}\n`;
const jumpsOf = async (dir: string): Promise<{ file: string | null; lines: number[]; message: string }[]> =>
  (await checkSanity(dir)).warnings.kept.filter((warning) => warning.class === 'jump');

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

  it('the flow table finds a repeat of the first row of a key, of a later row of it, and of a row without a key', () => {
    const table = new FlowTable('production');
    const key = table.keyOf(0, 1, 0, 2023);
    const [a1, a2] = hashOf('row a');
    const [b1, b2] = hashOf('row b');
    const [c1, c2] = hashOf('row c');
    expect(table.add(key, 100, Number.NaN, 2, a1, a2)).toBe(0);
    expect(table.add(key, 5, Number.NaN, 3, b1, b2)).toBe(0); // same key, other text: an extra row
    expect(table.add(key, 100, Number.NaN, 4, a1, a2)).toBe(2); // repeats the key's first row
    expect(table.add(key, 5, Number.NaN, 5, b1, b2)).toBe(3); // repeats the extra row
    expect(table.addKeyless(6, c1, c2)).toBe(0);
    expect(table.addKeyless(7, c1, c2)).toBe(6);
    expect(table.size).toBe(1);
    for (let n = 0; n < 3000; n += 1) table.add(table.keyOf(1, n % 4000, 0, 2000 + (n % 50)), 1, Number.NaN, 100 + n); // forces resizes
    expect(table.add(key, 100, Number.NaN, 9999, a1, a2)).toBe(2);
  });
});

/** A production table of one material and stage (slice 0) from [country, year, quantity] rows, lines from 2. */
function productionTable(rows: [number, number, number][]): FlowTable {
  const table = new FlowTable('production');
  rows.forEach(([country, year, quantity], index) => table.add(table.keyOf(0, country, 0, year), quantity, Number.NaN, index + 2));
  return table;
}

const summary = (jump: Jump): (string | number)[] => [jump.kind, jump.series, ...jump.points.map((point) => point.line)];

describe('jump search (pure)', () => {
  it('production step: x10 or more, at least 1% of world production in both years', () => {
    // Countries 1 COD, 2 AUS, 3 ZWE, 4 IDN, 9 the rest of the world.
    // 2021: COD 100, AUS 100, ZWE 0.5, IDN 1, rest 798.5 -> world 1000
    // 2022: COD 1000, AUS 9.99, ZWE 6, IDN 10, rest 800 -> world 1825.99
    const table = productionTable([
      [1, 2021, 100], // 2
      [2, 2021, 100], // 3
      [3, 2021, 0.5], // 4
      [4, 2021, 1], // 5
      [9, 2021, 798.5], // 6
      [1, 2022, 1000], // 7: COD x10 exactly ("10 or more"): 10% and 54.8% -> a step
      [2, 2022, 9.99], // 8: AUS /10.01: 10% and 0.55% -> not (a 10% producer understated tenfold would be 1.1%)
      [3, 2022, 6], // 9: ZWE x12, a start-up: 0.05% then 0.33% -> not
      [4, 2022, 10], // 10: IDN x10: 0.1% then 0.55% -> not
      [9, 2022, 800], // 11
    ]);
    const { jumps, count } = table.jumps(JUMP_RULE);
    expect(count).toBe(1);
    expect(jumps.map(summary)).toEqual([['step', 1, 2, 7]]);
    expect(jumps[0]?.measure).toBe('quantity');
    expect(jumps[0]?.points[0]).toMatchObject({ year: 2021, quantity: 100, line: 2, rows: 1 });
    expect(jumps[0]?.points[0]?.share).toBeCloseTo(100 / 1000, 12);
    expect(jumps[0]?.points[1]?.share).toBeCloseTo(1000 / 1825.99, 12);
  });

  it('production spike: a year x10 below (or above) both neighbours, the producer at 1% or more on both sides', () => {
    // World 1000 each year but the odd one. AUS (2) 50 = 5%, 5 in 2022 (0.5%: no step either way), back to 52.
    // NOR (3) 50, 5 in 2023, the last year: 0.5% in 2023, so no step, and no spike without a year after.
    const table = productionTable([
      [1, 2021, 950], // 2
      [2, 2021, 50], // 3
      [1, 2022, 950], // 4
      [2, 2022, 5], // 5: AUS /10 from 2021 and x10.4 to 2023 -> one spike (lines 3, 8, 5)
      [3, 2022, 50], // 6
      [1, 2023, 948], // 7
      [2, 2023, 52], // 8
      [3, 2023, 5], // 9: NOR /10, last year: not caught (docs/validate.md says so)
    ]);
    const { jumps, count } = table.jumps(JUMP_RULE);
    expect(count).toBe(1);
    expect(jumps.map(summary)).toEqual([['spike', 2, 3, 8, 5]]);
  });

  it('production: a country of 10% or more in both years is a step at x5 (a tenfold slip against a real fall), and a blurred spike at x5 either side', () => {
    // World 1000 in 2021, 2328 in 2022, 990 in 2023.
    // BIG (1): 200 -> 1200 (x6: 20% then 51.5%): a step at x5.
    // MID (2): 90 -> 540 (x6: 9% then 23.2%): 9% in 2021: not (x10 needed below 10%).
    // DIP (3): 80, 10 (x8 down, 0.4%), 40 (x4 up): a real dip, not a spike (x5 needed on both sides), not a step.
    // SLIP (4): 60, 8 (x7.5 down), 50 (x6.3 up): a spike (6% and 5.1% either side).
    const table = productionTable([
      [1, 2021, 200], // 2
      [2, 2021, 90], // 3
      [3, 2021, 80], // 4
      [4, 2021, 60], // 5
      [9, 2021, 570], // 6
      [1, 2022, 1200], // 7
      [2, 2022, 540], // 8
      [3, 2022, 10], // 9
      [4, 2022, 8], // 10
      [9, 2022, 570], // 11
      [3, 2023, 40], // 12
      [4, 2023, 50], // 13
      [9, 2023, 900], // 14
    ]);
    expect(table.jumps(JUMP_RULE).jumps.map(summary)).toEqual([
      ['step', 1, 2, 7],
      ['spike', 4, 5, 13, 10],
    ]);
  });

  it("compares a series' own consecutive years, and leaves out zeros and skipped series", () => {
    const table = productionTable([
      [1, 2019, 50], // 2
      [2, 2019, 50], // 3
      [2, 2021, 50], // 4: the material has 2021, AUS (1) does not
      [1, 2023, 500], // 5: 2019 -> 2023 x10 (50% and 83.3%) -> a step
      [2, 2023, 50], // 6
      [3, 2019, 0], // 7
      [3, 2023, 50], // 8: from 0: no ratio
    ]);
    expect(table.jumps(JUMP_RULE).jumps.map(summary)).toEqual([['step', 1, 2, 5]]);
    expect(table.jumps(JUMP_RULE, { skip: (series) => series === 1 }).count).toBe(0);
  });

  /** A trade table of slice 0 from [exporter, importer, year, quantity, value] rows, lines from 2. */
  function tradeTable(rows: [number, number, number, number, number][]): FlowTable {
    const table = new FlowTable('trade');
    rows.forEach(([exporter, importer, year, quantity, value], index) => table.add(table.keyOf(0, exporter, importer, year), quantity, value, index + 2));
    return table;
  }

  it('trade with values: a slip changes the quantity, not the value; shares are of value', () => {
    // Into importer 9. 2022: 1 -> 9: 100 t $1000; 2: 100 t $1000; 3: 100 t $1000; 4: 100 t $1000; 5: 0.1 t $1 (0.025%)
    // 2024: 1: 1000 t $1000 (value flat: a slip); 2: 1000 t $10000 (value followed: growth);
    //       3: 1000 t $1900 (value x1.9 < x2: a slip); 4: 1000 t $2000 (x2: not); 5: 10 t $1 (tiny: not)
    const table = tradeTable([
      [1, 9, 2022, 100, 1000], // 2
      [2, 9, 2022, 100, 1000], // 3
      [3, 9, 2022, 100, 1000], // 4
      [4, 9, 2022, 100, 1000], // 5
      [5, 9, 2022, 0.1, 1], // 6
      [1, 9, 2024, 1000, 1000], // 7
      [2, 9, 2024, 1000, 10000], // 8
      [3, 9, 2024, 1000, 1900], // 9
      [4, 9, 2024, 1000, 2000], // 10
      [5, 9, 2024, 10, 1], // 11
    ]);
    const { jumps } = table.jumps(JUMP_RULE);
    expect(jumps.map(summary)).toEqual([
      ['step', 1, 2, 7],
      ['step', 3, 4, 9],
    ]);
    expect(jumps[0]?.measure).toBe('value');
    // 2024 by value: 1000 / (1000 + 10000 + 1900 + 2000 + 1) = 6.7%
    expect(jumps[0]?.points[1]?.share).toBeCloseTo(1000 / 14901, 12);
    // With values the factor stays x10, even for a main supplier: trade flows do move x5 to x9.
    const major = tradeTable([
      [1, 9, 2022, 100, 1000],
      [2, 9, 2022, 100, 1000],
      [1, 9, 2024, 600, 1000], // x6, value flat, 50% both years: not
      [2, 9, 2024, 100, 1000],
    ]);
    expect(major.jumps(JUMP_RULE).count).toBe(0);
  });

  it('trade without values: compared by quantity where the coverage extent is the same in both years', () => {
    const rows: [number, number, number, number, number][] = [
      [1, 9, 2021, 5000, Number.NaN], // 2
      [2, 9, 2021, 5000, Number.NaN], // 3
      [1, 9, 2022, 250, Number.NaN], // 4: /20, 50% and 4.8% by quantity
      [2, 9, 2022, 5000, Number.NaN], // 5
    ];
    expect(tradeTable(rows).jumps(JUMP_RULE).jumps.map(summary)).toEqual([['step', 1, 2, 4]]);
    const coverage = new CoverageExtents();
    coverage.set(0, 9, 'import', 2021, 'full');
    coverage.set(0, 9, 'import', 2022, 'partial'); // a source without some HS codes: not judged
    expect(tradeTable(rows).jumps(JUMP_RULE, { coverage }).count).toBe(0);
    coverage.set(0, 9, 'import', 2022, 'full'); // full wins
    expect(tradeTable(rows).jumps(JUMP_RULE, { coverage }).count).toBe(1);
  });

  it("trade: one reporter's exports do not make each partner 100% of its own imports", () => {
    // Only JPN(1)'s exports are in the file: each partner's imports are that one flow.
    // 2020: JPN->A(2) 2, JPN->B(3) 998: JPN's exports 1000. 2021: JPN->A 30, JPN->B 970.
    // JPN->A x15, 100% of A's imports, but 0.2% of JPN's exports in 2020: not a slip of a series that matters.
    const table = tradeTable([
      [1, 2, 2020, 2, Number.NaN],
      [1, 3, 2020, 998, Number.NaN],
      [1, 2, 2021, 30, Number.NaN],
      [1, 3, 2021, 970, Number.NaN],
    ]);
    expect(table.jumps(JUMP_RULE).count).toBe(0);
    expect(table.jumps({ ...JUMP_RULE, minShare: 0.001 }).jumps.map(summary)).toEqual([['step', 1, 2, 4]]);
  });

  it('trade: a flow below 0.01% of all trade in the material is too small to judge, whatever its importer', () => {
    // Importer 9 buys $1,000,000 a year from 1; importer 8 (a tiny market) buys $10 from 2 only: 100% of its imports,
    // 0.001% of all trade. Quantity /10 with the value flat would be a slip anywhere else.
    const rows: [number, number, number, number, number][] = [
      [1, 9, 2022, 1000, 1e6],
      [2, 8, 2022, 0.01, 10],
      [1, 9, 2024, 1000, 1e6],
      [2, 8, 2024, 0.001, 10],
    ];
    expect(tradeTable(rows).jumps(JUMP_RULE).count).toBe(0);
    expect(tradeTable(rows).jumps({ ...JUMP_RULE, minWorldShare: 0 }).count).toBe(1);
  });

  it('lists the first jumps by line and counts the rest', () => {
    const table = productionTable([]);
    // 30 countries, each 1/30 of the world in 2020 and x10 in 2021 (all of them: 1/30 again): 30 steps.
    for (let country = 0; country < 30; country += 1) {
      table.add(table.keyOf(0, country, 0, 2020), 1, Number.NaN, 100 - country);
      table.add(table.keyOf(0, country, 0, 2021), 10, Number.NaN, 200 - country);
    }
    const { jumps, count } = table.jumps(JUMP_RULE, { limit: 3 });
    expect(count).toBe(30);
    expect(jumps.map((jump) => jump.points[0]?.line)).toEqual([71, 72, 73]);
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
        'cobalt,mining,COD,2023,100.0,t', // line 9: repeats line 6 (not the first row of its key)
        'cobalt,mining,COD,2024,W,t', // line 10
        'cobalt,mining,COD,2024,W,t', // line 11: repeats line 10 (withheld: no key)
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
      ['production.csv', 6, 9],
      ['production.csv', 10, 11],
      ['trade.csv', 2, 3],
    ]);
    expect(duplicates[0]?.message).toBe('line 4 repeats line 2 exactly; the loader sums the two (delete one if it was pasted twice)');
  });

  it("Chile's copper raised tenfold in the last year: a step, with its message", async () => {
    const dir = dataFolder({
      'production.csv': production(
        'copper,mining,CHL,2022,5330000,t', // 2
        'copper,mining,PER,2022,2450000,t', // 3
        'copper,mining,ZZZ,2022,14220000,t', // 4: world 22,000,000
        'copper,mining,CHL,2023,5250000,t', // 5: 5.25 / 22.05 = 23.8%
        'copper,mining,PER,2023,2760000,t', // 6
        'copper,mining,ZZZ,2023,14040000,t', // 7: world 22,050,000
        'copper,mining,PER,2024,2600000,t', // 8
        'copper,mining,CHL,2024,52500000,t', // 9: x10: 52.5 / 69.3 = 75.8%
        'copper,mining,ZZZ,2024,14200000,t', // 10: world 69,300,000
      ),
    });
    const jumps = await jumpsOf(dir);
    expect(jumps.map((warning) => [warning.file, ...warning.lines])).toEqual([['production.csv', 5, 9]]);
    expect(jumps[0]?.message).toBe(
      'copper mining CHL rose x10.0 from 2023 (5250000 t, line 5) to 2024 (52500000 t, line 9); 23.8% and 75.8% of world production in the two years. A unit, decimal or coverage slip? (x10, 1% in both years)',
    );
    // 2025 raised tenfold where the real 2025 was 4% below 2024: x9.6, caught at x5 as Chile is 10% or more in both years.
    const blurred = dataFolder({
      'production.csv': production(
        ...PRODUCTION_2022_2023,
        'copper,mining,CHL,2024,5510000,t',
        'copper,mining,ZZZ,2024,17440000,t',
        'copper,mining,CHL,2025,53000000,t',
        'copper,mining,ZZZ,2025,17670000,t',
      ),
    });
    const blurredJumps = await jumpsOf(blurred);
    expect(blurredJumps.map((warning) => warning.lines)).toEqual([[8, 10]]);
    expect(blurredJumps[0]?.message).toBe(
      'copper mining CHL rose x9.6 from 2024 (5510000 t, line 8) to 2025 (53000000 t, line 10); 24.0% and 75.0% of world production in the two years. A unit, decimal or coverage slip? (x5, 10% in both years)',
    );
    // Lowered tenfold instead: 525,000 of 17,325,000 = 3.0%, still a producer that matters.
    const lowered = dataFolder({
      'production.csv': production(
        ...PRODUCTION_2022_2023,
        'copper,mining,PER,2024,2600000,t',
        'copper,mining,CHL,2024,525000,t',
        'copper,mining,ZZZ,2024,14200000,t',
      ),
    });
    expect((await jumpsOf(lowered)).map((warning) => warning.lines)).toEqual([[5, 9]]);
  });

  it("DR Congo's cobalt raised tenfold, and Australia's lowered tenfold in a middle year (a spike)", async () => {
    const dir = dataFolder({
      'production.csv': production(
        'cobalt,mining,COD,2022,150000,t', // 2
        'cobalt,mining,AUS,2022,5000,t', // 3: 5000 / 220000 = 2.3%
        'cobalt,mining,ZZZ,2022,65000,t', // 4
        'cobalt,mining,COD,2023,170000,t', // 5
        'cobalt,mining,ZZZ,2023,60000,t', // 6
        'cobalt,mining,IDN,2023,17000,t', // 7
        'cobalt,mining,AUS,2023,500,t', // 8: /10 (0.2% of 247,500)
        'cobalt,mining,COD,2024,1800000,t', // 9: x10.6 (68.7% and 97.0%)
        'cobalt,mining,ZZZ,2024,28000,t', // 10
        'cobalt,mining,IDN,2024,22000,t', // 11
        'cobalt,mining,AUS,2024,5200,t', // 12: x10.4 back: 5200 / 1,855,200 = 0.28%: the spike needs 2022 and 2024 >= 1%
      ),
    });
    // With COD's slip AUS is 0.28% of the 2024 world: only COD is caught. Without it, AUS's spike is.
    expect((await jumpsOf(dir)).map((warning) => warning.lines)).toEqual([[5, 9]]);
    const fixed = dataFolder({
      'production.csv': production(
        'cobalt,mining,COD,2022,150000,t', // 2
        'cobalt,mining,AUS,2022,5000,t', // 3
        'cobalt,mining,ZZZ,2022,65000,t', // 4
        'cobalt,mining,COD,2023,170000,t', // 5
        'cobalt,mining,ZZZ,2023,60000,t', // 6
        'cobalt,mining,IDN,2023,17000,t', // 7
        'cobalt,mining,AUS,2023,500,t', // 8
        'cobalt,mining,COD,2024,180000,t', // 9
        'cobalt,mining,ZZZ,2024,28000,t', // 10
        'cobalt,mining,IDN,2024,22000,t', // 11
        'cobalt,mining,AUS,2024,5200,t', // 12: 5200 / 235,200 = 2.2%
      ),
    });
    const spikes = await jumpsOf(fixed);
    expect(spikes.map((warning) => warning.lines)).toEqual([[3, 12, 8]]);
    expect(spikes[0]?.message).toBe(
      'cobalt mining AUS: 2022 (5000 t, line 3) and 2024 (5200 t, line 12) agree, but 2023 (500 t, line 8) between them is x10.0 and x10.4 below them; 2.3% and 2.2% of world production in 2022 and 2024. A unit or decimal slip in 2023? (x5 either side, 1% in the years either side)',
    );
  });

  it("Japan's cobalt from Finland x10 with the value unchanged is a slip; growth, tiny flows and the unattributed are not", async () => {
    // Japan's imports of refined cobalt, Comtrade 2022 and BACI 2024 (data/trade.csv), Finland's 2024 quantity x10.
    const dir = dataFolder({
      'trade.csv': valuedTrade(
        'cobalt,refining,BEL,JPN,2022,99.99765,t,9435540', // 2
        'cobalt,refining,CHN,JPN,2022,110.99121,t,7874484', // 3
        'cobalt,refining,FIN,JPN,2022,232.6146,t,18984184', // 4: 35.8% of $53.1M
        'cobalt,refining,TWN,JPN,2022,207.574136,t,16433213', // 5
        'cobalt,refining,USA,JPN,2022,0.023458,t,12700', // 6: 0.02%
        'cobalt,refining,ZAF,JPN,2022,10,t,300000', // 7
        'cobalt,refining,ZZZ,JPN,2022,1,t,30000', // 8
        'cobalt,refining,BEL,JPN,2024,76.575154,t,5661442', // 9
        'cobalt,refining,CHN,JPN,2024,70.73855,t,1775076', // 10
        'cobalt,refining,FIN,JPN,2024,2761.9259,t,7647732', // 11: x11.9 while the value fell x2.5: the slip
        'cobalt,refining,TWN,JPN,2024,71.648974,t,2562126', // 12
        'cobalt,refining,USA,JPN,2024,0.74178,t,14064', // 13: x31.6, value flat, but 0.02% of the value: tiny
        'cobalt,refining,ZAF,JPN,2024,100,t,3000000', // 14: x10 and the value x10: growth
        'cobalt,refining,ZZZ,JPN,2024,10,t,30000', // 15: not a country
      ),
    });
    const jumps = await jumpsOf(dir);
    expect(jumps.map((warning) => warning.lines)).toEqual([[4, 11]]);
    expect(jumps[0]?.message).toBe(
      "cobalt refining FIN->JPN rose x11.9 from 2022 (232.615 t, $19.0M, line 4) to 2024 (2761.93 t, $7.65M, line 11) while its value fell x2.5: the unit value went from $81,600/t to $2,770/t; 35.8% and 37.0% of the larger of FIN's exports and JPN's imports by value in the two years. A unit, decimal or coverage slip? (x10, 1% in both years, value within x2)",
    );
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

const PRODUCTION_2022_2023 = [
  'copper,mining,CHL,2022,5330000,t',
  'copper,mining,PER,2022,2450000,t',
  'copper,mining,ZZZ,2022,14220000,t',
  'copper,mining,CHL,2023,5250000,t',
  'copper,mining,PER,2023,2760000,t',
  'copper,mining,ZZZ,2023,14040000,t',
];

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
      expect(summary.warningCounts).toEqual({ 'duplicate-row': 1, jump: 0, acknowledged: 0, coverage: 0, note: 0 });
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

  it('a jump: exit 1 with --strict, the stderr line at the later row, lines in the JSON', async () => {
    const dir = dataFolder({
      'production.csv': production(
        ...PRODUCTION_2022_2023,
        'copper,mining,PER,2024,2600000,t',
        'copper,mining,CHL,2024,52500000,t',
        'copper,mining,ZZZ,2024,14200000,t',
      ),
      'countries.csv': 'country,governance\nCHL,0.1\nPER,-0.3\n',
    });
    const plain = await runCli(['validate', '--data', dir, '--strict']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('warning: production.csv:9: [jump] copper mining CHL rose x10.0 from 2023');
    const json = JSON.parse((await runCli(['validate', '--data', dir, '--json', '--quiet'])).stdout);
    expect(json.warningCounts.jump).toBe(1);
    expect(json.warnings[0]).toMatchObject({ class: 'jump', integrity: true, file: 'production.csv', lines: [5, 9] });
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

  it('the embedded data passes --strict: every jump left is a source figure data/acknowledged.csv names', async () => {
    // data/acknowledged.csv lists the eight flows the rule flags on the embedded data, each checked
    // against its source file (a quantity published in kg for tonnes, a unit value 14-1000 times off):
    // the data keeps the publisher's figures, so they are acknowledged, not corrected.
    const result = await runCli(['validate', '--strict', '--json', '--quiet']);
    const summary = JSON.parse(result.stdout);
    expect(summary.valid).toBe(true);
    expect(summary.warningCounts['duplicate-row']).toBe(0);
    expect(summary.warningCounts.jump).toBe(0);
    expect(summary.warningCounts.acknowledged).toBe(8);
    expect(
      summary.warnings.filter((warning: { class: string; file: string | null }) => warning.class === 'note' && warning.file === 'acknowledged.csv'),
    ).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('acknowledged.csv: a matching jump no longer fails --strict; an entry that matches nothing is a note; a bad entry is an error', async () => {
    // COD's cobalt rises x20 from 2022 to 2023, at 50% and 95% of world production: a jump (x10, 1% in both years).
    const rows = production('cobalt,mining,COD,2022,10,t', 'cobalt,mining,AUS,2022,10,t', 'cobalt,mining,COD,2023,200,t', 'cobalt,mining,AUS,2023,10,t');
    const header = 'file,material,stage,country,partner,year,reason';
    const plain = dataFolder({ 'production.csv': rows });
    expect((await runCli(['validate', '--data', plain, '--strict', '--quiet'])).code).toBe(1);
    const known = dataFolder({
      'production.csv': rows,
      'acknowledged.csv': `${header}\nproduction.csv,cobalt,mining,COD,,2023,checked against the source\nproduction.csv,cobalt,mining,ZMB,,2023,gone\n`,
    });
    const result = await runCli(['validate', '--data', known, '--strict', '--json', '--quiet']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.warningCounts).toMatchObject({ jump: 0, acknowledged: 1, note: 1 });
    expect(summary.warnings.find((warning: { class: string }) => warning.class === 'note')).toMatchObject({ file: 'acknowledged.csv', lines: [3] });
    const bad = dataFolder({ 'production.csv': rows, 'acknowledged.csv': `${header}\nproduction.csv,cobalt,mining,COD,JPN,2023,x\n` });
    const error = await runCli(['validate', '--data', bad, '--strict']);
    expect(error.code).toBe(2);
    expect(error.stderr).toContain('acknowledged.csv:2: partner must be empty for production.csv');
  });
});
