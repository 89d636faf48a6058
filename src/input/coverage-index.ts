/**
 * Which trade the data covers. Trade that is not covered is unknown, never zero: a country with no
 * rows in a covered year imported nothing, while a country no source read could have imported anything.
 *
 * - With a coverage.csv, it alone says what is covered (the importers write it for the reporters and
 *   years they read).
 * - Without one (a hand-made folder), trade rows into a country imply that its imports and exports of
 *   that material and stage are covered for that year.
 */
import type { CoverageExtent, CoverageFact, CoverageFlow, Dataset } from './dataset.js';
import type { Stage } from '../domain/fields.js';

/**
 * A TradeCoverage as plain data (names in id order, series keys, typed arrays): what the prebuilt
 * embedded data stores, so that a run restores the index instead of building it from thousands of facts.
 */
export interface TradeCoverageSnapshot {
  declared: boolean;
  materials: string[];
  stages: string[];
  flows: string[];
  countries: string[];
  extentNames: CoverageExtent[];
  /** Series keys in series order (see seriesKey). */
  seriesKeys: number[];
  start: Int32Array;
  count: Int32Array;
  yearList: Float64Array;
  extentOf: Uint8Array;
}

export class TradeCoverage {
  /*
   * In columns, not one object per series: a coverage.csv has thousands of rows, and what every
   * command builds at start-up, the garbage collector then copies (see the start-up budget in
   * bench/). A series is one importer's imports (or exports) of one material and stage.
   */
  private readonly materialIds = new Map<string, number>();
  private readonly stageIds = new Map<string, number>();
  private readonly flowIds = new Map<string, number>();
  private readonly countryIds = new Map<string, number>();
  private readonly extentNames: CoverageExtent[] = [];
  /** seriesKey -> series number. */
  private readonly seriesOf = new Map<number, number>();
  /** Series k's years: years[start[k]] .. years[start[k] + count[k] - 1], ascending; extents alongside. */
  private start: Int32Array = new Int32Array(1);
  private count: Int32Array = new Int32Array(0);
  private yearList: Float64Array = new Float64Array(0);
  private extentOf: Uint8Array = new Uint8Array(0);
  /** The years of each series asked for, as the array years() gives every time. */
  private readonly yearArrays = new Map<number, number[]>();

  private constructor(
    /** True when the folder's coverage.csv declared it; false when implied by the trade rows. */
    readonly declared: boolean,
  ) {}

  private static fromFacts(facts: readonly CoverageInput[], declared: boolean): TradeCoverage {
    const index = new TradeCoverage(declared);
    const n = facts.length;
    const idOf = (ids: Map<string, number>, name: string): number => {
      let id = ids.get(name);
      if (id === undefined) ids.set(name, (id = ids.size));
      return id;
    };
    const material = new Int32Array(n);
    const stage = new Int32Array(n);
    const flow = new Int32Array(n);
    const country = new Int32Array(n);
    const extent = new Uint8Array(n);
    const extentIds = new Map<string, number>();
    for (let k = 0; k < n; k += 1) {
      const fact = facts[k] as CoverageInput;
      material[k] = idOf(index.materialIds, fact.material);
      stage[k] = idOf(index.stageIds, fact.stage);
      flow[k] = idOf(index.flowIds, fact.flow);
      country[k] = idOf(index.countryIds, fact.importer);
      const before = extentIds.size;
      extent[k] = idOf(extentIds, fact.extent);
      if (extentIds.size > before) index.extentNames.push(fact.extent);
    }
    // Each fact's series, numbered in order of first appearance.
    const seriesOfFact = new Int32Array(n);
    const sizes: number[] = [];
    for (let k = 0; k < n; k += 1) {
      const key = index.seriesKey(material[k] ?? 0, stage[k] ?? 0, flow[k] ?? 0, country[k] ?? 0);
      let series = index.seriesOf.get(key);
      if (series === undefined) {
        series = sizes.length;
        index.seriesOf.set(key, series);
        sizes.push(0);
      }
      seriesOfFact[k] = series;
      sizes[series] = (sizes[series] ?? 0) + 1;
    }
    index.start = new Int32Array(sizes.length + 1);
    for (let series = 0; series < sizes.length; series += 1) index.start[series + 1] = (index.start[series] ?? 0) + (sizes[series] ?? 0);
    index.count = new Int32Array(sizes.length);
    index.yearList = new Float64Array(n);
    index.extentOf = new Uint8Array(n);
    // Each series' years in order of first appearance; a later fact of a year sets its extent again.
    for (let k = 0; k < n; k += 1) {
      const series = seriesOfFact[k] ?? 0;
      const from = index.start[series] ?? 0;
      const year = (facts[k] as CoverageInput).year;
      const at = index.find(from, from + (index.count[series] ?? 0), year);
      if (at === -1) {
        const end = from + (index.count[series] ?? 0);
        index.yearList[end] = year;
        index.extentOf[end] = extent[k] ?? 0;
        index.count[series] = (index.count[series] ?? 0) + 1;
      } else index.extentOf[at] = extent[k] ?? 0;
    }
    for (let series = 0; series < sizes.length; series += 1) index.sortYears(index.start[series] ?? 0, index.count[series] ?? 0);
    return index;
  }

  /**
   * The coverage of a dataset. The same dataset's coverage is asked for more than once (the latest
   * years, then the graph), so it is kept by the facts it was made from while they stay the same
   * size, or by the dataset itself where the prebuilt embedded data restored it (see remember).
   */
  static of(dataset: Pick<Dataset, 'coverage' | 'importYears'>): TradeCoverage {
    const restored = restoredFor.get(dataset);
    if (restored) return restored;
    const source = dataset.coverage ?? dataset.importYears;
    const size = dataset.coverage ? dataset.coverage.length : dataset.importYears.size;
    const known = made.get(source);
    if (known && known.size === size) return known.coverage;
    const coverage = TradeCoverage.make(dataset);
    made.set(source, { size, coverage });
    return coverage;
  }

  /** What of(dataset) gives from now on: an index restored with the dataset (prebuilt.ts), never rebuilt from its facts. */
  static remember(dataset: object, coverage: TradeCoverage): void {
    restoredFor.set(dataset, coverage);
  }

  private static make(dataset: Pick<Dataset, 'coverage' | 'importYears'>): TradeCoverage {
    if (dataset.coverage) return TradeCoverage.fromFacts(dataset.coverage, true);
    return TradeCoverage.implied(dataset.importYears);
  }

  /**
   * The coverage trade rows imply: imports and exports `full` for each material, stage, importer and
   * year with a row into that importer. The same index fromFacts makes of those facts (ids and series
   * in the same order), without making them: on a large file they number hundreds of thousands.
   */
  private static implied(importYears: Dataset['importYears']): TradeCoverage {
    const index = new TradeCoverage(false);
    const idOf = (ids: Map<string, number>, name: string): number => {
      let id = ids.get(name);
      if (id === undefined) ids.set(name, (id = ids.size));
      return id;
    };
    index.extentNames.push('full');
    // Ids first (a series key depends on how many ids there are), in the order fromFacts gives them:
    // a series' import fact comes before its export fact.
    const entries: { ids: [number, number, number, number, number]; years: number[] }[] = [];
    for (const [name, years] of importYears) {
      const [material = '', stage = 'mining', importer = ''] = name.split('|');
      const materialId = idOf(index.materialIds, material);
      const stageId = idOf(index.stageIds, stage);
      const importId = idOf(index.flowIds, 'import');
      const countryId = idOf(index.countryIds, importer);
      const exportId = idOf(index.flowIds, 'export');
      entries.push({ ids: [materialId, stageId, importId, exportId, countryId], years: [...new Set(years)] });
    }
    const series: { years: number[] }[] = [];
    for (const { ids, years } of entries) {
      const [materialId, stageId, importId, exportId, countryId] = ids;
      for (const flow of [importId, exportId]) {
        const key = index.seriesKey(materialId, stageId, flow, countryId);
        const known = index.seriesOf.get(key);
        if (known === undefined) {
          index.seriesOf.set(key, series.length);
          series.push({ years: [...years] });
        } else {
          const listed = series[known] as { years: number[] };
          for (const year of years) if (!listed.years.includes(year)) listed.years.push(year);
        }
      }
    }
    const total = series.reduce((sum, entry) => sum + entry.years.length, 0);
    index.start = new Int32Array(series.length + 1);
    index.count = new Int32Array(series.length);
    index.yearList = new Float64Array(total);
    index.extentOf = new Uint8Array(total);
    series.forEach((entry, k) => {
      const from = index.start[k]!;
      index.start[k + 1] = from + entry.years.length;
      index.count[k] = entry.years.length;
      entry.years.forEach((year, at) => (index.yearList[from + at] = year));
      index.sortYears(from, entry.years.length);
    });
    return index;
  }

  /** The index as plain data: see TradeCoverageSnapshot. */
  snapshot(): TradeCoverageSnapshot {
    return {
      declared: this.declared,
      materials: [...this.materialIds.keys()],
      stages: [...this.stageIds.keys()],
      flows: [...this.flowIds.keys()],
      countries: [...this.countryIds.keys()],
      extentNames: [...this.extentNames],
      seriesKeys: [...this.seriesOf.keys()],
      start: this.start,
      count: this.count,
      yearList: this.yearList,
      extentOf: this.extentOf,
    };
  }

  /** The index a snapshot was taken of, field for field. */
  static restore(snapshot: TradeCoverageSnapshot): TradeCoverage {
    const index = new TradeCoverage(snapshot.declared);
    const fill = (ids: Map<string, number>, names: readonly string[]): void => names.forEach((name, id) => ids.set(name, id));
    fill(index.materialIds, snapshot.materials);
    fill(index.stageIds, snapshot.stages);
    fill(index.flowIds, snapshot.flows);
    fill(index.countryIds, snapshot.countries);
    index.extentNames.push(...snapshot.extentNames);
    snapshot.seriesKeys.forEach((key, series) => index.seriesOf.set(key, series));
    index.start = snapshot.start;
    index.count = snapshot.count;
    index.yearList = snapshot.yearList;
    index.extentOf = snapshot.extentOf;
    return index;
  }

  /** Every `material|stage` with a covered series, in order of first appearance. */
  stagesCovered(): string[] {
    const materials = [...this.materialIds.keys()];
    const stages = [...this.stageIds.keys()];
    const perStage = this.flowIds.size * this.countryIds.size;
    // Material and stage as one number first: a text only for each distinct pair.
    const pairs = new Set<number>();
    this.seriesOf.forEach((_series, key) => pairs.add(Math.floor(key / perStage)));
    return [...pairs].map((pair) => {
      const material = Math.floor(pair / this.stageIds.size);
      return `${materials[material] ?? ''}|${stages[pair % this.stageIds.size] ?? ''}`;
    });
  }

  /** How a country's imports (or exports) of a material and stage are covered in a year; null when not at all. */
  extent(material: string, stage: Stage, country: string, year: number, flow: CoverageFlow): CoverageExtent | null {
    const series = this.seriesNumber(material, stage, flow, country);
    if (series === -1) return null;
    const from = this.start[series] ?? 0;
    const at = this.find(from, from + (this.count[series] ?? 0), year);
    return at === -1 ? null : (this.extentNames[this.extentOf[at] ?? 0] ?? null);
  }

  /** Years in which a country's imports (or exports) of a material and stage are covered, ascending. */
  years(material: string, stage: Stage, country: string, flow: CoverageFlow): readonly number[] {
    const series = this.seriesNumber(material, stage, flow, country);
    if (series === -1) return [];
    let years = this.yearArrays.get(series);
    if (!years) {
      const from = this.start[series] ?? 0;
      years = Array.from(this.yearList.subarray(from, from + (this.count[series] ?? 0)));
      this.yearArrays.set(series, years);
    }
    return years;
  }

  /** Whether any trade of this country is covered at all. */
  coversCountry(country: string): boolean {
    return this.countryIds.has(country);
  }

  private seriesKey(material: number, stage: number, flow: number, country: number): number {
    return ((material * this.stageIds.size + stage) * this.flowIds.size + flow) * this.countryIds.size + country;
  }

  private seriesNumber(material: string, stage: string, flow: string, country: string): number {
    const m = this.materialIds.get(material);
    const s = this.stageIds.get(stage);
    const f = this.flowIds.get(flow);
    const c = this.countryIds.get(country);
    if (m === undefined || s === undefined || f === undefined || c === undefined) return -1;
    return this.seriesOf.get(this.seriesKey(m, s, f, c)) ?? -1;
  }

  /** The position of `year` among yearList[from, to) (as Array.includes compares: NaN matches NaN), else -1. */
  private find(from: number, to: number, year: number): number {
    for (let at = from; at < to; at += 1) {
      const known = this.yearList[at] ?? 0;
      if (known === year || (known !== known && year !== year)) return at;
    }
    return -1;
  }

  /** Sorts one series' years ascending (as `years.sort((a, b) => a - b)` would), its extents alongside. */
  private sortYears(from: number, count: number): void {
    let sorted = true;
    for (let at = from + 1; at < from + count && sorted; at += 1) sorted = (this.yearList[at - 1] ?? 0) < (this.yearList[at] ?? 0);
    if (sorted) return;
    const years = Array.from(this.yearList.subarray(from, from + count));
    const extents = Array.from(this.extentOf.subarray(from, from + count));
    const order = years.map((_, k) => k).sort((a, b) => (years[a] ?? 0) - (years[b] ?? 0));
    order.forEach((k, position) => {
      this.yearList[from + position] = years[k] ?? 0;
      this.extentOf[from + position] = extents[k] ?? 0;
    });
  }
}

type CoverageInput = Pick<CoverageFact, 'material' | 'stage' | 'importer' | 'year' | 'flow' | 'extent'>;

/** Each dataset's coverage, by the facts (or implied years) it was made from. */
const made = new WeakMap<object, { size: number; coverage: TradeCoverage }>();
/** Indexes restored with a dataset (remember), by the dataset. */
const restoredFor = new WeakMap<object, TradeCoverage>();
