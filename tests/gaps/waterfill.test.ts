import { describe, expect, it } from 'vitest';
import { cutToCeiling, waterFill } from '../../src/metrics/waterfill.js';

describe('waterFill', () => {
  it('raises the smallest bins to one level when no cap binds', () => {
    // Bins A [0,100], B [0,100], C [10,100]; 30 to place. Level 10 after A and B took 20; then three
    // bins share the last 10: level 10 + 10/3 = 13.333.
    const fill = waterFill(
      [
        { country: 'A', base: 0, upper: 100 },
        { country: 'B', base: 0, upper: 100 },
        { country: 'C', base: 10, upper: 100 },
      ],
      30,
    );
    expect(fill.level).toBeCloseTo(40 / 3, 12);
    expect(fill.added.get('A')).toBeCloseTo(40 / 3, 12);
    expect(fill.added.get('C')).toBeCloseTo(10 / 3, 12);
    expect(fill.unfilled).toBe(0);
    expect(fill.placed).toBeCloseTo(30, 12);
  });

  it('stops a bin at its cap and keeps filling the others', () => {
    // A [0,5] caps at 5; B [0,50]: 15 = 5 + 10, level 10 for B.
    const fill = waterFill(
      [
        { country: 'A', base: 0, upper: 5 },
        { country: 'B', base: 0, upper: 50 },
      ],
      15,
    );
    expect(fill.result.get('A')).toBe(5);
    expect(fill.result.get('B')).toBeCloseTo(10, 12);
  });

  it('reports what no bin can take as unfilled', () => {
    const fill = waterFill(
      [
        { country: 'A', base: 20, upper: 25 },
        { country: 'B', base: 0, upper: 5 },
      ],
      15,
    );
    expect(fill.placed).toBe(10);
    expect(fill.unfilled).toBe(5);
  });

  it('places nothing with no bins', () => {
    expect(waterFill([], 7)).toMatchObject({ placed: 0, unfilled: 7, level: null });
  });
});

describe('cutToCeiling', () => {
  it('lowers the largest holders to a common ceiling', () => {
    // 40, 40, 20; take 17: both 40s go down by 8.5 to 31.5.
    const { ceiling, cut } = cutToCeiling(
      new Map([
        ['A', 40],
        ['B', 40],
        ['C', 20],
      ]),
      17,
    );
    expect(ceiling).toBeCloseTo(31.5, 12);
    expect(cut.get('A')).toBeCloseTo(8.5, 12);
    expect(cut.has('C')).toBe(false);
  });

  it('reaches the next holder when the cut is deep', () => {
    // 50, 30, 10; take 30: the ceiling passes 30 (20 taken), then two holders share 10 more: 25.
    const { ceiling } = cutToCeiling(
      new Map([
        ['A', 50],
        ['B', 30],
        ['C', 10],
      ]),
      30,
    );
    expect(ceiling).toBeCloseTo(25, 12);
  });
});
