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
  const slices = new Map<string, Slice>();
  const productionYears = new Map<string, Set<number>>();
  const tradeYears = new Map<string, Set<number>>();
  const importYears = new Map<string, Set<number>>();
  const getSlice = (material: string, stage: Stage, year: number): Slice => {
    const key = `${material}|${stage}|${year}`;
    let slice = slices.get(key);
    if (!slice) {
      slice = { material, stage, year, production: new Map(), flows: [] };
      slices.set(key, slice);
    }
    return slice;
  };
  const addYear = (map: Map<string, Set<number>>, key: string, year: number): void => {
    let years = map.get(key);
    if (!years) map.set(key, (years = new Set()));
    years.add(year);
  };

  graph.forEachNode((code, node) => {
    for (const [key, quantity] of Object.entries(node.production)) {
      const [material = '', stage = 'mining', year = '0'] = key.split('|');
      getSlice(material, stage as Stage, Number(year)).production.set(code, quantity);
      addYear(productionYears, `${material}|${stage}`, Number(year));
    }
  });
  graph.forEachEdge((_edge, flow, from, to) => {
    getSlice(flow.material, flow.stage, flow.year).flows.push({ from, to, quantity: flow.quantity });
    addYear(tradeYears, `${flow.material}|${flow.stage}`, flow.year);
    addYear(importYears, `${flow.material}|${flow.stage}|${to}`, flow.year);
  });
  // Deterministic order whatever order the rows came in.
  for (const slice of slices.values()) {
    slice.flows.sort((a, b) => (a.from === b.from ? compare(a.to, b.to) : compare(a.from, b.from)));
    slice.production = new Map([...slice.production].sort(([a], [b]) => compare(a, b)));
  }
  const sortedYears = (set: Set<number> | undefined): number[] => [...(set ?? [])].sort((a, b) => a - b);
  const units = graph.getAttribute('units');
  const materials = [...new Set([...slices.values()].map((slice) => slice.material))].sort(compare);

  return {
    slice: (material, stage, year) => slices.get(`${material}|${stage}|${year}`),
    materials: () => materials,
    stages: (material) =>
      STAGES.filter((stage) => productionYears.has(`${material}|${stage}`) || tradeYears.has(`${material}|${stage}`)),
    productionYears: (material, stage) => sortedYears(productionYears.get(`${material}|${stage}`)),
    tradeYears: (material, stage) => sortedYears(tradeYears.get(`${material}|${stage}`)),
    importYears: (material, stage, importer) => sortedYears(importYears.get(`${material}|${stage}|${importer}`)),
    unit: (material, stage) => units[`${material}|${stage}`],
    country: (code) => (graph.hasNode(code) ? graph.getNodeAttributes(code) : undefined),
  };
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
