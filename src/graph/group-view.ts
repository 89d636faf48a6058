/**
 * A group of countries (a group tag of countries.csv: EU, G7, Quad, ...) seen as one importer.
 *
 * The view merges the members into one node named by the tag, at every stage and year: their
 * production is summed, flows between two members disappear, and flows into or out of a member
 * become flows into or out of the group. Every metric then reads the group as it reads a country,
 * so import reliance and supplier shares leave trade between members out, as the EU criticality
 * method treats the EU as one. GeoPolRisk follows geopolrisk-py's regional rule instead: imports
 * from members stay in its denominator with weight 0, given by `intraGroupImports`.
 *
 * - Coverage: the group's imports (exports) are covered `full` when every member's are, `partial`
 *   when only some members' are (or one is partial), and not at all when none is.
 * - Own production: the members' figures summed. Members the source does not list lie between 0 and
 *   the unattributed remainder, so the group's production is a range [listed, listed + remainder]; a
 *   member's withheld figure leaves it without an upper bound.
 *
 * Members are the countries of the data carrying the tag.
 */
import { UNATTRIBUTED } from '../domain/countries.js';
import type { CoverageExtent, CoverageFlow } from '../input/dataset.js';
import type { Stage } from '../domain/fields.js';
import { compare, flowColumns, sliceIndex, type Flow, type Slice, type SliceIndex } from './slices.js';
import type { SupplyGraph } from './supply-graph.js';

/** How an importer's own production is known (see metrics/importer.ts). */
export interface OwnProductionRange {
  status: 'reported' | 'unlisted' | 'absent' | 'withheld' | 'missing';
  low: number;
  high: number | null;
}

/** A SliceIndex for a group importer: the members merged into one node named `tag`. */
export interface GroupIndex extends SliceIndex {
  readonly group: { tag: string; members: readonly string[] };
  /** Imports of one member from another (GeoPolRisk's denominator keeps them, with weight 0). */
  intraGroupImports(material: string, stage: Stage, year: number): number;
  /** The flows from one member to another (geopolrisk-py's regional price counts them as imports). */
  intraGroupFlows(material: string, stage: Stage, year: number): readonly Flow[];
  ownProduction(material: string, stage: Stage, year: number): OwnProductionRange;
}

export function isGroupIndex(index: SliceIndex): index is GroupIndex {
  return 'group' in index;
}

export function groupIndex(index: SliceIndex, tag: string, members: readonly string[]): GroupIndex {
  const memberSet = new Set(members);
  const merged = new Map<string, Merged>();
  const mergedSlice = (material: string, stage: Stage, year: number): Merged | undefined => {
    const key = `${material}|${stage}|${year}`;
    const known = merged.get(key);
    if (known) return known;
    const base = index.slice(material, stage, year);
    if (!base) return undefined;
    const result = mergeMembers(base, tag, memberSet);
    merged.set(key, result);
    return result;
  };
  const combine = (material: string, stage: Stage, year: number, flow: CoverageFlow): CoverageExtent | null => {
    const extents = members.map((member) => index.coverage.extent(material, stage, member, year, flow));
    if (extents.every((extent) => extent === null)) return null;
    return extents.every((extent) => extent === 'full') ? 'full' : 'partial';
  };
  const coverage = Object.create(index.coverage) as SliceIndex['coverage'];
  coverage.extent = (material, stage, country, year, flow) =>
    country === tag ? combine(material, stage, year, flow) : index.coverage.extent(material, stage, country, year, flow);
  coverage.years = (material, stage, country, flow) =>
    country === tag
      ? [...new Set(members.flatMap((member) => index.coverage.years(material, stage, member, flow)))].sort((a, b) => a - b)
      : index.coverage.years(material, stage, country, flow);
  return {
    ...index,
    group: { tag, members: [...members].sort(compare) },
    slice: (material, stage, year) => mergedSlice(material, stage, year)?.slice,
    importYears: () => [],
    coverage,
    governance: (code, year) => (code === tag ? null : index.governance(code, year)),
    countryIn: (code, year) => (code === tag ? undefined : index.countryIn(code, year)),
    intraGroupImports: (material, stage, year) => mergedSlice(material, stage, year)?.intra ?? 0,
    intraGroupFlows: (material, stage, year) => mergedSlice(material, stage, year)?.intraFlows ?? [],
    ownProduction: (material, stage, year) => groupProduction(index.slice(material, stage, year), members),
  };
}

interface Merged {
  slice: Slice;
  /** Imports of one member from another, summed. */
  intra: number;
  intraFlows: Flow[];
}

function mergeMembers(base: Slice, tag: string, members: ReadonlySet<string>): Merged {
  const production = new Map<string, number>();
  let groupOutput: number | undefined;
  for (const [country, quantity] of base.production) {
    if (members.has(country)) groupOutput = (groupOutput ?? 0) + quantity;
    else production.set(country, quantity);
  }
  if (groupOutput !== undefined) production.set(tag, groupOutput);
  const byPair = new Map<string, Flow>();
  let intra = 0;
  const intraFlows: Flow[] = [];
  for (const flow of base.flows) {
    const from = members.has(flow.from) ? tag : flow.from;
    const to = members.has(flow.to) ? tag : flow.to;
    if (from === tag && to === tag) {
      intra += flow.quantity;
      intraFlows.push(flow);
      continue;
    }
    const key = `${from}>${to}`;
    const known = byPair.get(key);
    const value = flow.valueUsd ?? null;
    const valued = flow.valuedQuantity ?? 0;
    if (!known) {
      byPair.set(key, {
        from,
        to,
        quantity: flow.quantity,
        valueUsd: value,
        valuedQuantity: valued,
        ...(flow.grossQuantity !== undefined ? { grossQuantity: flow.grossQuantity } : {}),
      });
    } else {
      // The merged flow's gross weight: each part's own (its quantity where none was converted).
      if (known.grossQuantity !== undefined || flow.grossQuantity !== undefined) {
        known.grossQuantity = (known.grossQuantity ?? known.quantity) + (flow.grossQuantity ?? flow.quantity);
      }
      known.quantity += flow.quantity;
      known.valuedQuantity = (known.valuedQuantity ?? 0) + valued;
      if (value !== null) known.valueUsd = (known.valueUsd ?? 0) + value;
    }
  }
  const flows = [...byPair.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  const sortedProduction = new Map([...production].sort(([a], [b]) => compare(a, b)));
  const withheld = base.withheld.some((country) => members.has(country)) ? [...base.withheld.filter((c) => !members.has(c)), tag] : base.withheld;
  return {
    slice: { material: base.material, stage: base.stage, year: base.year, production: sortedProduction, withheld, flows, columns: flowColumns(flows) },
    intra,
    intraFlows,
  };
}

function groupProduction(base: Slice | undefined, members: readonly string[]): OwnProductionRange {
  if (!base || (base.production.size === 0 && base.withheld.length === 0)) return { status: 'missing', low: 0, high: null };
  let listed = 0;
  let anyListed = false;
  let unlisted = 0;
  for (const member of members) {
    const quantity = base.production.get(member);
    if (quantity !== undefined) {
      listed += quantity;
      anyListed = true;
    } else if (!base.withheld.includes(member)) unlisted += 1;
  }
  if (members.some((member) => base.withheld.includes(member))) return { status: 'withheld', low: listed, high: null };
  const remainder = base.production.get(UNATTRIBUTED) ?? 0;
  // Another country's withheld figure could hide a member's output too.
  if (unlisted > 0 && base.withheld.length > 0) return { status: 'unlisted', low: listed, high: null };
  if (unlisted > 0 && remainder > 0) return { status: 'unlisted', low: listed, high: listed + remainder };
  return anyListed ? { status: 'reported', low: listed, high: listed } : { status: 'absent', low: 0, high: 0 };
}

const views = new WeakMap<SupplyGraph, Map<string, GroupIndex>>();

/**
 * The index the importer's blocks read: the graph's own for a country, a group view for a group tag
 * that countries of the data carry (and that is not itself a country of the data).
 */
export function indexFor(graph: SupplyGraph, importer: string): SliceIndex {
  const index = sliceIndex(graph);
  if (graph.hasNode(importer)) return index;
  let byTag = views.get(graph);
  if (!byTag) views.set(graph, (byTag = new Map()));
  const known = byTag.get(importer);
  if (known) return known;
  const members = groupMembers(graph, importer);
  if (members.length === 0) return index;
  const view = groupIndex(index, importer, members);
  byTag.set(importer, view);
  return view;
}

/** Countries of the data carrying a group tag, in code order. */
export function groupMembers(graph: SupplyGraph, tag: string): string[] {
  return graph.filterNodes((_code, node) => node.groups.includes(tag)).sort(compare);
}
