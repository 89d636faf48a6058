/**
 * src/report/numbers.ts formats numbers for people without Intl.NumberFormat (whose creation costs
 * start-up time). This checks it, value by value, against Intl.NumberFormat itself: the two en-US
 * formats it stands for, on edge cases (half-way values, negative zero, tiny and huge magnitudes,
 * NaN, infinities) and on many random values.
 */
import { describe, expect, it } from 'vitest';
import { formatGrouped, formatHhi, formatQuantity, formatSignificant3 } from '../../src/report/numbers.js';
import { seededRandom as random } from '../helpers/random.js';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const significant = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

const EDGES: number[] = [
  0,
  -0,
  1,
  -1,
  0.4,
  0.5,
  0.6,
  -0.4,
  -0.5,
  -0.6,
  1.5,
  2.5,
  -2.5,
  3.5,
  99.5,
  99.95,
  99.949,
  -99.95,
  100,
  100.5,
  999.5,
  999.4999,
  1000,
  9999.5,
  12345.5,
  1e6,
  1234567.5,
  0.001,
  0.0005,
  0.00049,
  0.00099951,
  1.005,
  2.675,
  1.0049999,
  0.125,
  0.045,
  0.0455,
  0.1 + 0.2,
  1 / 3,
  2 / 3,
  -2 / 3,
  123.456,
  999.999,
  9.995,
  9.994999,
  0.9995,
  0.09995,
  1e-7,
  1.23456e-10,
  -1.23456e-10,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  1e15,
  1e16,
  1e21,
  1e22,
  1e23,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 60,
  2 ** 64,
  2 ** 70,
  123456789012345680000,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  Number.MAX_SAFE_INTEGER,
  Number.EPSILON,
  NaN,
  Infinity,
  -Infinity,
  4.35,
  4.45,
  0.15,
  0.25,
  0.35,
  1.45,
  8.345,
  10.5,
  11.5,
  0.05,
  0.0095,
  0.00995,
  994.5,
  995,
  9995,
  99950,
];

function randomValues(count: number, seed: number): number[] {
  const next = random(seed);
  const values: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const sign = next() < 0.3 ? -1 : 1;
    const kind = next();
    if (kind < 0.3) {
      // Any magnitude from 1e-12 to 1e22.
      values.push(sign * next() * 10 ** Math.floor(next() * 34 - 12));
    } else if (kind < 0.5) {
      // Halves and near-halves of whole numbers, the rounding cases of maximumFractionDigits 0.
      const whole = Math.floor(next() * 10 ** Math.floor(next() * 9));
      values.push(sign * (whole + [0.5, 0.49999999, 0.50000001, 0.4999999999999999][Math.floor(next() * 4)]!));
    } else if (kind < 0.75) {
      // Three significant digits and a trailing 5, at every magnitude: the rounding cases of maximumSignificantDigits 3.
      const digits = 100 + Math.floor(next() * 900);
      values.push(sign * Number(`${digits}5e${Math.floor(next() * 30) - 20}`));
    } else if (kind < 0.9) {
      // Values with few decimals, as data carries them (shares, tonnes, HHI).
      const decimals = Math.floor(next() * 6);
      values.push(sign * Number((next() * 10 ** Math.floor(next() * 8)).toFixed(decimals)));
    } else {
      // Random bit patterns: any finite double.
      const view = new DataView(new ArrayBuffer(8));
      view.setUint32(0, Math.floor(next() * 2 ** 32));
      view.setUint32(4, Math.floor(next() * 2 ** 32));
      const value = view.getFloat64(0);
      if (Number.isFinite(value)) values.push(value);
    }
  }
  return values;
}

const VALUES = [...EDGES, ...randomValues(200_000, 20240601)];

function mismatches(format: (value: number) => string, reference: (value: number) => string): string[] {
  const wrong: string[] = [];
  for (const value of VALUES) {
    const got = format(value);
    const want = reference(value);
    if (got !== want && wrong.length < 10) wrong.push(`${Object.is(value, -0) ? '-0' : String(value)}: got ${got}, Intl ${want}`);
  }
  return wrong;
}

describe('numbers: en-US formatting without Intl.NumberFormat', () => {
  it('formats as Intl.NumberFormat en-US with maximumFractionDigits 0', () => {
    expect(mismatches(formatGrouped, (value) => grouped.format(value))).toEqual([]);
  });

  it('formats as Intl.NumberFormat en-US with maximumSignificantDigits 3', () => {
    expect(mismatches(formatSignificant3, (value) => significant.format(value))).toEqual([]);
  });

  it('formatQuantity and formatHhi give what they gave with Intl.NumberFormat', () => {
    const quantity = (value: number): string => (Math.abs(value) >= 100 ? grouped.format(value) : significant.format(value));
    expect(mismatches(formatQuantity, quantity)).toEqual([]);
    expect(mismatches(formatHhi, (value) => grouped.format(value))).toEqual([]);
  });

  it('covers the edge cases it is meant to', () => {
    expect(formatGrouped(-0)).toBe('-0');
    expect(formatGrouped(-0.4)).toBe('-0');
    expect(formatGrouped(2.5)).toBe('3');
    expect(formatGrouped(-2.5)).toBe('-3');
    expect(formatGrouped(1234567.5)).toBe('1,234,568');
    expect(formatGrouped(1e21)).toBe('1,000,000,000,000,000,000,000');
    expect(formatSignificant3(1.005)).toBe('1.01');
    expect(formatSignificant3(99.95)).toBe('100');
    expect(formatSignificant3(0.000123456)).toBe('0.000123');
    expect(formatQuantity(Number.NaN)).toBe('NaN');
    expect(formatQuantity(Infinity)).toBe('∞');
    expect(formatHhi(-Infinity)).toBe('-∞');
  });
});
