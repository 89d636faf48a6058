/**
 * The supplier graph: one node per country (name, governance, groups and its production by
 * material, stage and year) and one directed edge per exporter -> importer relation. An edge's
 * flows (each material, stage and year the pair traded, with its quantity) are rows of the columnar
 * trade table the graph carries; the edge lists which rows are its own.
 *
 * Why one edge per country pair rather than per flow: a multi-year trade history has millions of
 * flows but only thousands of trading pairs, and a graph edge costs far more than a table row.
 * Metrics read this graph, never the CSV rows.
 */
import { DirectedGraph } from 'graphology';
import type { Dataset } from '../input/dataset.js';
import type { Stage } from '../domain/fields.js';
import type { TradeTable } from '../input/trade-table.js';
import { TradeCoverage } from '../input/coverage-index.js';

export interface CountryNode {
  [key: string]: unknown;
  code: string;
  name: string;
  /** The score of countries.csv, which applies to every year without one of its own. */
  governance: number | null;
  /** Scores by year (governance.csv), which take precedence over `governance`. */
  governanceByYear: Record<number, number>;
  groups: string[];
  /** Production keyed by `productionKey(material, stage, year)`. */
  production: Record<string, number>;
}

export interface TradeLink {
  [key: string]: unknown;
  /**
   * This pair's flows: the rows of the graph's trade table listed at positions first .. end - 1 of
   * the graph's `pairRows`, in the table's order. Two numbers, not a view per edge: an edge is made
   * for every trading pair and every view is an object the garbage collector copies.
   */
  first: number;
  end: number;
}

export interface GraphMeta {
  [key: string]: unknown;
  /** Unit of each material and stage, keyed `material|stage`. */
  units: Record<string, string>;
  /** The flows of every edge, in columns (material, stage, year, quantity, value). */
  trade: TradeTable;
  /** Rows of `trade`, grouped by exporter and importer pair: each edge's are a range of it (TradeLink). */
  pairRows: Int32Array;
  /** Which importers' trade the data covers, by material, stage and year. */
  coverage: TradeCoverage;
  /** Production cells the source withholds, keyed `productionKey(material, stage, year)` -> countries. */
  withheld: Record<string, string[]>;
  /**
   * Years with trade of each `material|stage` in the whole file, whether or not those rows are in the
   * graph: a graph of the latest years only must still know which stages and years the data has.
   */
  tradeYears: Record<string, number[]>;
  /**
   * Who published each year's production figures (production.csv's `source`, publisher part),
   * keyed `productionKey(material, stage, year)`; absent or empty when the data has no source column.
   */
  productionSources?: Record<string, readonly string[]>;
  /**
   * Gross weight minus contained weight of each converted flow (trade-gross.csv), keyed
   * `productionKey(material, stage, year)` -> `exporter>importer`, for the slices whose trade the
   * graph holds; empty when the data has none.
   */
  grossExtra: Record<string, Record<string, number>>;
}

export type SupplyGraph = DirectedGraph<CountryNode, TradeLink, GraphMeta>;

export function productionKey(material: string, stage: Stage, year: number): string {
  return `${material}|${stage}|${year}`;
}

export interface GraphOptions {
  /** Only trade of these `material|stage|year` slices becomes part of the graph (all production is kept). */
  tradeSlices?: ReadonlySet<string>;
}

export function buildSupplyGraph(dataset: Dataset, options: GraphOptions = {}): SupplyGraph {
  const graph: SupplyGraph = new DirectedGraph<CountryNode, TradeLink, GraphMeta>({ allowSelfLoops: false });
  const table = dataset.trade;
  table.finish(); // a no-op for a loaded dataset: the index reads each slice's rows as one range
  // Indexed loops and forEach rather than for-of below: this runs once, mostly before the JIT has
  // compiled it, where each for-of step allocates (an iterator result, a [key, value] pair).
  const withheld: Record<string, string[]> = {};
  for (let k = 0; k < dataset.withheld.length; k += 1) {
    const fact = dataset.withheld[k] as Dataset['withheld'][number];
    (withheld[productionKey(fact.material, fact.stage, fact.year)] ??= []).push(fact.country);
  }
  const tradeYears: Record<string, number[]> = {};
  dataset.importYears.forEach((years, series) => {
    const known = (tradeYears[seriesOfStage(series)] ??= []);
    years.forEach((year) => {
      if (!known.includes(year)) known.push(year);
    });
  });
  for (const years of Object.values(tradeYears)) years.sort((a, b) => a - b);
  const grossExtra: Record<string, Record<string, number>> = {};
  // Only for the slices whose trade is in the graph: the index reads no other slice's (slices.ts).
  const tradeSlices = options.tradeSlices;
  for (const fact of dataset.gross ?? []) {
    const key = productionKey(fact.material, fact.stage, fact.year);
    if (tradeSlices && !tradeSlices.has(key)) continue;
    const flows = (grossExtra[key] ??= {});
    const pair = `${fact.exporter}>${fact.importer}`;
    flows[pair] = (flows[pair] ?? 0) + fact.grossQuantity - fact.containedQuantity;
  }
  const { pairs, start, rows } = rowsByPair(table, options.tradeSlices);
  graph.replaceAttributes({
    units: Object.fromEntries(dataset.units),
    trade: table,
    pairRows: rows,
    coverage: TradeCoverage.of(dataset),
    withheld,
    tradeYears,
    grossExtra,
  });
  graph.setAttribute('productionSources', Object.fromEntries(dataset.productionSources ?? []));
  // The nodes' attributes as they are added, so that production is summed without a graph lookup per row.
  const nodes = new Map<string, CountryNode>();
  const ensureNode = (code: string): CountryNode => {
    let node = nodes.get(code);
    if (node) return node;
    const country = dataset.countries.get(code);
    node = {
      code,
      name: country?.name ?? code,
      governance: country?.governance ?? null,
      governanceByYear: Object.fromEntries(dataset.governance.get(code) ?? []),
      groups: country?.groups ?? [],
      production: {},
    };
    graph.addNode(code, node);
    nodes.set(code, node);
    return node;
  };
  for (let k = 0; k < dataset.production.length; k += 1) {
    const fact = dataset.production[k] as Dataset['production'][number];
    const node = ensureNode(fact.country);
    const key = productionKey(fact.material, fact.stage, fact.year);
    node.production[key] = (node.production[key] ?? 0) + fact.quantity;
  }
  const codes = table.countries.values;
  for (let group = 0; group < pairs.length; group += 1) {
    const pair = pairs[group] ?? 0;
    const exporter = codes[Math.floor(pair / codes.length)] ?? '';
    const importer = codes[pair % codes.length] ?? '';
    ensureNode(exporter);
    ensureNode(importer);
    graph.addDirectedEdgeWithKey(`${exporter}>${importer}`, exporter, importer, { first: start[group] ?? 0, end: start[group + 1] ?? 0 });
  }
  return graph;
}

/** `material|stage` of a `material|stage|importer` key (as its first two `|` parts). */
function seriesOfStage(series: string): string {
  const first = series.indexOf('|');
  if (first === -1) return `${series}|`;
  const second = series.indexOf('|', first + 1);
  return second === -1 ? series : series.slice(0, second);
}

/**
 * The table's rows grouped by exporter and importer: the pairs (exporter id * countries + importer
 * id) in the order of their first row, and each pair's rows, in table order, as
 * rows[start[k]] .. rows[start[k + 1] - 1]. One array for all, of which each edge keeps a view.
 * A pair's group is looked up in an array indexed by the pair (a map past DENSE_PAIR_LIMIT pairs):
 * this runs once per fact, millions of times on a large file.
 */
function rowsByPair(table: TradeTable, tradeSlices: ReadonlySet<string> | undefined): { pairs: number[]; start: Int32Array; rows: Int32Array } {
  const kept = tradeSlices ? table.slices.map((slice) => tradeSlices.has(`${slice.material}|${slice.stage}|${slice.year}`)) : undefined;
  const countries = table.countries.size;
  const groups = pairGroups(countries * countries);
  const pairs: number[] = [];
  const counts: number[] = [];
  const pairOf = (row: number): number => table.exporterOf[row]! * countries + table.importerOf[row]!;
  for (let row = 0; row < table.length; row += 1) {
    if (kept && !kept[table.sliceOf[row]!]) continue;
    const pair = pairOf(row);
    let group = groups.get(pair);
    if (group === -1) {
      group = pairs.length;
      groups.set(pair, group);
      pairs.push(pair);
      counts.push(0);
    }
    counts[group] = counts[group]! + 1;
  }
  const start = new Int32Array(pairs.length + 1);
  for (let group = 0; group < pairs.length; group += 1) start[group + 1] = start[group]! + counts[group]!;
  const rows = new Int32Array(start[pairs.length]!);
  const next = start.slice(0, pairs.length);
  for (let row = 0; row < table.length; row += 1) {
    if (kept && !kept[table.sliceOf[row]!]) continue;
    rows[next[groups.get(pairOf(row))]!++] = row;
  }
  return { pairs, start, rows };
}

/** Up to this many country pairs (about 1,000 countries), pair groups are kept in an array. */
const DENSE_PAIR_LIMIT = 1 << 20;

/** Pair -> group number (-1: none yet). */
function pairGroups(pairs: number): { get(pair: number): number; set(pair: number, group: number): void } {
  if (pairs <= DENSE_PAIR_LIMIT) {
    const dense = new Int32Array(pairs).fill(-1);
    return { get: (pair) => dense[pair]!, set: (pair, group) => (dense[pair] = group) };
  }
  const map = new Map<number, number>();
  return { get: (pair) => map.get(pair) ?? -1, set: (pair, group) => map.set(pair, group) };
}
