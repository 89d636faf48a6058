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
import type { Stage } from '../input/fields.js';
import type { TradeTable } from '../input/trade-table.js';
import { TradeCoverage } from './coverage.js';

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
  /** Rows of the graph's trade table holding this pair's flows, in the table's order. */
  rows: Int32Array;
}

export interface GraphMeta {
  [key: string]: unknown;
  /** Unit of each material and stage, keyed `material|stage`. */
  units: Record<string, string>;
  /** The flows of every edge, in columns (material, stage, year, quantity, value). */
  trade: TradeTable;
  /** Which importers' trade the data covers, by material, stage and year. */
  coverage: TradeCoverage;
  /** Production cells the source withholds, keyed `productionKey(material, stage, year)` -> countries. */
  withheld: Record<string, string[]>;
  /**
   * Years with trade of each `material|stage` in the whole file, whether or not those rows are in the
   * graph: a graph of the latest years only must still know which stages and years the data has.
   */
  tradeYears: Record<string, number[]>;
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
  const withheld: Record<string, string[]> = {};
  for (const fact of dataset.withheld) (withheld[productionKey(fact.material, fact.stage, fact.year)] ??= []).push(fact.country);
  const tradeYears: Record<string, number[]> = {};
  for (const [series, years] of dataset.importYears) {
    const [material = '', stage = ''] = series.split('|');
    const known = (tradeYears[`${material}|${stage}`] ??= []);
    for (const year of years) if (!known.includes(year)) known.push(year);
  }
  for (const years of Object.values(tradeYears)) years.sort((a, b) => a - b);
  graph.replaceAttributes({ units: Object.fromEntries(dataset.units), trade: table, coverage: TradeCoverage.of(dataset), withheld, tradeYears });
  const ensureNode = (code: string): void => {
    if (graph.hasNode(code)) return;
    const country = dataset.countries.get(code);
    graph.addNode(code, {
      code,
      name: country?.name ?? code,
      governance: country?.governance ?? null,
      governanceByYear: Object.fromEntries(dataset.governance.get(code) ?? []),
      groups: country?.groups ?? [],
      production: {},
    });
  };
  for (const fact of dataset.production) {
    ensureNode(fact.country);
    const node = graph.getNodeAttributes(fact.country);
    const key = productionKey(fact.material, fact.stage, fact.year);
    node.production[key] = (node.production[key] ?? 0) + fact.quantity;
  }
  const codes = table.countries.values;
  for (const [pair, rows] of rowsByPair(table, options.tradeSlices)) {
    const exporter = codes[Math.floor(pair / codes.length)] ?? '';
    const importer = codes[pair % codes.length] ?? '';
    ensureNode(exporter);
    ensureNode(importer);
    graph.addDirectedEdgeWithKey(`${exporter}>${importer}`, exporter, importer, { rows: Int32Array.from(rows) });
  }
  return graph;
}

/** The table's rows grouped by exporter and importer (keyed exporter id * countries + importer id). */
function rowsByPair(table: TradeTable, tradeSlices: ReadonlySet<string> | undefined): Map<number, number[]> {
  const kept = tradeSlices ? table.slices.map((slice) => tradeSlices.has(`${slice.material}|${slice.stage}|${slice.year}`)) : undefined;
  const countries = table.countries.size;
  const pairs = new Map<number, number[]>();
  for (let row = 0; row < table.length; row += 1) {
    if (kept && !kept[table.sliceOf[row] ?? 0]) continue;
    const pair = (table.exporterOf[row] ?? 0) * countries + (table.importerOf[row] ?? 0);
    let rows = pairs.get(pair);
    if (!rows) pairs.set(pair, (rows = []));
    rows.push(row);
  }
  return pairs;
}
