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
 * about, and kept for the few most recently used, so that large files stay fast.
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
}

export interface ChainEdge {
  [key: string]: unknown;
  kind: 'trade' | 'feed';
  /** Trade: the flow's quantity, in the stage's unit. Feed: 0 (what flows is worked out by the metrics). */
  quantity: number;
  /** Trade: the data covers the importer's imports of this stage and year (coverage.csv). */
  covered: boolean;
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
  const ensure = (stage: Stage, country: string): string => {
    const key = chainNodeKey(stage, country);
    if (!chain.hasNode(key)) chain.addNode(key, { stage, country, production: null });
    return key;
  };
  for (const stage of STAGES) {
    const slice = index.slice(material, stage, year);
    if (!slice) continue;
    // Production first, in the slice's (code) order, then the flows in theirs: the order in which
    // the metrics read nodes and edges back, so that sums come out the same on every run.
    slice.production.forEach((quantity, country) => chain.mergeNodeAttributes(ensure(stage, country), { production: quantity }));
    const covered = new Map<string, boolean>();
    for (const flow of slice.flows) {
      let isCovered = covered.get(flow.to);
      if (isCovered === undefined) covered.set(flow.to, (isCovered = index.coverage.extent(material, stage, flow.to, year, 'import') !== null));
      const from = ensure(stage, flow.from);
      const to = ensure(stage, flow.to);
      if (from === to) continue;
      const edge = chain.edge(from, to);
      if (edge === undefined) chain.addDirectedEdge(from, to, { kind: 'trade', quantity: flow.quantity, covered: isCovered });
      else chain.updateEdgeAttribute(edge, 'quantity', (quantity) => (quantity ?? 0) + flow.quantity);
    }
  }
  chain.forEachNode((key, node) => {
    const up = upstreamOf(node.stage);
    if (up === null) return;
    const source = chainNodeKey(up, node.country);
    if (chain.hasNode(source)) chain.addDirectedEdge(source, key, { kind: 'feed', quantity: 0, covered: true });
  });
  return chain;
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
 * The trade edges of one stage as flows (from, to, quantity), in the chain's edge order; with
 * `coveredOnly`, only flows into importers whose imports the data covers.
 */
export function stageFlows(chain: ChainGraph, stage: Stage, { coveredOnly = false }: { coveredOnly?: boolean } = {}): Flow[] {
  return remembered(chain, `flows|${stage}|${coveredOnly}`, () => flowsOf(chain, stage, coveredOnly));
}

function flowsOf(chain: ChainGraph, stage: Stage, coveredOnly: boolean): Flow[] {
  const flows: Flow[] = [];
  chain.forEachEdge((_edge, link, _source, _target, from, to) => {
    if (link.kind !== 'trade' || from.stage !== stage || (coveredOnly && !link.covered)) return;
    flows.push({ from: from.country, to: to.country, quantity: link.quantity });
  });
  return flows;
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
  return !chain.someEdge((_edge, link, _source, _target, from) => link.kind === 'trade' && from.stage === stage && !link.covered);
}

/**
 * What a country's node at a stage receives and sends by trade: the sums of its in- and out-edges,
 * counting with `coveredOnly` only flows into importers the data covers.
 */
export function tradeBalance(chain: ChainGraph, stage: Stage, country: string, { coveredOnly = false }: { coveredOnly?: boolean } = {}): { inflow: number; outflow: number } {
  const key = chainNodeKey(stage, country);
  let inflow = 0;
  let outflow = 0;
  if (!chain.hasNode(key)) return { inflow, outflow };
  chain.forEachInEdge(key, (_edge, link) => {
    if (link.kind === 'trade' && (!coveredOnly || link.covered)) inflow += link.quantity;
  });
  chain.forEachOutEdge(key, (_edge, link) => {
    if (link.kind === 'trade' && (!coveredOnly || link.covered)) outflow += link.quantity;
  });
  return { inflow, outflow };
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

/** What each exporter ships to `importer` at a stage: the in-edges of its node, in edge order. */
export function shipmentsTo(chain: ChainGraph, stage: Stage, importer: string): Map<string, number> {
  const shipped = new Map<string, number>();
  const key = chainNodeKey(stage, importer);
  if (!chain.hasNode(key)) return shipped;
  chain.forEachInEdge(key, (_edge, link, _from, _to, from) => {
    if (link.kind === 'trade') shipped.set(from.country, (shipped.get(from.country) ?? 0) + link.quantity);
  });
  return shipped;
}
