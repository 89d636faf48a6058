/**
 * Property-based tests (fast-check, fixed seeds so a failure reproduces): the metrics' invariants,
 * and that the JSON report does not depend on how the same data is laid out in the files.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Flow } from '../../src/graph/slices.js';
import { concentration, herfindahl } from '../../src/metrics/concentration.js';
import { traceOrigins, traceOriginsIteratively, type OriginMix } from '../../src/metrics/kastner.js';
import { runCli } from '../helpers/cli.js';
import { dataFolder, PRODUCTION_HEADER, TRADE_HEADER } from '../helpers/data.js';

const SEED = 20240601;
const options = (numRuns: number) => ({ seed: SEED, numRuns });

const CODES = ['AUS', 'BEL', 'CAN', 'CHN', 'COD', 'FIN', 'IDN', 'JPN', 'PHL', 'ZAF'] as const;

describe('HHI', () => {
  const quantities = fc.array(fc.tuple(fc.constantFrom(...CODES), fc.integer({ min: 0, max: 1_000_000 })), { minLength: 1, maxLength: 10 });

  it('is between 0 and 10000 (and 10000 for a single producer)', () => {
    fc.assert(
      fc.property(quantities, (entries) => {
        const { hhi, total, producers } = concentration(new Map(entries));
        expect(hhi).toBeGreaterThanOrEqual(0);
        expect(hhi).toBeLessThanOrEqual(10000 * (1 + 1e-12));
        if (total === 0) expect(hhi).toBe(0);
        if (producers === 1) expect(hhi).toBeCloseTo(10000, 9);
        // Never below the equal-shares minimum for that many producers.
        if (producers > 0) expect(hhi).toBeGreaterThanOrEqual(10000 / producers - 1e-9);
      }),
      options(300),
    );
  });

  it('does not depend on the order of the countries', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.tuple(fc.constantFrom(...CODES), fc.integer({ min: 0, max: 1_000_000 })), { selector: ([code]) => code, minLength: 1 })
          .chain((entries) => fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }))),
        ([entries, shuffled]) => {
          const a = concentration(new Map(entries));
          const b = concentration(new Map(shuffled));
          expect(b.hhi).toBeCloseTo(a.hhi, 9);
          expect(b.cr3).toBeCloseTo(a.cr3, 12);
          expect(b.top).toEqual(a.top);
          expect(b.shares).toEqual(a.shares);
          expect(herfindahl([...a.shares].reverse().map((s) => s.share))).toBeCloseTo(a.hhi, 9);
        },
      ),
      options(300),
    );
  });

  it('equal shares give 10000 / n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: CODES.length }), fc.integer({ min: 1, max: 10_000_000 }), (n, quantity) => {
        const result = concentration(new Map(CODES.slice(0, n).map((code) => [code, quantity])));
        expect(result.producers).toBe(n);
        expect(Math.abs(result.hhi - 10000 / n)).toBeLessThan(1e-9);
      }),
      options(200),
    );
  });
});

describe('Kastner origin tracing', () => {
  /** Random trade among up to 7 countries: integer flows (no self-flows), production per country. */
  const system = (minProduction: number) =>
    fc
      .record({
        countries: fc.integer({ min: 2, max: 7 }),
        production: fc.array(fc.integer({ min: minProduction, max: 100 }), { minLength: 7, maxLength: 7 }),
        flows: fc.array(fc.tuple(fc.nat(6), fc.nat(6), fc.integer({ min: 1, max: 80 })), { maxLength: 20 }),
      })
      .map(({ countries, production, flows }) => {
        const codes = CODES.slice(0, countries);
        return {
          codes,
          production: new Map(codes.map((code, i) => [code, production[i] ?? 0])),
          flows: flows
            .map(([from, to, quantity]) => ({ from: codes[from % countries] ?? 'AUS', to: codes[to % countries] ?? 'AUS', quantity }))
            .filter((flow) => flow.from !== flow.to),
        };
      });

  function expectSameMix(a: OriginMix | undefined, b: OriginMix | undefined): void {
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(b!.supply).toBeCloseTo(a!.supply, 9);
    for (const key of ['traced', 'untraced'] as const) {
      const origins = new Set([...a![key].keys(), ...b![key].keys()]);
      for (const origin of origins) expect(Math.abs((a![key].get(origin) ?? 0) - (b![key].get(origin) ?? 0))).toBeLessThan(1e-9);
    }
  }

  it('the closed form and the fixed-point iteration agree to 1e-9, re-export loops included', () => {
    fc.assert(
      fc.property(system(0), ({ codes, production, flows }) => {
        const closed = traceOrigins(production, flows, codes);
        const iterated = traceOriginsIteratively(production, flows, codes);
        for (const code of codes) {
          expectSameMix(closed.get(code), iterated.get(code));
          const mix = closed.get(code)!;
          const total = [...mix.traced.values(), ...mix.untraced.values()].reduce((sum, share) => sum + share, 0);
          if (mix.supply > 0) expect(total).toBeCloseTo(1, 9);
          for (const share of [...mix.traced.values(), ...mix.untraced.values()]) {
            expect(share).toBeGreaterThan(0);
            expect(share).toBeLessThanOrEqual(1 + 1e-9);
          }
        }
      }),
      options(300),
    );
  });

  /**
   * What is conserved: every unit produced ends up in some country's final use (its supply minus what
   * it exports). So for each origin o, summing o's share of each country's supply times that
   * country's final use gives back o's production. Exports beyond a country's known supply are an
   * untraced source of that country and are conserved the same way. Production >= 1 everywhere
   * guarantees every re-export loop leaks into final use (no closed loop without a source).
   */
  it("conserves mass: each origin's traced quantities over all final use equal its production", () => {
    fc.assert(
      fc.property(system(1), ({ codes, production, flows }) => {
        const mixes = traceOrigins(production, flows, codes);
        const outflow = new Map<string, number>();
        const inflow = new Map<string, number>();
        for (const flow of flows) {
          outflow.set(flow.from, (outflow.get(flow.from) ?? 0) + flow.quantity);
          inflow.set(flow.to, (inflow.get(flow.to) ?? 0) + flow.quantity);
        }
        const finalUse = (code: string): number => (mixes.get(code)?.supply ?? 0) - (outflow.get(code) ?? 0);
        let world = 0;
        for (const origin of codes) {
          const produced = production.get(origin) ?? 0;
          const excess = Math.max(0, (outflow.get(origin) ?? 0) - produced - (inflow.get(origin) ?? 0));
          let traced = 0;
          let untraced = 0;
          for (const target of codes) {
            traced += (mixes.get(target)?.traced.get(origin) ?? 0) * finalUse(target);
            untraced += (mixes.get(target)?.untraced.get(origin) ?? 0) * finalUse(target);
          }
          expect(Math.abs(traced - produced)).toBeLessThan(1e-9 * Math.max(1, produced) * 100);
          expect(Math.abs(untraced - excess)).toBeLessThan(1e-7);
          world += produced + excess;
        }
        const totalFinal = codes.reduce((sum, code) => sum + finalUse(code), 0);
        expect(totalFinal).toBeCloseTo(world, 9);
      }),
      options(300),
    );
  });

  it('a pure re-export loop with no production behind it is left untraced, not invented', () => {
    const flows: Flow[] = [
      { from: 'BEL', to: 'FIN', quantity: 5 },
      { from: 'FIN', to: 'BEL', quantity: 5 },
      { from: 'FIN', to: 'JPN', quantity: 2 },
    ];
    const closed = traceOrigins(new Map(), flows, ['JPN']).get('JPN');
    const iterated = traceOriginsIteratively(new Map(), flows, ['JPN']).get('JPN');
    expectSameMix(closed, iterated);
    expect(closed?.traced.size).toBe(0);
    const untraced = [...(closed?.untraced.values() ?? [])].reduce((sum, share) => sum + share, 0);
    expect(untraced).toBeCloseTo(1, 9);
  });
});

describe('water-filling plan (src/metrics/waterfill.ts)', () => {
  it('cannot be improved by moving volume between two candidates', async () => {
    const { waterFill } = await import('../../src/metrics/waterfill.js');
    const bins = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 8 })
      .map((pairs) => pairs.map(([base, room], i) => ({ country: CODES[i] ?? `C${i}`, base, upper: base + room })));
    fc.assert(
      fc.property(bins, fc.integer({ min: 0, max: 5000 }), (candidates, amount) => {
        const fill = waterFill(candidates, amount);
        const x = (country: string): number => fill.result.get(country) ?? Number.NaN;
        const room = candidates.reduce((sum, bin) => sum + (bin.upper - bin.base), 0);
        // Feasible: within bounds, everything placed that fits.
        for (const bin of candidates) {
          expect(x(bin.country)).toBeGreaterThanOrEqual(bin.base - 1e-9);
          expect(x(bin.country)).toBeLessThanOrEqual(bin.upper + 1e-9);
        }
        expect(fill.placed).toBeCloseTo(Math.min(amount, room), 6);
        expect(fill.placed + fill.unfilled).toBeCloseTo(amount, 6);
        // Optimal: moving any movable volume d from i (down to its base) to j (up to its bound)
        // never lowers the sum of squares (hence the HHI of the resulting supply).
        for (const from of candidates) {
          for (const to of candidates) {
            if (from === to) continue;
            const movable = Math.min(x(from.country) - from.base, to.upper - x(to.country));
            if (movable <= 1e-9) continue;
            for (const d of [movable, movable / 2, Math.min(movable, 1e-3)]) {
              const before = x(from.country) ** 2 + x(to.country) ** 2;
              const after = (x(from.country) - d) ** 2 + (x(to.country) + d) ** 2;
              expect(after).toBeGreaterThanOrEqual(before - 1e-6);
            }
          }
        }
      }),
      options(400),
    );
  });
});

describe('the JSON report does not depend on the layout of the files', () => {
  interface Rows {
    production: { key: string; quantity: number }[];
    trade: { key: string; quantity: number }[];
  }

  const material = fc.constantFrom('cobalt', 'lithium');
  const stage = fc.constantFrom('mining', 'refining');
  const year = fc.constantFrom(2022, 2023);
  const code = fc.constantFrom(...CODES);
  /** Multiples of 1/8 are exact in binary, so sums do not depend on their order. */
  const quantity = fc.integer({ min: 0, max: 8_000_000 }).map((eighths) => eighths / 8);

  const rows: fc.Arbitrary<Rows> = fc.record({
    production: fc.array(
      fc.tuple(material, stage, code, year, quantity).map(([m, s, c, y, q]) => ({ key: `${m},${s},${c},${y}`, quantity: q })),
      { minLength: 1, maxLength: 25 },
    ),
    trade: fc.array(
      fc
        .tuple(material, stage, code, fc.constantFrom('JPN', 'JPN', 'BEL', 'CHN'), year, quantity)
        .filter(([, , exporter, importer]) => exporter !== importer)
        .map(([m, s, e, i, y, q]) => ({ key: `${m},${s},${e},${i},${y}`, quantity: q })),
      { maxLength: 25 },
    ),
  });

  function files(data: Rows, lineEnd = '\n', bom = ''): Record<string, string> {
    const text = (header: string, list: { key: string; quantity: number }[]): string =>
      bom + [header, ...list.map((row) => `${row.key},${row.quantity},t`)].join(lineEnd) + lineEnd;
    return { 'production.csv': text(PRODUCTION_HEADER, data.production), 'trade.csv': text(TRADE_HEADER, data.trade) };
  }

  async function reportJson(data: Record<string, string>): Promise<string> {
    const result = await runCli(['report', '--data', dataFolder(data), '--json']);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    return result.stdout;
  }

  it('shuffling the rows of both files', async () => {
    await fc.assert(
      fc.asyncProperty(
        rows.chain((data) =>
          fc.tuple(
            fc.constant(data),
            fc.shuffledSubarray(data.production, { minLength: data.production.length, maxLength: data.production.length }),
            fc.shuffledSubarray(data.trade, { minLength: data.trade.length, maxLength: data.trade.length }),
          ),
        ),
        async ([data, production, trade]) => {
          expect(await reportJson(files({ production, trade }))).toBe(await reportJson(files(data)));
        },
      ),
      options(25),
    );
  });

  it('splitting a row into two rows with the same key', async () => {
    await fc.assert(
      fc.asyncProperty(rows, fc.nat(), fc.nat(), fc.boolean(), async (data, which, fraction, inTrade) => {
        const list = inTrade && data.trade.length > 0 ? data.trade : data.production;
        const index = which % list.length;
        const row = list[index]!;
        const eighths = row.quantity * 8;
        const first = (fraction % (eighths + 1)) / 8;
        const split = [...list.slice(0, index), { key: row.key, quantity: first }, ...list.slice(index + 1), { key: row.key, quantity: row.quantity - first }];
        const changed = list === data.trade ? { ...data, trade: split } : { ...data, production: split };
        expect(await reportJson(files(changed))).toBe(await reportJson(files(data)));
      }),
      options(25),
    );
  });

  it('re-encoding line endings (LF, CRLF) and adding a UTF-8 byte-order mark', async () => {
    await fc.assert(
      fc.asyncProperty(rows, fc.constantFrom('\r\n', '\n'), fc.constantFrom('', '\ufeff'), async (data, lineEnd, bom) => {
        expect(await reportJson(files(data, lineEnd, bom))).toBe(await reportJson(files(data)));
      }),
      options(25),
    );
  });

  it('quoting every field the way spreadsheets do', async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (data) => {
        const quoted = Object.fromEntries(
          Object.entries(files(data)).map(([name, text]) => [
            name,
            text
              .split('\n')
              .map((line) =>
                line === ''
                  ? line
                  : line
                      .split(',')
                      .map((field) => `"${field}"`)
                      .join(','),
              )
              .join('\n'),
          ]),
        );
        expect(await reportJson(quoted)).toBe(await reportJson(files(data)));
      }),
      options(15),
    );
  });
});
