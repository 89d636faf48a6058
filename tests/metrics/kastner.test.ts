import { describe, expect, it } from 'vitest';
import { mixOf, traceOriginShares, traceOrigins, traceOriginsIteratively } from '../../src/metrics/kastner.js';

// The worked example of the core issue (computed independently there):
// production COD 10, CHN 60, FIN 15, BEL 5, JPN 0;
// flows CHN->JPN 8, FIN->JPN 4, BEL->JPN 2, CHN->BEL 3, COD->CHN 2, BEL->FIN 1.
const production = new Map([
  ['COD', 10],
  ['CHN', 60],
  ['FIN', 15],
  ['BEL', 5],
  ['JPN', 0],
]);
const flows = [
  { from: 'CHN', to: 'JPN', quantity: 8 },
  { from: 'FIN', to: 'JPN', quantity: 4 },
  { from: 'BEL', to: 'JPN', quantity: 2 },
  { from: 'CHN', to: 'BEL', quantity: 3 },
  { from: 'COD', to: 'CHN', quantity: 2 },
  { from: 'BEL', to: 'FIN', quantity: 1 },
];

describe('Kastner origin tracing', () => {
  it('reproduces the worked example', () => {
    const mix = traceOrigins(production, flows, ['JPN']).get('JPN');
    expect(mix?.supply).toBe(14);
    expect(mix?.traced.get('CHN')).toBeCloseTo(0.6113, 4);
    expect(mix?.traced.get('FIN')).toBeCloseTo(0.2679, 4);
    expect(mix?.traced.get('BEL')).toBeCloseTo(0.1004, 4);
    expect(mix?.traced.get('COD')).toBeCloseTo(0.0204, 4);
    expect(mix?.untraced.size).toBe(0);
  });

  it('agrees with a hand derivation of the example', () => {
    // x_CHN = 62 (COD 2/62), x_BEL = 8 with CHN 3/8 of it, x_FIN = 16 with BEL 1/16.
    // BEL's mix: 5/8 BEL + 3/8 x CHN's mix (60/62 CHN, 2/62 COD).
    // FIN's mix: 15/16 FIN + 1/16 x BEL's mix.
    // JPN = 8/14 CHN-mix + 4/14 FIN-mix + 2/14 BEL-mix.
    const chn = { CHN: 60 / 62, COD: 2 / 62 };
    const bel = { BEL: 5 / 8, CHN: (3 / 8) * chn.CHN, COD: (3 / 8) * chn.COD };
    const fin = { FIN: 15 / 16, BEL: bel.BEL / 16, CHN: bel.CHN / 16, COD: bel.COD / 16 };
    const expected = {
      CHN: (8 / 14) * chn.CHN + (4 / 14) * fin.CHN + (2 / 14) * bel.CHN,
      COD: (8 / 14) * chn.COD + (4 / 14) * fin.COD + (2 / 14) * bel.COD,
      FIN: (4 / 14) * fin.FIN,
      BEL: (4 / 14) * fin.BEL + (2 / 14) * bel.BEL,
    };
    const mix = traceOrigins(production, flows, ['JPN']).get('JPN');
    for (const [country, share] of Object.entries(expected)) expect(mix?.traced.get(country)).toBeCloseTo(share, 12);
  });

  it('fixed-point iteration agrees with the closed form to 1e-9, re-export loop included', () => {
    const loop = [...flows, { from: 'FIN', to: 'BEL', quantity: 2 }, { from: 'JPN', to: 'CHN', quantity: 1 }];
    const targets = ['JPN', 'BEL', 'FIN', 'CHN'];
    const closed = traceOrigins(production, loop, targets);
    const iterated = traceOriginsIteratively(production, loop, targets);
    for (const target of targets) {
      const a = closed.get(target);
      const b = iterated.get(target);
      for (const country of ['COD', 'CHN', 'FIN', 'BEL', 'JPN']) {
        expect(Math.abs((a?.traced.get(country) ?? 0) - (b?.traced.get(country) ?? 0))).toBeLessThan(1e-9);
      }
    }
  });

  it('agrees with the iteration on a dense system of 30 countries (row updates four columns a turn)', () => {
    // Every country ships to most others (a fixed pseudo-random pattern): after a few columns the
    // rows below the pivot fill in, and the factorisation takes its dense path, whose row update
    // handles four columns a turn plus a remainder (29 columns left at the first pivot).
    let seed = 12345;
    const next = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const codes = Array.from({ length: 30 }, (_, k) => `C${String(k).padStart(2, '0')}`);
    const dense = new Map(codes.map((code, k) => [code, k % 3 === 0 ? 50 + 100 * next() : 0]));
    const shipped = codes.flatMap((from) => codes.filter((to) => to !== from && next() < 0.6).map((to) => ({ from, to, quantity: 0.5 * next() })));
    const closed = traceOrigins(dense, shipped, codes);
    const iterated = traceOriginsIteratively(dense, shipped, codes, 1e-15, 10_000);
    for (const target of codes) {
      for (const origin of codes) {
        expect(Math.abs((closed.get(target)?.traced.get(origin) ?? 0) - (iterated.get(target)?.traced.get(origin) ?? 0))).toBeLessThan(1e-9);
      }
    }
  });

  it('conserves mass: origin quantities over all countries sum to each origin production consumed', () => {
    const targets = ['COD', 'CHN', 'FIN', 'BEL', 'JPN'];
    const mixes = traceOrigins(production, flows, targets);
    for (const mix of mixes.values()) {
      const total = [...mix.traced.values(), ...mix.untraced.values()].reduce((a, b) => a + b, 0);
      if (mix.supply > 0) expect(total).toBeCloseTo(1, 12);
    }
  });

  it('treats exports beyond known supply as untraced own origin', () => {
    // AAA produces 5 but exports 8 to JPN: 3 t have no known source. JPN: 5/8 traced AAA, 3/8 untraced AAA.
    const mix = traceOrigins(new Map([['AAA', 5]]), [{ from: 'AAA', to: 'JPN', quantity: 8 }], ['JPN']).get('JPN');
    expect(mix?.traced.get('AAA')).toBeCloseTo(5 / 8, 12);
    expect(mix?.untraced.get('AAA')).toBeCloseTo(3 / 8, 12);
  });

  it('leaves a loop with no production behind it untraced instead of failing', () => {
    const circulating = [
      { from: 'AAA', to: 'BBB', quantity: 5 },
      { from: 'BBB', to: 'AAA', quantity: 5 },
    ];
    const mix = traceOrigins(new Map(), circulating, ['AAA']).get('AAA');
    expect(mix?.traced.size).toBe(0);
    expect(mix?.untraced.get('AAA')).toBeCloseTo(1, 9);
  });

  it('gives the same mix as columns (traceOriginShares) as in maps, entries in the same order', () => {
    const entries = (mix: ReturnType<typeof mixOf> | undefined) => ({
      traced: [...(mix?.traced ?? [])],
      untraced: [...(mix?.untraced ?? [])],
      supply: mix?.supply,
    });
    for (const target of ['JPN', 'BEL', 'FIN', 'CHN', 'COD', 'XXX']) {
      expect(entries(mixOf(traceOriginShares(production, flows, target)))).toEqual(entries(traceOrigins(production, flows, [target]).get(target)));
    }
    const shares = traceOriginShares(production, flows, 'JPN');
    expect(shares.countries).toEqual(['BEL', 'CHN', 'COD', 'FIN', 'JPN']);
    expect(shares.traced[1]).toBeCloseTo((8 / 14) * (60 / 62) + ((4 / 14) * ((3 / 8) * (60 / 62))) / 16 + (2 / 14) * (3 / 8) * (60 / 62), 12);
  });

  it('puts a circulating remainder at the target, after its other untraced entries (columns and maps alike)', () => {
    // AAA and BBB pass 5 back and forth with no production and no excess behind it (a singular
    // system, traced by iteration); CCC makes 2 and ships 1 to DDD, which is not in the loop. AAA's
    // supply (5) has no source at all: all of it stops at AAA, as the remainder.
    const loop = [
      { from: 'AAA', to: 'BBB', quantity: 5 },
      { from: 'BBB', to: 'AAA', quantity: 5 },
      { from: 'CCC', to: 'DDD', quantity: 1 },
    ];
    const production = new Map([['CCC', 2]]);
    const mix = traceOrigins(production, loop, ['AAA']).get('AAA');
    expect(mix?.traced.size).toBe(0);
    expect([...(mix?.untraced.keys() ?? [])]).toEqual(['AAA']);
    expect(mix?.untraced.get('AAA')).toBeCloseTo(1, 9);
    const shares = traceOriginShares(production, loop, 'AAA');
    expect(shares.countries[shares.target]).toBe('AAA');
    expect(shares.remainder).toBeCloseTo(1, 9);
    expect(mixOf(shares)).toEqual(mix);
    // DDD's supply is all CCC's.
    expect(traceOrigins(production, loop, ['DDD']).get('DDD')?.traced.get('CCC')).toBeCloseTo(1, 9);
  });
});
