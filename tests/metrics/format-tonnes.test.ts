/**
 * formatTonnes (metrics/importer.ts) writes production tonnes in reasons without Intl for the usual
 * values; it must give exactly what toLocaleString('en-US', { maximumFractionDigits: 1 }) gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTonnes } from '../../src/metrics/importer.js';

const intl = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 1 });

describe('formatTonnes', () => {
  it('gives what Intl gives on halves, carries and edges', () => {
    const edges = [
      0,
      -0,
      0.04,
      0.05,
      0.15,
      0.25,
      0.95,
      0.96,
      1.05,
      1.15,
      2.675,
      9.95,
      99.95,
      999.95,
      999999.95,
      1234.5500000000002,
      0.04999999999999999,
      5e-7,
      1e-7,
      1e20,
      1e21,
      2 ** 53,
      2 ** 53 - 0.5,
      4503599627370495.5,
      -1.25,
      -0.04,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      123456789.95,
      1000,
      1000000.05,
    ];
    for (const value of edges) expect(formatTonnes(value), String(value)).toBe(intl(value));
  });

  it('gives what Intl gives on random quantities', () => {
    const quantity = fc.oneof(
      fc.double({ min: 0, max: 1e16, noNaN: true }),
      fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 100),
      fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 20 + 0.05),
      fc.integer({ min: 0, max: 1_000_000 }).map((n) => n * 0.05),
      fc.double({ min: 0, max: 1, noNaN: true }),
    );
    fc.assert(
      fc.property(quantity, (value) => {
        expect(formatTonnes(value)).toBe(intl(value));
      }),
      { numRuns: 20_000, seed: 13 },
    );
  });
});
