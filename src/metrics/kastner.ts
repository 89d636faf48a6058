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
import type { Flow } from '../graph/slices.js';

export interface OriginMix {
  /** Origin country -> share of the target's supply traced to that country's production. */
  traced: Map<string, number>;
  /** Origin country -> share that stops at that country (exports beyond its known supply). */
  untraced: Map<string, number>;
  /** The target's total supply x_j (production + imports, plus any untraced excess). */
  supply: number;
}

interface TradeSystem {
  countries: string[];
  position: Map<string, number>;
  production: Float64Array;
  excess: Float64Array;
  supply: Float64Array;
  /** Flows as (from, to, B_from,to) triples. */
  coefficients: { from: number; to: number; share: number }[];
}

/** Pivots smaller than this mean (I - B) is singular: a closed loop with no production behind it. */
const SINGULAR = 1e-12;

function tradeSystem(production: ReadonlyMap<string, number>, flows: readonly Flow[]): TradeSystem {
  const names = new Set<string>(production.keys());
  for (const flow of flows) {
    names.add(flow.from);
    names.add(flow.to);
  }
  const countries = [...names].sort();
  const position = new Map(countries.map((code, i) => [code, i]));
  const n = countries.length;
  const produced = new Float64Array(n);
  const inflow = new Float64Array(n);
  const outflow = new Float64Array(n);
  for (const [code, quantity] of production) produced[position.get(code) ?? 0] = quantity;
  for (const flow of flows) {
    const from = position.get(flow.from) ?? 0;
    const to = position.get(flow.to) ?? 0;
    outflow[from] = (outflow[from] ?? 0) + flow.quantity;
    inflow[to] = (inflow[to] ?? 0) + flow.quantity;
  }
  const excess = new Float64Array(n);
  const supply = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const available = (produced[i] ?? 0) + (inflow[i] ?? 0);
    excess[i] = Math.max(0, (outflow[i] ?? 0) - available);
    supply[i] = available + (excess[i] ?? 0);
  }
  const coefficients = flows
    .filter((flow) => flow.quantity > 0)
    .map((flow) => {
      const from = position.get(flow.from) ?? 0;
      return { from, to: position.get(flow.to) ?? 0, share: flow.quantity / (supply[from] ?? 1) };
    });
  return { countries, position, production: produced, excess, supply, coefficients };
}

/** Origin mixes of the targets' supplies, by the closed form O = diag(p)(I - B)^-1. */
export function traceOrigins(
  production: ReadonlyMap<string, number>,
  flows: readonly Flow[],
  targets: Iterable<string>,
): Map<string, OriginMix> {
  const system = tradeSystem(production, flows);
  const n = system.countries.length;
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) matrix[i * n + i] = 1;
  for (const { from, to, share } of system.coefficients) matrix[from * n + to] = (matrix[from * n + to] ?? 0) - share;
  const lu = luFactor(matrix, n);
  if (!lu) return traceOriginsIteratively(production, flows, targets);
  const mixes = new Map<string, OriginMix>();
  for (const target of targets) {
    const j = system.position.get(target);
    if (j === undefined) {
      mixes.set(target, { traced: new Map(), untraced: new Map(), supply: 0 });
      continue;
    }
    const unit = new Float64Array(n);
    unit[j] = 1;
    const leontiefColumn = luSolve(lu, unit); // column j of (I - B)^-1
    mixes.set(target, mixFromColumn(system, j, (o) => leontiefColumn[o] ?? 0));
  }
  return mixes;
}

/**
 * The same origin mixes by fixed-point iteration over the graph: each country's origin mix is its
 * own production plus the mixes of what it imports, weighted by quantity. Converges because every
 * loop leaks into final use; kept as an independent check of the closed form and as the fallback
 * when the matrix is singular.
 */
export function traceOriginsIteratively(
  production: ReadonlyMap<string, number>,
  flows: readonly Flow[],
  targets: Iterable<string>,
  tolerance = 1e-15,
  maxIterations = 100_000,
): Map<string, OriginMix> {
  const system = tradeSystem(production, flows);
  const n = system.countries.length;
  // content[o * n + j]: quantity of origin o's (production + excess) in j's supply.
  let content = new Float64Array(n * n);
  const source = (o: number): number => (system.production[o] ?? 0) + (system.excess[o] ?? 0);
  for (let iteration = 0; iteration < maxIterations; iteration += 1) {
    const next = new Float64Array(n * n);
    for (let o = 0; o < n; o += 1) next[o * n + o] = source(o);
    for (const { from, to, share } of system.coefficients) {
      for (let o = 0; o < n; o += 1) next[o * n + to] = (next[o * n + to] ?? 0) + share * (content[o * n + from] ?? 0);
    }
    let change = 0;
    for (let k = 0; k < n * n; k += 1) change = Math.max(change, Math.abs((next[k] ?? 0) - (content[k] ?? 0)));
    content = next;
    if (change <= tolerance * Math.max(1, ...system.supply)) break;
  }
  const mixes = new Map<string, OriginMix>();
  for (const target of targets) {
    const j = system.position.get(target);
    if (j === undefined) {
      mixes.set(target, { traced: new Map(), untraced: new Map(), supply: 0 });
      continue;
    }
    // content[o][j] = source(o) * L_oj, so L_oj = content / source where the source is non-zero.
    mixes.set(
      target,
      mixFromColumn(system, j, (o) => (source(o) > 0 ? (content[o * n + j] ?? 0) / source(o) : 0)),
    );
  }
  return mixes;
}

function mixFromColumn(system: TradeSystem, j: number, leontief: (o: number) => number): OriginMix {
  const supply = system.supply[j] ?? 0;
  const traced = new Map<string, number>();
  const untraced = new Map<string, number>();
  if (supply <= 0) return { traced, untraced, supply };
  let accounted = 0;
  system.countries.forEach((code, o) => {
    const weight = leontief(o);
    const fromProduction = ((system.production[o] ?? 0) * weight) / supply;
    const fromExcess = ((system.excess[o] ?? 0) * weight) / supply;
    if (fromProduction > 0) traced.set(code, fromProduction);
    if (fromExcess > 0) untraced.set(code, fromExcess);
    accounted += fromProduction + fromExcess;
  });
  // Supply circulating in a loop with no production behind it stops at the target itself.
  const remainder = 1 - accounted;
  if (remainder > 1e-9) {
    const code = system.countries[j] ?? '';
    untraced.set(code, (untraced.get(code) ?? 0) + remainder);
  }
  return { traced, untraced, supply };
}

interface LU {
  n: number;
  lu: Float64Array;
  pivots: Int32Array;
}

/** LU factorisation with partial pivoting; null when the matrix is singular. */
function luFactor(matrix: Float64Array, n: number): LU | null {
  const lu = Float64Array.from(matrix);
  const pivots = new Int32Array(n);
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
    const pivot = lu[k * n + k] ?? 1;
    for (let i = k + 1; i < n; i += 1) {
      const factor = (lu[i * n + k] ?? 0) / pivot;
      if (factor === 0) continue;
      lu[i * n + k] = factor;
      for (let c = k + 1; c < n; c += 1) lu[i * n + c] = (lu[i * n + c] ?? 0) - factor * (lu[k * n + c] ?? 0);
    }
  }
  return { n, lu, pivots };
}

function luSolve({ n, lu, pivots }: LU, rhs: Float64Array): Float64Array {
  const x = Float64Array.from(rhs);
  for (let k = 0; k < n; k += 1) {
    const p = pivots[k] ?? k;
    if (p !== k) {
      const tmp = x[k] ?? 0;
      x[k] = x[p] ?? 0;
      x[p] = tmp;
    }
  }
  for (let i = 0; i < n; i += 1) {
    let value = x[i] ?? 0;
    for (let c = 0; c < i; c += 1) value -= (lu[i * n + c] ?? 0) * (x[c] ?? 0);
    x[i] = value;
  }
  for (let i = n - 1; i >= 0; i -= 1) {
    let value = x[i] ?? 0;
    for (let c = i + 1; c < n; c += 1) value -= (lu[i * n + c] ?? 0) * (x[c] ?? 0);
    x[i] = value / (lu[i * n + i] ?? 1);
  }
  return x;
}
