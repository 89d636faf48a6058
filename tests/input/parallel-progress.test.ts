/**
 * The progress line of a threaded read while the main thread reads its own range (the last), when
 * the workers' messages wait until it is done (src/input/fast/parallel.ts).
 *
 * Ranges: a worker's of 100 bytes (10-110) and the main thread's of 200 (110-310).
 * - The main thread has read 50 of its 200 bytes (a quarter) and 5 rows; the worker has not been
 *   heard from: it is counted at a quarter of its range, 25 bytes, and at the main thread's 0.1 rows
 *   a byte, 2.5 rows, rounded to 3. Total: 75 bytes, 8 rows.
 * - The worker has said 40 bytes and 4 rows, more than a quarter: its own figures count. Total: 90
 *   bytes, 9 rows.
 */
import { describe, expect, it } from 'vitest';
import { progressWhileReadingHere, totalProgress } from '../../src/input/fast/parallel.js';

const RANGES: [number, number][] = [
  [10, 110],
  [110, 310],
];

describe('progress of a threaded read', () => {
  it('counts a worker not heard from at the share of its range the main thread has read of its own', () => {
    expect(
      progressWhileReadingHere(
        [
          { bytes: 0, rows: 0 },
          { bytes: 50, rows: 5 },
        ],
        RANGES,
        1,
      ),
    ).toEqual({ bytes: 75, rows: 8 });
  });

  it("takes a worker's own figures once they are ahead of that share", () => {
    expect(
      progressWhileReadingHere(
        [
          { bytes: 40, rows: 4 },
          { bytes: 50, rows: 5 },
        ],
        RANGES,
        1,
      ),
    ).toEqual({ bytes: 90, rows: 9 });
  });

  it('sums what the ranges said otherwise', () => {
    expect(
      totalProgress([
        { bytes: 40, rows: 4 },
        { bytes: 50, rows: 5 },
      ]),
    ).toEqual({ bytes: 90, rows: 9 });
  });
});
