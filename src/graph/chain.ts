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
 * about, and kept for the few most recently used, so that large files stay fast. Nodes and feed
 * edges are made at once; a node's trade edges when a walk first reads them (tradeEdgesOf).
 */
import { DirectedGraph } from 'graphology';
import { STAGES, upstreamOf, type Stage } from '../domain/fields.js';
import type { Flow, SliceIndex } from './slices.js';

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
  inflow: number;
  outflow: number;
  coveredInflow: number;
  coveredOutflow: number;
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
  flows: readonly Flow[];
  /** Per flow: the data covers its importer's imports of this stage and year. */
  covered: Uint8Array;
  fullyCovered: boolean;
  /** Flow positions by country (as exporter or importer), in flow order. */
  byCountry: Map<string, number[]>;
  /** Each country's trade sums (its node's `trade`), in the order countries first appear in the flows. */
  sums: Map<string, TradeSums>;
  /** Countries whose trade edges are in the graph. */
  expanded: Set<string>;
}

const tradeOf = new WeakMap<ChainGraph, Map<Stage, StageTrade>>();

/** The chain graph of `material` in `year` (see the module comment), built once and kept for a while. */
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
  const chain = buildChain(index, material, year);
  recent.set(key, chain);
  if (recent.size > KEPT) recent.delete(recent.keys().next().value as string);
  return chain;
}

function buildChain(index: SliceIndex, material: string, year: number): ChainGraph {
  const chain: ChainGraph = new DirectedGraph<ChainNode, ChainEdge, ChainMeta>({ allowSelfLoops: false });
  chain.replaceAttributes({ material, year });
  const trades = new Map<Stage, StageTrade>();
  tradeOf.set(chain, trades);
  for (const stage of STAGES) {
    const slice = index.slice(material, stage, year);
    if (!slice) continue;
    // Production first, in the slice's (code) order, then the countries of its flows in theirs: the
    // order in which the metrics read the nodes back, so that sums come out the same on every run.
    const trade = stageTrade(index, material, stage, year, slice.flows);
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

function stageTrade(index: SliceIndex, material: string, stage: Stage, year: number, flows: readonly Flow[]): StageTrade {
  const covered = new Uint8Array(flows.length);
  const coverageOf = new Map<string, boolean>();
  const byCountry = new Map<string, number[]>();
  const sums = new Map<string, TradeSums>();
  const note = (country: string, at: number): TradeSums => {
    const list = byCountry.get(country);
    if (list) list.push(at);
    else byCountry.set(country, [at]);
    let entry = sums.get(country);
    if (!entry) sums.set(country, (entry = noTrade()));
    return entry;
  };
  let fullyCovered = true;
  // One pass in the slice's order: coverage, the flows of each country and its sums (added flow by
  // flow, so that they are the sums of the node's edges in flow order).
  flows.forEach((flow, at) => {
    let isCovered = coverageOf.get(flow.to);
    if (isCovered === undefined) coverageOf.set(flow.to, (isCovered = index.coverage.extent(material, stage, flow.to, year, 'import') !== null));
    covered[at] = isCovered ? 1 : 0;
    fullyCovered &&= isCovered;
    const sent = note(flow.from, at);
    if (flow.to === flow.from) return;
    const received = note(flow.to, at);
    sent.outflow += flow.quantity;
    received.inflow += flow.quantity;
    if (isCovered) {
      sent.coveredOutflow += flow.quantity;
      received.coveredInflow += flow.quantity;
    }
  });
  return { flows, covered, fullyCovered, byCountry, sums, expanded: new Set() };
}

/**
 * Puts the trade edges of a country's node at a stage into the graph (once): one edge per flow from
 * or to it, carrying the flow's quantity and whether its importer is covered.
 */
export function tradeEdgesOf(chain: ChainGraph, stage: Stage, country: string): void {
  const trade = tradeOf.get(chain)?.get(stage);
  if (!trade || trade.expanded.has(country)) return;
  trade.expanded.add(country);
  for (const at of trade.byCountry.get(country) ?? []) {
    const flow = trade.flows[at] as Flow;
    if (flow.from === flow.to) continue;
    // An edge already added from its other end (the two ends' lists both hold it).
    const other = flow.from === country ? flow.to : flow.from;
    const from = chainNodeKey(stage, flow.from);
    const to = chainNodeKey(stage, flow.to);
    if (trade.expanded.has(other) && chain.hasDirectedEdge(from, to)) continue;
    const edge = chain.directedEdge(from, to);
    if (edge === undefined) chain.addDirectedEdge(from, to, { kind: 'trade', quantity: flow.quantity, covered: trade.covered[at] === 1, at });
    else chain.updateEdgeAttribute(edge, 'quantity', (quantity) => (quantity ?? 0) + flow.quantity);
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
 * The trade of one stage as flows (from, to, quantity), in the slice's order: every trade edge of the
 * stage's nodes, whether or not a walk has put it in the graph yet; with `coveredOnly`, only flows
 * into importers whose imports the data covers. Kastner's system is built from these.
 */
export function stageFlows(chain: ChainGraph, stage: Stage, { coveredOnly = false }: { coveredOnly?: boolean } = {}): readonly Flow[] {
  return remembered(chain, `flows|${stage}|${coveredOnly}`, () => flowsOf(chain, stage, coveredOnly));
}

function flowsOf(chain: ChainGraph, stage: Stage, coveredOnly: boolean): readonly Flow[] {
  const trade = tradeOf.get(chain)?.get(stage);
  if (!trade) return [];
  if (!coveredOnly || trade.fullyCovered) return trade.flows;
  return trade.flows.filter((_flow, at) => trade.covered[at] === 1);
}

/** What has been read off each chain graph (it never changes once built): the readers above ask often. */
const readings = new WeakMap<ChainGraph, Map<string, unknown>>();

function remembered<T>(chain: ChainGraph, key: string, read: () => T): T {
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
