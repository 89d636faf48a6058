/**
 * Water-filling: place an amount on bins so that the sum of squares of the resulting quantities is as
 * small as possible (hence the resulting HHI), each bin staying within [base, upper].
 *
 * Minimising sum x_i^2 subject to sum (x_i - base_i) = amount and base_i <= x_i <= upper_i has the
 * KKT solution x_i = clamp(level, base_i, upper_i) for one common water level: the smallest bins are
 * raised first, all to the same level, and a bin stops rising at its upper bound. The level is found
 * exactly by walking the sorted breakpoints of the piecewise-linear fill function.
 */

export interface Bin {
  country: string;
  /** Quantity the bin already holds (it never goes below). */
  base: number;
  /** Largest resulting quantity (>= base). */
  upper: number;
}

export interface Fill {
  /** Resulting quantity of each bin. */
  result: Map<string, number>;
  /** Quantity added to each bin (only bins that received something). */
  added: Map<string, number>;
  placed: number;
  unfilled: number;
  /** The common water level, null when nothing was placed. */
  level: number | null;
}

export function waterFill(bins: readonly Bin[], amount: number): Fill {
  const usable = bins.map((bin) => ({ ...bin, upper: Math.max(bin.base, bin.upper) }));
  const room = usable.reduce((total, bin) => total + (bin.upper - bin.base), 0);
  const fillTo = (level: number): number => usable.reduce((total, bin) => total + (clamp(level, bin.base, bin.upper) - bin.base), 0);
  let level: number | null;
  if (amount <= 0 || room <= 0) level = null;
  else if (amount >= room) level = Math.max(...usable.map((bin) => bin.upper));
  else {
    const points = [...new Set(usable.flatMap((bin) => [bin.base, bin.upper]))].sort((a, b) => a - b);
    // The first breakpoint the fill reaches `amount` at, by bisection: fillTo never decreases (each
    // term does not, and floating-point sums in a fixed order keep that), so this is the breakpoint
    // a walk from the lowest one would stop at, found in log n evaluations instead of n.
    let lo = 0;
    let hi = points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (fillTo(points[mid] ?? 0) >= amount) hi = mid;
      else lo = mid + 1;
    }
    const point = points[lo] ?? 0;
    const below = points[Math.max(0, lo - 1)] ?? 0;
    const slope = usable.filter((bin) => bin.base <= below && bin.upper > below).length;
    level = slope > 0 ? below + (amount - fillTo(below)) / slope : point;
  }
  const result = new Map<string, number>();
  const added = new Map<string, number>();
  let placed = 0;
  for (const bin of usable) {
    const quantity = level === null ? bin.base : clamp(level, bin.base, bin.upper);
    result.set(bin.country, quantity);
    const extra = quantity - bin.base;
    if (extra > 0) {
      added.set(bin.country, extra);
      placed += extra;
    }
  }
  const unfilled = Math.max(0, amount - placed);
  return { result, added, placed: Math.min(placed, Math.max(0, amount)), unfilled: unfilled < 1e-12 * Math.max(1, amount) ? 0 : unfilled, level };
}

/**
 * The reverse: take `amount` off the largest holders by lowering them to a common ceiling
 * (water-filling down), which lowers the sum of squares the most for the volume taken.
 */
export function cutToCeiling(holders: ReadonlyMap<string, number>, amount: number): { ceiling: number; cut: Map<string, number> } {
  return ceilingCutter(holders)(amount);
}

/**
 * cutToCeiling for one set of holders and many amounts (a gap search tries hundreds): the holders
 * are sorted once. Same arithmetic, in the same order, as a call of cutToCeiling each time.
 */
export function ceilingCutter(holders: ReadonlyMap<string, number>): (amount: number) => { ceiling: number; cut: Map<string, number> } {
  const quantities = [...holders.values()].sort((a, b) => b - a);
  let total = 0;
  for (const value of quantities) total += value;
  const taken = (ceiling: number): number => {
    let sum = 0;
    for (const value of quantities) sum += Math.max(0, value - ceiling);
    return sum;
  };
  return (amount) => {
    let ceiling = quantities[0] ?? 0;
    if (amount >= total) ceiling = 0;
    else if (amount > 0) {
      // Between consecutive quantities, taken() is linear with slope = number of holders above.
      for (let k = 1; k <= quantities.length; k++) {
        const next = quantities[k] ?? 0;
        if (taken(next) >= amount) {
          let top = 0;
          for (let i = 0; i < k; i++) top += quantities[i] ?? 0;
          ceiling = (top - amount) / k;
          break;
        }
      }
    }
    const cut = new Map<string, number>();
    holders.forEach((quantity, country) => {
      if (quantity > ceiling) cut.set(country, quantity - ceiling);
    });
    return { ceiling, cut };
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
