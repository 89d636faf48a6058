/**
 * One material's supply chain in one year as a graphology graph, the picture the origin metrics
 * walk (traced origins, `trace`, `shock`):
 *
 * - a node per country at each stage of the chain, keyed `stage:CODE` (`mining:COD`,
 *   `refining:CHN`, `magnet:JPN`), carrying the country's production at that stage (null when the
 *   data has no figure for it);
 * - a `trade` edge per exporter -> importer flow within a stage, carrying its quantity (in the
 *   stage's unit) and whether the data covers the importer's imports that year;
 * - a `feed` edge from a country's node at one stage to its node at the next (`mining:CHN` ->
 *   `refining:CHN`): what a country processes is fed by its own supply of the stage before.
 *
 * Built from the slice index (the supplier graph's per-year view) for the years a command asks
 * about, and kept for the few most recently used, so that large files stay fast; the graph of one
 * pushed out holds the next chain built (see chainGraph), so a reader uses the chain it is given
 * and asks chainGraph again later rather than keep it. Nodes and feed edges are made at once; a
 * node's trade edges when a walk first reads them (tradeEdgesOf).
 */
import { DirectedGraph } from 'graphology';
import { STAGES, upstreamOf, type Stage } from '../domain/fields.js';
import { flowColumns, type FlowColumns, type SliceIndex } from './slices.js';

export interface ChainNode {
  [key: string]: unknown;
  stage: Stage;
  country: string;
  /** The country's production at this stage in the graph's year; null when the data has none. */
  production: number | null;
  /**
   * The sums of the node's trade edges, in flow order: what it received and sent, and the same
   * counting only flows into importers the data covers. Kept on the node so that a walk that needs
   * only a node's balance does not add its edges (see tradeEdgesOf).
   */
  trade: TradeSums;
}

export interface TradeSums {
  readonly inflow: number;
  readonly outflow: number;
  readonly coveredInflow: number;
  readonly coveredOutflow: number;
}

export interface ChainEdge {
  [key: string]: unknown;
  kind: 'trade' | 'feed';
  /** Trade: the flow's quantity, in the stage's unit. Feed: 0 (what flows is worked out by the metrics). */
  quantity: number;
  /** Trade: the data covers the importer's imports of this stage and year (coverage.csv). */
  covered: boolean;
  /**
   * Trade: the flow's position in its stage's flows. Edges join the graph in the order walks ask for
   * them; sums over a node's edges are taken in this order, so that they never depend on that.
   */
  at: number;
}

export interface ChainMeta {
  [key: string]: unknown;
  material: string;
  year: number;
}

export type ChainGraph = DirectedGraph<ChainNode, ChainEdge, ChainMeta>;

export function chainNodeKey(stage: Stage, country: string): string {
  return `${stage}:${country}`;
}

/** How many chain graphs an index keeps (a report asks for each material's once or twice in a row). */
const KEPT = 8;
const built = new WeakMap<SliceIndex, Map<string, ChainGraph>>();

/**
 * The trade of each stage of a chain graph, as its slice holds it: trade edges are added to the
 * graph node by node, when a walk first reads a node's edges (see tradeEdgesOf). A report walks a
 * few dozen nodes of stages with thousands of flows; adding every flow as a graphology edge up front
 * cost more than the whole rest of the analysis of the embedded data.
 */
interface StageTrade {
  flows: FlowColumns;
  /** Per flow: the data covers its importer's imports of this stage and year. */
  covered: Uint8Array;
  fullyCovered: boolean;
  /** Flow positions by country id (as exporter or importer), in flow order; made when a walk first adds edges. */
  byCountry: Map<number, number[]> | undefined;
  /** Each country's trade sums (its node's `trade`), in the order countries first appear in the flows. */
  sums: Map<string, TradeSums>;
  /** Countries whose trade edges are in the graph. */
  expanded: Set<string>;
}

const tradeOf = new WeakMap<ChainGraph, Map<Stage, StageTrade>>();

/**
 * The chain graph of `material` in `year` (see the module comment), built once and kept for a while.
 * The graph pushed out of the kept ones is cleared and filled again for the new chain rather than
 * dropped: graphology's constructor gives each graph accessor properties of its own (`order`,
 * `size`, ...), so V8 makes each graph a hidden class of its own, kept in the old generation, which
 * holds the graph through those accessors; a dropped graph, with every node and edge in it, then
 * outlives each young-generation collection until a full one. A trend builds a chain per material
 * and year (720 on the 2M-row bench file): as new graphs, half of what they allocated was copied
 * into the old generation (33 MB) and collecting garbage took 0.14 s of the 0.34 s spent building
 * them; refilled, 0.8 MB and 0.03 s. A graph is refilled only once it is out of the cache: every
 * reader takes its chain from chainGraph and is done with it before asking for KEPT other chains.
 */
export function chainGraph(index: SliceIndex, material: string, year: number): ChainGraph {
  let recent = built.get(index);
  if (!recent) built.set(index, (recent = new Map()));
  const key = `${material}|${year}`;
  const known = recent.get(key);
  if (known) {
    recent.delete(key);
    recent.set(key, known);
    return known;
  }
  let spare: ChainGraph | undefined;
  if (recent.size >= KEPT) {
    const oldest = recent.keys().next().value as string;
    spare = recent.get(oldest);
    recent.delete(oldest);
  }
  const chain = buildChain(index, material, year, spare);
  recent.set(key, chain);
  return chain;
}

/** Builds the chain in `spare` (cleared first, with everything read off it) when given, else in a new graph. */
function buildChain(index: SliceIndex, material: string, year: number, spare?: ChainGraph): ChainGraph {
  const chain: ChainGraph = spare ?? new DirectedGraph<ChainNode, ChainEdge, ChainMeta>({ allowSelfLoops: false });
  if (spare) {
    spare.clear();
    readings.delete(spare);
  }
  chain.replaceAttributes({ material, year });
  const trades = new Map<Stage, StageTrade>();
  tradeOf.set(chain, trades);
  for (const stage of STAGES) {
    const slice = index.slice(material, stage, year);
    if (!slice) continue;
    // Production first, in the slice's (code) order, then the countries of its flows in theirs: the
    // order in which the metrics read the nodes back, so that sums come out the same on every run.
    const trade = stageTrade(index, material, stage, year, slice.columns);
    trades.set(stage, trade);
    slice.production.forEach((quantity, country) =>
      chain.addNode(chainNodeKey(stage, country), { stage, country, production: quantity, trade: trade.sums.get(country) ?? noTrade() }),
    );
    trade.sums.forEach((sums, country) => {
      const key = chainNodeKey(stage, country);
      if (!chain.hasNode(key)) chain.addNode(key, { stage, country, production: null, trade: sums });
    });
  }
  chain.forEachNode((key, node) => {
    const up = upstreamOf(node.stage);
    if (up === null) return;
    const source = chainNodeKey(up, node.country);
    if (chain.hasNode(source)) chain.addDirectedEdge(source, key, { kind: 'feed', quantity: 0, covered: true, at: -1 });
  });
  return chain;
}

function stageTrade(index: SliceIndex, material: string, stage: Stage, year: number, flows: FlowColumns): StageTrade {
  const { codes, from, to, quantity } = flows;
  const covered = new Uint8Array(flows.length);
  // Per country id: whether its imports are covered (-1: not asked yet), its sums, and the ids in the
  // order they first appear. Arrays, not a map of objects: this runs over every flow of a slice.
  const coverageOf = new Int8Array(codes.length).fill(-1);
  const inflow = new Float64Array(codes.length);
  const outflow = new Float64Array(codes.length);
  const coveredInflow = new Float64Array(codes.length);
  const coveredOutflow = new Float64Array(codes.length);
  const seen = new Uint8Array(codes.length);
  const order: number[] = [];
  const note = (country: number): void => {
    if (seen[country] === 1) return;
    seen[country] = 1;
    order.push(country);
  };
  let fullyCovered = true;
  // One pass in the slice's order: coverage and each country's sums (added flow by flow, so that they
  // are the sums of the node's edges in flow order).
  for (let at = 0; at < flows.length; at += 1) {
    const exporter = from[at]!;
    const importer = to[at]!;
    let isCovered = coverageOf[importer]!;
    if (isCovered === -1) coverageOf[importer] = isCovered = index.coverage.extent(material, stage, codes[importer] ?? '', year, 'import') !== null ? 1 : 0;
    covered[at] = isCovered;
    if (isCovered === 0) fullyCovered = false;
    note(exporter);
    if (importer === exporter) continue;
    note(importer);
    const amount = quantity[at]!;
    outflow[exporter] = outflow[exporter]! + amount;
    inflow[importer] = inflow[importer]! + amount;
    if (isCovered === 1) {
      coveredOutflow[exporter] = coveredOutflow[exporter]! + amount;
      coveredInflow[importer] = coveredInflow[importer]! + amount;
    }
  }
  const columns: SumColumns = { inflow, outflow, coveredInflow, coveredOutflow };
  const sums = new Map<string, TradeSums>();
  for (let k = 0; k < order.length; k += 1) sums.set(codes[order[k]!] ?? '', new CountrySums(columns, order[k]!));
  return { flows, covered, fullyCovered, byCountry: undefined, sums, expanded: new Set() };
}

/** Flow positions by country id, as exporter or importer, in flow order. */
function flowsByCountry(flows: FlowColumns): Map<number, number[]> {
  const byCountry = new Map<number, number[]>();
  const note = (country: number, at: number): void => {
    const list = byCountry.get(country);
    if (list) list.push(at);
    else byCountry.set(country, [at]);
  };
  for (let at = 0; at < flows.length; at += 1) {
    note(flows.from[at]!, at);
    if (flows.to[at] !== flows.from[at]) note(flows.to[at]!, at);
  }
  return byCountry;
}

/**
 * Puts the trade edges of a country's node at a stage into the graph (once): one edge per flow from
 * or to it, carrying the flow's quantity and whether its importer is covered.
 */
export function tradeEdgesOf(chain: ChainGraph, stage: Stage, country: string): void {
  const trade = tradeOf.get(chain)?.get(stage);
  if (!trade || trade.expanded.has(country)) return;
  trade.expanded.add(country);
  const { flows } = trade;
  const id = flows.idOf(country);
  if (id === -1) return;
  trade.byCountry ??= flowsByCountry(flows);
  for (const at of trade.byCountry.get(id) ?? []) {
    const exporter = flows.codes[flows.from[at]!] ?? '';
    const importer = flows.codes[flows.to[at]!] ?? '';
    if (exporter === importer) continue;
    // An edge already added from its other end (the two ends' lists both hold it).
    const other = exporter === country ? importer : exporter;
    const from = chainNodeKey(stage, exporter);
    const to = chainNodeKey(stage, importer);
    if (trade.expanded.has(other) && chain.hasDirectedEdge(from, to)) continue;
    const quantity = flows.quantity[at]!;
    const edge = chain.directedEdge(from, to);
    if (edge === undefined) chain.addDirectedEdge(from, to, { kind: 'trade', quantity, covered: trade.covered[at] === 1, at });
    else chain.updateEdgeAttribute(edge, 'quantity', (known) => (known ?? 0) + quantity);
  }
}

/** Production at one stage by country, in the chain's node order (code order). Read once per chain. */
export function stageProduction(chain: ChainGraph, stage: Stage): Map<string, number> {
  return remembered(chain, `production|${stage}`, () => productionOf(chain, stage));
}

function productionOf(chain: ChainGraph, stage: Stage): Map<string, number> {
  const production = new Map<string, number>();
  chain.forEachNode((_key, node) => {
    if (node.stage === stage && node.production !== null) production.set(node.country, node.production);
  });
  return production;
}

/**
 * The trade of one stage as flow columns (from, to, quantity), in the slice's order: every trade edge
 * of the stage's nodes, whether or not a walk has put it in the graph yet; with `coveredOnly`, only
 * flows into importers whose imports the data covers. Kastner's system is built from these.
 */
export function stageFlows(chain: ChainGraph, stage: Stage, { coveredOnly = false }: { coveredOnly?: boolean } = {}): FlowColumns {
  return remembered(chain, `flows|${stage}|${coveredOnly}`, () => flowsOf(chain, stage, coveredOnly));
}

const NO_FLOWS = flowColumns([]);

function flowsOf(chain: ChainGraph, stage: Stage, coveredOnly: boolean): FlowColumns {
  const trade = tradeOf.get(chain)?.get(stage);
  if (!trade) return NO_FLOWS;
  if (!coveredOnly || trade.fullyCovered) return trade.flows;
  return coveredFlows(trade.flows, trade.covered);
}

/** The flows whose `covered` mark is set, as new columns with the same country ids. */
function coveredFlows(flows: FlowColumns, covered: Uint8Array): FlowColumns {
  let count = 0;
  for (let at = 0; at < flows.length; at += 1) count += covered[at]!;
  const kept = new Int32Array(count);
  count = 0;
  for (let at = 0; at < flows.length; at += 1) if (covered[at] === 1) kept[count++] = at;
  const pick = <T extends Int32Array | Float64Array>(column: T, made: T): T => {
    kept.forEach((at, k) => (made[k] = column[at]!));
    return made;
  };
  return {
    length: count,
    codes: flows.codes,
    idOf: flows.idOf,
    from: pick(flows.from, new Int32Array(count)),
    to: pick(flows.to, new Int32Array(count)),
    quantity: pick(flows.quantity, new Float64Array(count)),
    valueUsd: pick(flows.valueUsd, new Float64Array(count)),
    valuedQuantity: pick(flows.valuedQuantity, new Float64Array(count)),
    grossQuantity: flows.grossQuantity ? pick(flows.grossQuantity, new Float64Array(count)) : null,
    valued: flows.valued,
  };
}

/**
 * What has been read off each chain graph (which never changes while it holds its chain): the
 * readers above ask often. Cleared when the graph is refilled for another chain (buildChain).
 */
const readings = new WeakMap<ChainGraph, Map<string, unknown>>();

/**
 * `read()`, worked out once per chain and `key` and kept with the chain (until its graph is refilled
 * for another chain): for what metrics derive from a chain graph and ask for again, such as a
 * producer's feed mix. A key names what it keeps, so that readers do not collide.
 */
export function remembered<T>(chain: ChainGraph, key: string, read: () => T): T {
  let known = readings.get(chain);
  if (!known) readings.set(chain, (known = new Map()));
  if (!known.has(key)) known.set(key, read());
  return known.get(key) as T;
}

/** Whether every trade edge of a stage is covered (then the covered flows are all of them). */
export function stageFullyCovered(chain: ChainGraph, stage: Stage): boolean {
  return tradeOf.get(chain)?.get(stage)?.fullyCovered ?? true;
}

/**
 * What a country's node at a stage receives and sends by trade (the sums of its in- and out-edges,
 * kept on the node), counting with `coveredOnly` only flows into importers the data covers.
 */
export function tradeBalance(
  chain: ChainGraph,
  stage: Stage,
  country: string,
  { coveredOnly = false }: { coveredOnly?: boolean } = {},
): { inflow: number; outflow: number } {
  const key = chainNodeKey(stage, country);
  if (!chain.hasNode(key)) return { inflow: 0, outflow: 0 };
  const sums = chain.getNodeAttribute(key, 'trade');
  return coveredOnly ? { inflow: sums.coveredInflow, outflow: sums.coveredOutflow } : { inflow: sums.inflow, outflow: sums.outflow };
}

/** A stage's trade sums by country id (stageTrade). */
interface SumColumns {
  inflow: Float64Array;
  outflow: Float64Array;
  coveredInflow: Float64Array;
  coveredOutflow: Float64Array;
}

/**
 * One country's sums, read from its stage's columns: a chain graph has a node per country and stage,
 * and a year by year analysis builds hundreds of chains; four numbers kept on each node object cost
 * more (each a separate heap number) than reading them where they were summed.
 */
class CountrySums implements TradeSums {
  constructor(
    private readonly columns: SumColumns,
    private readonly at: number,
  ) {}

  get inflow(): number {
    return this.columns.inflow[this.at]!;
  }

  get outflow(): number {
    return this.columns.outflow[this.at]!;
  }

  get coveredInflow(): number {
    return this.columns.coveredInflow[this.at]!;
  }

  get coveredOutflow(): number {
    return this.columns.coveredOutflow[this.at]!;
  }
}

function noTrade(): TradeSums {
  return { inflow: 0, outflow: 0, coveredInflow: 0, coveredOutflow: 0 };
}

/** The country's node one stage up the chain, through its feed edge; null when it has none. */
export function feedSource(chain: ChainGraph, stage: Stage, country: string): ChainNode | null {
  const key = chainNodeKey(stage, country);
  if (!chain.hasNode(key)) return null;
  let source: ChainNode | null = null;
  chain.forEachInEdge(key, (_edge, link, _from, _to, from) => {
    if (link.kind === 'feed') source = from;
  });
  return source;
}

/** What each exporter ships to `importer` at a stage: the in-edges of its node, in flow order. */
export function shipmentsTo(chain: ChainGraph, stage: Stage, importer: string): Map<string, number> {
  const shipped = new Map<string, number>();
  const key = chainNodeKey(stage, importer);
  if (!chain.hasNode(key)) return shipped;
  tradeEdgesOf(chain, stage, importer);
  const links: { from: string; link: ChainEdge }[] = [];
  chain.forEachInEdge(key, (_edge, link, _source, _target, from) => {
    if (link.kind === 'trade') links.push({ from: from.country, link });
  });
  links.sort((a, b) => a.link.at - b.link.at);
  for (const { from, link } of links) shipped.set(from, (shipped.get(from) ?? 0) + link.quantity);
  return shipped;
}
