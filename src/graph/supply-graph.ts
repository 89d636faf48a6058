/**
 * The supplier graph: one node per country (name, governance, groups and its production by
 * material, stage and year) and one directed edge per trade flow (material, stage, year, quantity).
 * Metrics read this graph, never the CSV rows.
 */
import { MultiDirectedGraph } from 'graphology';
import type { Dataset, TradeFact } from '../input/dataset.js';
import type { Stage } from '../input/fields.js';

export interface CountryNode {
  [key: string]: unknown;
  code: string;
  name: string;
  governance: number | null;
  groups: string[];
  /** Production keyed by `productionKey(material, stage, year)`. */
  production: Record<string, number>;
}

export interface FlowEdge {
  [key: string]: unknown;
  material: string;
  stage: Stage;
  year: number;
  quantity: number;
  unit: string;
  valueUsd: number | null;
}

export interface GraphMeta {
  [key: string]: unknown;
  /** Unit of each material and stage, keyed `material|stage`. */
  units: Record<string, string>;
}

export type SupplyGraph = MultiDirectedGraph<CountryNode, FlowEdge, GraphMeta>;

export function productionKey(material: string, stage: Stage, year: number): string {
  return `${material}|${stage}|${year}`;
}

export interface GraphOptions {
  /** Only trade of these `material|stage|year` slices becomes edges (all production is kept). */
  tradeSlices?: ReadonlySet<string>;
}

export function buildSupplyGraph(dataset: Dataset, options: GraphOptions = {}): SupplyGraph {
  const graph: SupplyGraph = new MultiDirectedGraph<CountryNode, FlowEdge, GraphMeta>({ allowSelfLoops: false });
  graph.replaceAttributes({ units: Object.fromEntries(dataset.units) });
  const ensureNode = (code: string): CountryNode => {
    if (!graph.hasNode(code)) {
      const country = dataset.countries.get(code);
      graph.addNode(code, {
        code,
        name: country?.name ?? code,
        governance: country?.governance ?? null,
        groups: country?.groups ?? [],
        production: {},
      });
    }
    return graph.getNodeAttributes(code);
  };
  for (const fact of dataset.production) {
    const node = ensureNode(fact.country);
    const key = productionKey(fact.material, fact.stage, fact.year);
    node.production[key] = (node.production[key] ?? 0) + fact.quantity;
  }
  const { tradeSlices } = options;
  for (const fact of dataset.trade) {
    if (tradeSlices && !tradeSlices.has(`${fact.material}|${fact.stage}|${fact.year}`)) continue;
    ensureNode(fact.exporter);
    ensureNode(fact.importer);
    // The fact itself becomes the edge's attributes (graphology keeps the object it is given): a
    // million flows are then held once, not twice. Nothing changes an edge's attributes afterwards.
    graph.addDirectedEdgeWithKey(
      `${fact.material}|${fact.stage}|${fact.year}|${fact.exporter}>${fact.importer}`,
      fact.exporter,
      fact.importer,
      fact as TradeFact & FlowEdge,
    );
  }
  return graph;
}
