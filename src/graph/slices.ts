/**
 * A read-only index of the supplier graph by material, stage and year, built in one pass over the
 * graph so that metrics can ask for "cobalt refining in 2023" without scanning every edge again.
 *
 * A slice's flows are made into objects only when asked for, and only the most recently used are
 * kept: an analysis of every year (trend) then never holds millions of flow objects at once.
 */
import type { Stage } from '../domain/fields.js';
import { STAGES } from '../domain/fields.js';
import type { TradeTable } from '../input/trade-table.js';
import type { TradeCoverage } from '../input/coverage-index.js';
import type { SupplyGraph } from './supply-graph.js';

export interface Flow {
  from: string;
  to: string;
  quantity: number;
  /** Sum of the rows' value_usd; null when no row had one. */
  valueUsd?: number | null;
  /** The quantity of the rows that had a value_usd (the unit value's denominator). */
  valuedQuantity?: number;
  /**
   * The traded (gross) weight of the flow, in the unit's tonnes, where a content factor converted
   * part of it (trade-gross.csv: quantity - contained + gross); absent when it is `quantity`.
   */
  grossQuantity?: number;
}

/**
 * A slice's flows as columns, in the slice's order (exporter code, then importer code): flow k goes
 * from codes[from[k]] to codes[to[k]]. The index's columns are views of the trade table's rows, so
 * the metrics that scan every flow of a slice (a supplier's imports, the Kastner system, the chain's
 * trade sums) read numbers in place instead of making an object per flow: a trend over every year
 * of a large file would otherwise make one per row, over a million.
 */
export interface FlowColumns {
  readonly length: number;
  /** Country codes by id: the ids of `from` and `to`. */
  readonly codes: readonly string[];
  /** The id of a country code in `codes`; -1 when it has none. */
  readonly idOf: (code: string) => number;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly quantity: Float64Array;
  /** Sum of the rows' value_usd; NaN when no row had one. */
  readonly valueUsd: Float64Array;
  /** The quantity of the rows that had a value_usd. */
  readonly valuedQuantity: Float64Array;
  /** Flow.grossQuantity where a content factor converted the flow, NaN elsewhere; null when no flow of the slice was converted. */
  readonly grossQuantity: Float64Array | null;
  /** False when no flow can have a value_usd (the table has none: TradeTable.valued); readers of values may then skip the flows. */
  readonly valued: boolean;
}

/** Flows as columns (ids in order of first appearance): for flows made as objects (group views, tests). */
export function flowColumns(flows: readonly Flow[]): FlowColumns {
  const codes: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (code: string): number => {
    let id = ids.get(code);
    if (id === undefined) {
      ids.set(code, (id = codes.length));
      codes.push(code);
    }
    return id;
  };
  const n = flows.length;
  const columns = {
    length: n,
    codes,
    idOf: (code: string) => ids.get(code) ?? -1,
    from: new Int32Array(n),
    to: new Int32Array(n),
    quantity: new Float64Array(n),
    valueUsd: new Float64Array(n),
    valuedQuantity: new Float64Array(n),
    grossQuantity: flows.some((flow) => flow.grossQuantity !== undefined) ? new Float64Array(n).fill(Number.NaN) : null,
    valued: flows.some((flow) => flow.valueUsd != null),
  };
  flows.forEach((flow, k) => {
    columns.from[k] = idOf(flow.from);
    columns.to[k] = idOf(flow.to);
    columns.quantity[k] = flow.quantity;
    columns.valueUsd[k] = flow.valueUsd ?? Number.NaN;
    columns.valuedQuantity[k] = flow.valuedQuantity ?? 0;
    if (columns.grossQuantity && flow.grossQuantity !== undefined) columns.grossQuantity[k] = flow.grossQuantity;
  });
  return columns;
}

/** Flows as the metrics take them: columns (the slice index's, read in place) or objects (tests, small callers). */
export type TradeFlows = FlowColumns | readonly Flow[];

/** Columns of flows given as objects, made once per array. */
const columnsOfObjects = new WeakMap<readonly Flow[], FlowColumns>();

export function asFlowColumns(flows: TradeFlows): FlowColumns {
  if (!Array.isArray(flows)) return flows as FlowColumns;
  const list = flows as readonly Flow[];
  let columns = columnsOfObjects.get(list);
  if (!columns) columnsOfObjects.set(list, (columns = flowColumns(list)));
  return columns;
}

/** The flows of some columns as objects, in their order. */
export function flowObjects(columns: FlowColumns): Flow[] {
  const { codes, from, to, quantity, valueUsd, valuedQuantity, grossQuantity } = columns;
  const flows: Flow[] = new Array<Flow>(columns.length);
  for (let k = 0; k < columns.length; k += 1) {
    const value = valueUsd[k]!;
    const flow: Flow = {
      from: codes[from[k]!] ?? '',
      to: codes[to[k]!] ?? '',
      quantity: quantity[k]!,
      valueUsd: Number.isNaN(value) ? null : value,
      valuedQuantity: valuedQuantity[k]!,
    };
    const gross = grossQuantity?.[k] ?? Number.NaN;
    if (!Number.isNaN(gross)) flow.grossQuantity = gross;
    flows[k] = flow;
  }
  return flows;
}

/** Everything the graph says about one material and stage in one year. */
export interface Slice {
  material: string;
  stage: Stage;
  year: number;
  /** Production by country (only countries with a production figure), in code order. */
  production: Map<string, number>;
  /** Countries whose production the source withholds this year (USGS `W`). */
  withheld: readonly string[];
  /** Trade flows, ordered by exporter then importer code. */
  readonly flows: Flow[];
  /** The same flows as columns (no objects): what metrics that scan every flow read. */
  readonly columns: FlowColumns;
}

export interface SliceIndex {
  slice(material: string, stage: Stage, year: number): Slice | undefined;
  materials(): string[];
  stages(material: string): Stage[];
  productionYears(material: string, stage: Stage): number[];
  /** Years with trade rows in the data read (also those left out of a latest-years graph). */
  tradeYears(material: string, stage: Stage): number[];
  /** Years with at least one flow into `importer`. */
  importYears(material: string, stage: Stage, importer: string): number[];
  unit(material: string, stage: Stage): string | undefined;
  country(code: string): { name: string; governance: number | null; groups: string[] } | undefined;
  /** A country's governance score for a year (see governanceIn); null when the data has none. */
  governance(code: string, year: number): GovernanceScore | null;
  /** Governance (of `year` when given) and groups, as the candidate rules read them. */
  countryIn(code: string, year?: number): { governance: number | null; groups: string[] } | undefined;
  /** Which trade the data covers. */
  coverage: TradeCoverage;
}

export interface GovernanceScore {
  value: number;
  /** The year the score is of: the asked year, an earlier one, or null for countries.csv's single score. */
  year: number | null;
}

/**
 * The score of `year`, else the latest earlier one (WGI ends before the newest trade and production
 * years), else the single score of countries.csv, else null.
 */
export function governanceIn(node: { governance: number | null; governanceByYear: Record<number, number> }, year: number): GovernanceScore | null {
  // The years of a node's scores, read once: this is asked for every candidate of every block.
  let years = scoreYears.get(node.governanceByYear);
  if (!years) scoreYears.set(node.governanceByYear, (years = Object.keys(node.governanceByYear).map(Number)));
  let best: number | undefined;
  for (let k = 0; k < years.length; k += 1) {
    const scoreYear = years[k] ?? 0;
    if (scoreYear <= year && (best === undefined || scoreYear > best)) best = scoreYear;
  }
  if (best !== undefined) return { value: node.governanceByYear[best] ?? 0, year: best };
  return node.governance === null ? null : { value: node.governance, year: null };
}

/** The years of each scores record (built with its node, never changed after). */
const scoreYears = new WeakMap<Record<number, number>, number[]>();

const cache = new WeakMap<SupplyGraph, SliceIndex>();

export function sliceIndex(graph: SupplyGraph): SliceIndex {
  const cached = cache.get(graph);
  if (cached) return cached;
  const index = buildIndex(graph);
  cache.set(graph, index);
  return index;
}

/**
 * How many slices keep their flow objects between calls (the rest are rebuilt when asked for). Few:
 * flow objects that live long are copied by the garbage collector, which costs more than making
 * them again; callers ask for the same slice again soon after, if at all.
 */
const FLOW_CACHE_SLICES = 32;

/** A slice as the index holds it: production, and its flows as a range of rows of the trade table. */
class IndexedSlice implements Slice {
  readonly production = new Map<string, number>();
  withheld: readonly string[] = [];
  /** Rows firstRow .. endRow - 1 of the (finished) trade table, ordered by exporter then importer code. */
  firstRow = 0;
  endRow = 0;
  /** Gross minus contained weight of the converted flows, by `exporter>importer` (trade-gross.csv). */
  grossExtra: Readonly<Record<string, number>> | undefined;

  constructor(
    readonly material: string,
    readonly stage: Stage,
    readonly year: number,
    private readonly rows: TableRows,
    private readonly flowsOf: (slice: IndexedSlice) => Flow[],
  ) {}

  get flows(): Flow[] {
    return this.flowsOf(this);
  }

  /**
   * New views each time, not kept: what is worked out from a slice's columns is kept by their identity
   * (kastner.ts keeps factorised systems that way) for as long as a reader holds them (a chain graph
   * holds its stages' columns while it is among the few kept), not for the whole run.
   */
  get columns(): FlowColumns {
    return this.rows.columns(this.firstRow, this.endRow, this.grossExtra);
  }
}

/** The trade table's rows as FlowColumns views, with the country dictionary shared by every slice. */
class TableRows {
  readonly codes: readonly string[];
  readonly idOf: (code: string) => number;

  constructor(private readonly table: TradeTable) {
    this.codes = table.countries.values;
    this.idOf = (code) => table.countries.find(code) ?? -1;
  }

  /** NaN values for a table without values (TradeTable.valued), from one buffer shared by the slices' read-only views. */
  private nans = new Float64Array(0);

  private noValues(length: number): Float64Array {
    if (this.nans.length < length) this.nans = new Float64Array(Math.max(length, 2 * this.nans.length)).fill(Number.NaN);
    return this.nans.subarray(0, length);
  }

  columns(first: number, end: number, grossExtra: Readonly<Record<string, number>> | undefined): FlowColumns {
    const { table } = this;
    const quantity = table.quantityOf.subarray(first, end);
    const from = table.exporterOf.subarray(first, end);
    const to = table.importerOf.subarray(first, end);
    let grossQuantity: Float64Array | null = null;
    if (grossExtra) {
      grossQuantity = new Float64Array(end - first).fill(Number.NaN);
      for (let k = 0; k < grossQuantity.length; k += 1) {
        const added = grossExtra[`${this.codes[from[k]!]}>${this.codes[to[k]!]}`];
        if (added !== undefined) grossQuantity[k] = Math.max(0, quantity[k]! + added);
      }
    }
    return {
      length: end - first,
      codes: this.codes,
      idOf: this.idOf,
      from,
      to,
      quantity,
      valueUsd: table.valued ? table.valueUsdOf.subarray(first, end) : this.noValues(end - first),
      valuedQuantity: table.valuedQuantityOf.subarray(first, end),
      grossQuantity,
      valued: table.valued,
    };
  }
}

function buildIndex(graph: SupplyGraph): SliceIndex {
  const table = graph.getAttribute('trade');
  const flows = flowMaker();
  const rows = new TableRows(table);
  // material -> stage -> year -> slice; nested maps so that no key string is built per flow.
  const tree = new Map<string, Map<Stage, Map<number, IndexedSlice>>>();
  const sliceFor = (material: string, stage: Stage, year: number): IndexedSlice => {
    let stages = tree.get(material);
    if (!stages) tree.set(material, (stages = new Map()));
    let years = stages.get(stage);
    if (!years) stages.set(stage, (years = new Map()));
    let slice = years.get(year);
    if (!slice) years.set(year, (slice = new IndexedSlice(material, stage, year, rows, flows)));
    return slice;
  };

  // for-in and indexed loops rather than for-of over entries: this runs once, mostly before the JIT
  // has compiled it, where each for-of step allocates.
  const sliceOfKey = new Map<string, IndexedSlice>();
  const sliceForKey = (key: string): IndexedSlice => {
    let slice = sliceOfKey.get(key);
    if (!slice) {
      const [material = '', stage = 'mining', year = '0'] = key.split('|');
      sliceOfKey.set(key, (slice = sliceFor(material, stage as Stage, Number(year))));
    }
    return slice;
  };
  const nodes: { code: string; production: Record<string, number> }[] = [];
  graph.forEachNode((code, node) => {
    nodes.push({ code, production: node.production });
    for (const key in node.production) sliceForKey(key);
  });
  // Deterministic order whatever order the rows came in: countries in code order (each country's
  // figures in the order it holds them).
  nodes.sort((a, b) => compare(a.code, b.code));
  for (const { code, production } of nodes) {
    for (const key in production) sliceForKey(key).production.set(code, production[key] ?? 0);
  }
  const withheld = graph.getAttribute('withheld');
  for (const key in withheld) sliceForKey(key).withheld = [...(withheld[key] ?? [])].sort(compare);

  // The graph holds whole slices of the table (see buildSupplyGraph): a slice with one row among the
  // edges' rows has all of them, side by side in the table.
  const inGraph = new Uint8Array(table.slices.length);
  const pairRows = graph.getAttribute('pairRows');
  graph.forEachEdge((_edge, link) => {
    for (let k = link.first; k < link.end; k += 1) inGraph[table.sliceOf[pairRows[k] ?? 0] ?? 0] = 1;
  });
  const grossExtra = graph.getAttribute('grossExtra') ?? {};
  table.slices.forEach((info, id) => {
    if (!inGraph[id]) return;
    const slice = sliceFor(info.material, info.stage, info.year);
    slice.firstRow = table.sliceStart[id] ?? 0;
    slice.endRow = table.sliceStart[id + 1] ?? 0;
    slice.grossExtra = grossExtra[`${info.material}|${info.stage}|${info.year}`];
  });

  const slicesOf = (material: string, stage: Stage): IndexedSlice[] => [...(tree.get(material)?.get(stage)?.values() ?? [])];
  const yearsWhere = (material: string, stage: Stage, test: (slice: IndexedSlice) => boolean): number[] =>
    slicesOf(material, stage)
      .filter(test)
      .map((slice) => slice.year)
      .sort((a, b) => a - b);
  const importYears = new Map<string, number[]>();
  const units = graph.getAttribute('units');
  const allTradeYears = graph.getAttribute('tradeYears');
  const traded = new Map<string, Set<Stage>>();
  for (const series of Object.keys(allTradeYears)) {
    const [material = '', stage = 'mining'] = series.split('|');
    if (!traded.has(material)) traded.set(material, new Set());
    traded.get(material)?.add(stage as Stage);
  }
  const materials = [...new Set([...tree.keys(), ...traded.keys()])].sort(compare);

  return {
    slice: (material, stage, year) => tree.get(material)?.get(stage)?.get(year),
    materials: () => materials,
    stages: (material) => STAGES.filter((stage) => (tree.get(material)?.has(stage) ?? false) || (traded.get(material)?.has(stage) ?? false)),
    productionYears: (material, stage) => yearsWhere(material, stage, (slice) => slice.production.size > 0 || slice.withheld.length > 0),
    tradeYears: (material, stage) => allTradeYears[`${material}|${stage}`] ?? [],
    importYears: (material, stage, importer) => {
      const key = `${material}|${stage}|${importer}`;
      let years = importYears.get(key);
      if (!years) {
        const id = table.countries.find(importer);
        years = id === undefined ? [] : yearsWhere(material, stage, (slice) => table.importerOf.subarray(slice.firstRow, slice.endRow).includes(id));
        importYears.set(key, years);
      }
      return years;
    },
    unit: (material, stage) => units[`${material}|${stage}`],
    country: (code) => (graph.hasNode(code) ? graph.getNodeAttributes(code) : undefined),
    governance: (code, year) => (graph.hasNode(code) ? governanceIn(graph.getNodeAttributes(code), year) : null),
    countryIn: (code, year) => {
      if (!graph.hasNode(code)) return undefined;
      const node = graph.getNodeAttributes(code);
      return { governance: year === undefined ? node.governance : (governanceIn(node, year)?.value ?? null), groups: node.groups };
    },
    coverage: graph.getAttribute('coverage'),
  };
}

/** Makes a slice's flow objects from its columns and keeps those of the last FLOW_CACHE_SLICES slices asked for. */
function flowMaker(): (slice: IndexedSlice) => Flow[] {
  const recent = new Map<IndexedSlice, Flow[]>();
  return (slice) => {
    const known = recent.get(slice);
    if (known) {
      recent.delete(slice);
      recent.set(slice, known);
      return known;
    }
    const flows = flowObjects(slice.columns);
    recent.set(slice, flows);
    if (recent.size > FLOW_CACHE_SLICES) recent.delete(recent.keys().next().value as IndexedSlice);
    return flows;
  };
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
