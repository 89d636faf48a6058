import { describe, expect, it } from 'vitest';
import { concentration, governanceWeightedHhi, herfindahl } from '../../src/metrics/concentration.js';

describe('concentration', () => {
  it('computes HHI, top, CR3 and producers by hand', () => {
    // A 50, B 30, C 15, D 5 of 100: HHI = 50^2 + 30^2 + 15^2 + 5^2 = 2500 + 900 + 225 + 25 = 3650.
    // CR3 = 0.50 + 0.30 + 0.15 = 0.95.
    const result = concentration(
      new Map([
        ['AAA', 50],
        ['BBB', 30],
        ['CCC', 15],
        ['DDD', 5],
      ]),
    );
    expect(result.total).toBe(100);
    expect(result.hhi).toBeCloseTo(3650, 9);
    expect(result.cr3).toBeCloseTo(0.95, 12);
    expect(result.producers).toBe(4);
    expect(result.top).toEqual({ country: 'AAA', quantity: 50, share: 0.5 });
  });

  it('counts the unattributed remainder in the total but gives it no HHI term and never makes it top', () => {
    // AAA 30, ZZZ 60, BBB 10 of 100: HHI = 30^2 + 10^2 = 1000; top is AAA (ZZZ is not a country).
    const result = concentration(
      new Map([
        ['AAA', 30],
        ['ZZZ', 60],
        ['BBB', 10],
      ]),
    );
    expect(result.hhi).toBeCloseTo(1000, 9);
    expect(result.top?.country).toBe('AAA');
    expect(result.top?.share).toBeCloseTo(0.3, 12);
    expect(result.cr3).toBeCloseTo(0.4, 12);
    expect(result.producers).toBe(2);
    expect(result.unattributedShare).toBeCloseTo(0.6, 12);
  });

  it('gives 10000 for a monopoly and 10000/n for n equal producers', () => {
    expect(herfindahl([1])).toBe(10000);
    expect(herfindahl([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(2500, 9);
  });

  it('breaks ties in the top country by code so output is deterministic', () => {
    const result = concentration(
      new Map([
        ['BBB', 5],
        ['AAA', 5],
      ]),
    );
    expect(result.top?.country).toBe('AAA');
  });

  it('handles an all-zero slice without dividing by zero', () => {
    const result = concentration(new Map([['AAA', 0]]));
    expect(result).toMatchObject({ total: 0, hhi: 0, top: null, producers: 0, cr3: 0 });
  });

  it('weights shares by governance as the EU method does', () => {
    // 0.6^2 x 2 x (2.5 - (-1)) + 0.4^2 x 2 x (2.5 - 1.5) = 0.36 x 7 + 0.16 x 2 = 2.52 + 0.32 = 2.84
    const shares = [
      { country: 'AAA', quantity: 6, share: 0.6 },
      { country: 'BBB', quantity: 4, share: 0.4 },
    ];
    const governance = new Map([
      ['AAA', -1],
      ['BBB', 1.5],
    ]);
    expect(governanceWeightedHhi(shares, (code) => governance.get(code) ?? null)).toBeCloseTo(2.84, 12);
    // A missing score counts as 0: 0.36 x 5 + 0.16 x 5 = 2.6
    expect(governanceWeightedHhi(shares, () => null)).toBeCloseTo(2.6, 12);
  });
});
