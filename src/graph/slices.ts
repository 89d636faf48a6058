/**
 * A read-only index of the supplier graph by material, stage and year, built in one pass over the
 * graph so that metrics can ask for "cobalt refining in 2023" without scanning every edge again.
 */
import type { Stage } from '../input/fields.js';
import { STAGES } from '../input/fields.js';
import type { SupplyGraph } from './supply-graph.js';

export interface Flow {
  from: string;
  to: string;
  quantity: number;
}

/** Everything the graph says about one material and stage in one year. */
export interface Slice {
  material: string;
  stage: Stage;
  year: number;
  /** Production by country (only countries with a production figure). */
  production: Map<string, number>;
  flows: Flow[];
}

export interface SliceIndex {
  slice(material: string, stage: Stage, year: number): Slice | undefined;
  materials(): string[];
  stages(material: string): Stage[];
  productionYears(material: string, stage: Stage): number[];
  tradeYears(material: string, stage: Stage): number[];
  /** Years with at least one flow into `importer`. */
  importYears(material: string, stage: Stage, importer: string): number[];
  unit(material: string, stage: Stage): string | undefined;
  country(code: string): { name: string; governance: number | null; groups: string[] } | undefined;
}

const cache = new WeakMap<SupplyGraph, SliceIndex>();

export function sliceIndex(graph: SupplyGraph): SliceIndex {
  const cached = cache.get(graph);
  if (cached) return cached;
  const index = buildIndex(graph);
  cache.set(graph, index);
  return index;
}

function buildIndex(graph: SupplyGraph): SliceIndex {
  // material -> stage -> year -> slice; nested maps so that no key string is built per edge.
  const tree = new Map<string, Map<Stage, Map<number, Slice>>>();
  const sliceFor = (material: string, stage: Stage, year: number): Slice => {
    let stages = tree.get(material);
    if (!stages) tree.set(material, (stages = new Map()));
    let years = stages.get(stage);
    if (!years) stages.set(stage, (years = new Map()));
    let slice = years.get(year);
    if (!slice) years.set(year, (slice = { material, stage, year, production: new Map(), flows: [] }));
    return slice;
  };

  graph.forEachNode((code, node) => {
    for (const [key, quantity] of Object.entries(node.production)) {
      const [material = '', stage = 'mining', year = '0'] = key.split('|');
      sliceFor(material, stage as Stage, Number(year)).production.set(code, quantity);
    }
  });
  graph.forEachEdge((_edge, flow, from, to) => {
    sliceFor(flow.material, flow.stage, flow.year).flows.push({ from, to, quantity: flow.quantity });
  });

  // Deterministic order whatever order the rows came in.
  const all: Slice[] = [];
  for (const stages of tree.values()) for (const years of stages.values()) all.push(...years.values());
  for (const slice of all) {
    slice.flows.sort((a, b) => (a.from === b.from ? compare(a.to, b.to) : compare(a.from, b.from)));
    slice.production = new Map([...slice.production].sort(([a], [b]) => compare(a, b)));
  }
  const slicesOf = (material: string, stage: Stage): Slice[] => [...(tree.get(material)?.get(stage)?.values() ?? [])];
  const yearsWhere = (material: string, stage: Stage, test: (slice: Slice) => boolean): number[] =>
    slicesOf(material, stage)
      .filter(test)
      .map((slice) => slice.year)
      .sort((a, b) => a - b);
  const units = graph.getAttribute('units');
  const materials = [...tree.keys()].sort(compare);

  return {
    slice: (material, stage, year) => tree.get(material)?.get(stage)?.get(year),
    materials: () => materials,
    stages: (material) => STAGES.filter((stage) => tree.get(material)?.has(stage) ?? false),
    productionYears: (material, stage) => yearsWhere(material, stage, (slice) => slice.production.size > 0),
    tradeYears: (material, stage) => yearsWhere(material, stage, (slice) => slice.flows.length > 0),
    importYears: (material, stage, importer) =>
      yearsWhere(material, stage, (slice) => slice.flows.some((flow) => flow.to === importer)),
    unit: (material, stage) => units[`${material}|${stage}`],
    country: (code) => (graph.hasNode(code) ? graph.getNodeAttributes(code) : undefined),
  };
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
