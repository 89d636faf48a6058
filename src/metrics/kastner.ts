/**
 * Origin tracing through re-exports with the proportional method of Kastner, Kastner, Erb and
 * Gingrich (2011), "Tracing distant environmental impacts of agricultural products from a
 * consumer perspective", Ecological Economics 70(6):1032-1040.
 *
 * With production p, the trade matrix Z (Z_ij: from i to j) and total supply x = p + column sums of Z,
 * B_ij = Z_ij / x_i is the share of i's supply sent to j, and O = diag(p) (I - B)^-1 gives the
 * quantity of origin o's production in j's supply (O_oj). Proportionality assumes each country
 * exports the same origin mix it holds.
 *
 * Real data do not always balance: a country may export more than it produces and imports (stocks,
 * missing production figures, different sources). Such an excess is treated as production of that
 * country that we cannot trace further: it appears as the country's own origin with traced = false.
 * A flow circulating with no production behind it at all is also left untraced.
 */
import { asFlowColumns as asColumns, type FlowColumns, type TradeFlows } from '../graph/slices.js';

export interface OriginMix {
  /** Origin country -> share of the target's supply traced to that country's production. */
  traced: Map<string, number>;
  /** Origin country -> share that stops at that country (exports beyond its known supply). */
  untraced: Map<string, number>;
  /** The target's total supply x_j (production + imports, plus any untraced excess). */
  supply: number;
}

/**
 * The same mix as columns over the system's countries, without the two maps (a refining stage's
 * producers are traced one by one, each through a mix of a hundred countries). `traced[o]` and
 * `untraced[o]` are the shares; only those above zero count (the maps hold no other). `remainder`
 * (0 unless above 1e-9) is the supply circulating with no production behind it, which stops at the
 * target itself, position `target`: OriginMix's untraced map holds it at the target's entry, or
 * after every other entry when the target has no other untraced share (mixOf).
 */
export interface OriginShares {
  countries: readonly string[];
  traced: readonly number[];
  untraced: readonly number[];
  remainder: number;
  target: number;
  supply: number;
}

const NO_SHARES: OriginShares = { countries: [], traced: [], untraced: [], remainder: 0, target: -1, supply: 0 };

interface TradeSystem {
  countries: string[];
  position: Map<string, number>;
  production: Float64Array;
  excess: Float64Array;
  supply: Float64Array;
  /**
   * Flows with a quantity as (from, to, B_from,to) columns, valid only until the next system is set
   * up: they are read once, to fill the matrix (or by the iteration that set them up), and live in
   * buffers shared by every system (see scratch).
   */
  coefficients: { from: Int32Array; to: Int32Array; share: Float64Array; count: number };
}

/** Pivots smaller than this mean (I - B) is singular: a closed loop with no production behind it. */
const SINGULAR = 1e-12;

function tradeSystem(production: ReadonlyMap<string, number>, flows: FlowColumns): TradeSystem {
  const countries = systemCountries(production, flows);
  const position = new Map(countries.map((code, i) => [code, i]));
  // The system position of each country id of the flows.
  const positionOfId = new Int32Array(flows.codes.length);
  for (let id = 0; id < positionOfId.length; id += 1) positionOfId[id] = position.get(flows.codes[id] ?? '') ?? -1;
  const n = countries.length;
  const produced = new Float64Array(n);
  const inflow = new Float64Array(n);
  const outflow = new Float64Array(n);
  for (const [code, quantity] of production) produced[position.get(code) ?? 0] = quantity;
  const { from, to } = scratch.positions(flows.length);
  const { from: fromOf, to: toOf, quantity: quantityOf } = flows;
  for (let k = 0; k < flows.length; k += 1) {
    const fromAt = positionOfId[fromOf[k]!]!;
    const toAt = positionOfId[toOf[k]!]!;
    from[k] = fromAt;
    to[k] = toAt;
    outflow[fromAt] = outflow[fromAt]! + quantityOf[k]!;
    inflow[toAt] = inflow[toAt]! + quantityOf[k]!;
  }
  const excess = new Float64Array(n);
  const supply = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const available = (produced[i] ?? 0) + (inflow[i] ?? 0);
    excess[i] = Math.max(0, (outflow[i] ?? 0) - available);
    supply[i] = available + (excess[i] ?? 0);
  }
  // The columns in locals, and the count too: this loop runs over every flow of every system.
  const { from: fromAt, to: toAt, share } = scratch.coefficients(flows.length);
  let count = 0;
  for (let k = 0; k < flows.length; k += 1) {
    const quantity = quantityOf[k]!;
    if (!(quantity > 0)) continue;
    fromAt[count] = from[k]!;
    toAt[count] = to[k]!;
    share[count] = quantity / supply[from[k]!]!;
    count += 1;
  }
  return { countries, position, production: produced, excess, supply, coefficients: { from: fromAt, to: toAt, share, count } };
}

/**
 * Buffers for a system's per-flow columns, grown to the largest slice and shared by every system: a
 * trend sets up a thousand systems of a thousand flows or more, and each new typed array is an
 * allocation outside the JavaScript heap.
 */
const scratch = {
  from: new Int32Array(0),
  to: new Int32Array(0),
  coefficientFrom: new Int32Array(0),
  coefficientTo: new Int32Array(0),
  share: new Float64Array(0),
  /** Each flow's system positions (tradeSystem's working columns). */
  positions(flows: number): { from: Int32Array; to: Int32Array } {
    if (this.from.length < flows) {
      this.from = new Int32Array(flows * 2);
      this.to = new Int32Array(flows * 2);
    }
    return { from: this.from, to: this.to };
  },
  coefficients(flows: number): { from: Int32Array; to: Int32Array; share: Float64Array } {
    if (this.share.length < flows) {
      this.coefficientFrom = new Int32Array(flows * 2);
      this.coefficientTo = new Int32Array(flows * 2);
      this.share = new Float64Array(flows * 2);
    }
    return { from: this.coefficientFrom, to: this.coefficientTo, share: this.share };
  },
};

/** Every country with production or a flow, in code order. */
function systemCountries(production: ReadonlyMap<string, number>, flows: FlowColumns): string[] {
  const names = new Set<string>(production.keys());
  const seen = new Uint8Array(flows.codes.length);
  const { from, to } = flows;
  for (let k = 0; k < flows.length; k += 1) {
    seen[from[k]!] = 1;
    seen[to[k]!] = 1;
  }
  seen.forEach((flag, id) => {
    if (flag) names.add(flows.codes[id] ?? '');
  });
  return [...names].sort();
}

/** Origin mixes of the targets' supplies, by the closed form O = diag(p)(I - B)^-1. */
export function traceOrigins(production: ReadonlyMap<string, number>, trade: TradeFlows, targets: Iterable<string>): Map<string, OriginMix> {
  const flows = asColumns(trade);
  // A singular system is iterated once for every target.
  if (!factorised(production, flows).lu) return traceOriginsIteratively(production, flows, targets);
  const mixes = new Map<string, OriginMix>();
  for (const target of targets) mixes.set(target, mixOf(traceOriginShares(production, flows, target)));
  return mixes;
}

/** The origin mix of one target's supply as columns (see OriginShares); traceOrigins gives the same as maps. */
export function traceOriginShares(production: ReadonlyMap<string, number>, trade: TradeFlows, target: string): OriginShares {
  const flows = asColumns(trade);
  const { system, lu } = factorised(production, flows);
  if (!lu) return iteratedShares(production, flows, [target])[0] ?? NO_SHARES;
  const j = system.position.get(target);
  if (j === undefined) return NO_SHARES;
  // Column j of (I - B)^-1, solved in one buffer for every target (a refining stage traces each of
  // its producers' feeds).
  const n = system.countries.length;
  if (leontiefColumn.length < n) leontiefColumn = new Float64Array(2 * n);
  const column = leontiefColumn;
  column.fill(0, 0, n);
  column[j] = 1;
  luSolveInPlace(lu, column);
  return sharesFromColumn(system, j, (o) => column[o] ?? 0);
}

let leontiefColumn = new Float64Array(0);

/** An OriginShares as the maps of an OriginMix, entries in the same order as the columns give them. */
export function mixOf(shares: OriginShares): OriginMix {
  const traced = new Map<string, number>();
  const untraced = new Map<string, number>();
  shares.countries.forEach((code, o) => {
    if ((shares.traced[o] ?? 0) > 0) traced.set(code, shares.traced[o] ?? 0);
  });
  shares.countries.forEach((code, o) => {
    if ((shares.untraced[o] ?? 0) > 0) untraced.set(code, shares.untraced[o] ?? 0);
  });
  if (shares.remainder > 0) {
    const code = shares.countries[shares.target] ?? '';
    untraced.set(code, (untraced.get(code) ?? 0) + shares.remainder);
  }
  return { traced, untraced, supply: shares.supply };
}

/**
 * Systems already set up and factorised, by their inputs, the most recently used first: a trend over
 * many years traces each year's mining trade twice (the mining stage, then the refiners' feed), and a
 * report's blocks ask for the same stage again soon after. The index never changes a slice's
 * production or flows once made, so the objects themselves are a safe key. Only the last few are kept,
 * and a system pushed out gives its matrix's memory to the next: a trend factorises a thousand
 * systems, and a new matrix each time (tens of kilobytes, off the JavaScript heap) kept the garbage
 * collector and the operating system busy.
 */
interface Factorised {
  flows: FlowColumns;
  production: ReadonlyMap<string, number>;
  system: TradeSystem;
  lu: LU | null;
  /** The memory the matrix (and then its LU factors) lives in; may be larger than n x n. */
  buffer: Float64Array;
}

const KEPT_SYSTEMS = 16;
const recentSystems: Factorised[] = [];

function factorised(production: ReadonlyMap<string, number>, flows: FlowColumns): Factorised {
  const at = recentSystems.findIndex((known) => known.flows === flows && known.production === production);
  if (at === 0) return recentSystems[0] as Factorised;
  if (at > 0) {
    const [known] = recentSystems.splice(at, 1) as [Factorised];
    recentSystems.unshift(known);
    return known;
  }
  const system = tradeSystem(production, flows);
  const n = system.countries.length;
  const evicted = recentSystems.length >= KEPT_SYSTEMS ? recentSystems.pop() : undefined;
  const buffer = evicted && evicted.buffer.length >= n * n ? evicted.buffer : new Float64Array(n * n);
  const matrix = buffer.length === n * n ? buffer : buffer.subarray(0, n * n);
  matrix.fill(0);
  for (let i = 0; i < n; i += 1) matrix[i * n + i] = 1;
  const { from, to, share, count } = system.coefficients;
  for (let k = 0; k < count; k += 1) {
    const cell = from[k]! * n + to[k]!;
    matrix[cell] = matrix[cell]! - share[k]!;
  }
  const made: Factorised = { flows, production, system, lu: luFactor(matrix, n), buffer };
  recentSystems.unshift(made);
  return made;
}

/**
 * The same origin mixes by fixed-point iteration over the graph: each country's origin mix is its
 * own production plus the mixes of what it imports, weighted by quantity. Converges because every
 * loop leaks into final use; kept as an independent check of the closed form and as the fallback
 * when the matrix is singular.
 */
export function traceOriginsIteratively(
  production: ReadonlyMap<string, number>,
  trade: TradeFlows,
  targets: Iterable<string>,
  tolerance = 1e-15,
  maxIterations = 100_000,
): Map<string, OriginMix> {
  const list = [...targets];
  const shares = iteratedShares(production, asColumns(trade), list, tolerance, maxIterations);
  return new Map(list.map((target, k) => [target, mixOf(shares[k] ?? NO_SHARES)]));
}

function iteratedShares(
  production: ReadonlyMap<string, number>,
  flows: FlowColumns,
  targets: readonly string[],
  tolerance = 1e-15,
  maxIterations = 100_000,
): OriginShares[] {
  const system = tradeSystem(production, flows);
  const n = system.countries.length;
  // content[o * n + j]: quantity of origin o's (production + excess) in j's supply.
  let content = new Float64Array(n * n);
  const source = (o: number): number => (system.production[o] ?? 0) + (system.excess[o] ?? 0);
  for (let iteration = 0; iteration < maxIterations; iteration += 1) {
    const next = new Float64Array(n * n);
    for (let o = 0; o < n; o += 1) next[o * n + o] = source(o);
    const { from, to, share, count } = system.coefficients;
    for (let k = 0; k < count; k += 1) {
      const source = from[k] ?? 0;
      const target = to[k] ?? 0;
      const part = share[k] ?? 0;
      for (let o = 0; o < n; o += 1) next[o * n + target] = (next[o * n + target] ?? 0) + part * (content[o * n + source] ?? 0);
    }
    let change = 0;
    for (let k = 0; k < n * n; k += 1) change = Math.max(change, Math.abs((next[k] ?? 0) - (content[k] ?? 0)));
    content = next;
    if (change <= tolerance * Math.max(1, ...system.supply)) break;
  }
  return targets.map((target) => {
    const j = system.position.get(target);
    if (j === undefined) return NO_SHARES;
    // content[o][j] = source(o) * L_oj, so L_oj = content / source where the source is non-zero.
    return sharesFromColumn(system, j, (o) => (source(o) > 0 ? (content[o * n + j] ?? 0) / source(o) : 0));
  });
}

function sharesFromColumn(system: TradeSystem, j: number, leontief: (o: number) => number): OriginShares {
  const n = system.countries.length;
  const supply = system.supply[j] ?? 0;
  // Plain arrays of numbers, not typed arrays: a refining stage makes a pair per producer, and a small
  // typed array is an allocation outside the JavaScript heap, several times dearer. Made at their
  // size: pushing grows an array four times on the way to a hundred entries.
  const traced = new Array<number>(n).fill(0);
  const untraced = new Array<number>(n).fill(0);
  if (supply <= 0) return { countries: system.countries, traced, untraced, remainder: 0, target: j, supply };
  let accounted = 0;
  for (let o = 0; o < n; o += 1) {
    const weight = leontief(o);
    const fromProduction = ((system.production[o] ?? 0) * weight) / supply;
    const fromExcess = ((system.excess[o] ?? 0) * weight) / supply;
    traced[o] = fromProduction;
    untraced[o] = fromExcess;
    accounted += fromProduction + fromExcess;
  }
  // Supply circulating in a loop with no production behind it stops at the target itself.
  const remainder = 1 - accounted;
  return { countries: system.countries, traced, untraced, remainder: remainder > 1e-9 ? remainder : 0, target: j, supply };
}

interface LU {
  n: number;
  lu: Float64Array;
  pivots: Int32Array;
}

/** LU factorisation with partial pivoting, overwriting `matrix`; null when the matrix is singular. */
function luFactor(matrix: Float64Array, n: number): LU | null {
  // In place: the matrix is built for this call only, and a copy of n^2 doubles per system adds up.
  const lu = matrix;
  const pivots = new Int32Array(n);
  // The columns where the pivot row is not zero: a trade matrix is sparse (a few hundred flows among
  // a hundred or more countries), and a zero of the pivot row changes nothing in the rows below.
  const nonZero = new Int32Array(n);
  for (let k = 0; k < n; k += 1) {
    let best = k;
    for (let i = k + 1; i < n; i += 1) if (Math.abs(lu[i * n + k] ?? 0) > Math.abs(lu[best * n + k] ?? 0)) best = i;
    pivots[k] = best;
    if (Math.abs(lu[best * n + k] ?? 0) < SINGULAR) return null;
    if (best !== k) {
      for (let c = 0; c < n; c += 1) {
        const tmp = lu[k * n + c] ?? 0;
        lu[k * n + c] = lu[best * n + c] ?? 0;
        lu[best * n + c] = tmp;
      }
    }
    const pivotRow = k * n;
    const pivot = lu[pivotRow + k] ?? 1;
    let count = 0;
    for (let c = k + 1; c < n; c += 1) if (lu[pivotRow + c] !== 0) nonZero[count++] = c;
    // Once the pivot row has filled in, a straight loop over it is quicker than the list of its
    // non-zeros; a zero of the pivot row changes no value there (x - f * 0 is x, up to the sign of a zero).
    const dense = count * 4 >= (n - k - 1) * 3;
    for (let i = k + 1; i < n; i += 1) {
      const row = i * n;
      const factor = (lu[row + k] ?? 0) / pivot;
      if (factor === 0) continue;
      lu[row + k] = factor;
      // The hot loop of the whole analysis: plain indexing, as the bounds are known.
      if (dense) {
        subtractRow(lu, row, pivotRow, factor, k + 1, n);
        continue;
      }
      for (let t = 0; t < count; t += 1) {
        const c = nonZero[t]!;
        lu[row + c] = lu[row + c]! - factor * lu[pivotRow + c]!;
      }
    }
  }
  return { n, lu, pivots };
}

/**
 * lu[row + c] -= factor * lu[pivotRow + c] for c in [from, to), four columns a turn: fewer loop
 * tests and index checks (about a third off the factorisation), and each element's arithmetic
 * exactly as one at a time, so the results are the same to the last bit.
 */
function subtractRow(lu: Float64Array, row: number, pivotRow: number, factor: number, from: number, to: number): void {
  let c = from;
  for (; c + 3 < to; c += 4) {
    lu[row + c] = lu[row + c]! - factor * lu[pivotRow + c]!;
    lu[row + c + 1] = lu[row + c + 1]! - factor * lu[pivotRow + c + 1]!;
    lu[row + c + 2] = lu[row + c + 2]! - factor * lu[pivotRow + c + 2]!;
    lu[row + c + 3] = lu[row + c + 3]! - factor * lu[pivotRow + c + 3]!;
  }
  for (; c < to; c += 1) lu[row + c] = lu[row + c]! - factor * lu[pivotRow + c]!;
}

/** Solves LU x = rhs, overwriting `x` (which holds rhs on entry). */
function luSolveInPlace({ n, lu, pivots }: LU, x: Float64Array): void {
  for (let k = 0; k < n; k += 1) {
    const p = pivots[k] ?? k;
    if (p !== k) {
      const tmp = x[k] ?? 0;
      x[k] = x[p] ?? 0;
      x[p] = tmp;
    }
  }
  for (let i = 0; i < n; i += 1) x[i] = subtractDot(x[i] ?? 0, lu, i * n, x, 0, i);
  for (let i = n - 1; i >= 0; i -= 1) x[i] = subtractDot(x[i] ?? 0, lu, i * n, x, i + 1, n) / (lu[i * n + i] ?? 1);
}

/**
 * value - lu[row + c] * x[c] for c from `from` to `to`, subtracted one after another in that order
 * (as a plain loop would: the same result to the last bit), four terms a turn.
 */
function subtractDot(value: number, lu: Float64Array, row: number, x: Float64Array, from: number, to: number): number {
  let c = from;
  for (; c + 3 < to; c += 4) {
    value -= lu[row + c]! * x[c]!;
    value -= lu[row + c + 1]! * x[c + 1]!;
    value -= lu[row + c + 2]! * x[c + 2]!;
    value -= lu[row + c + 3]! * x[c + 3]!;
  }
  for (; c < to; c += 1) value -= lu[row + c]! * x[c]!;
  return value;
}
