/**
 * What the bilateral-trade importers (Comtrade, BACI) share: the choice of flows to keep, the
 * conversion of one flow into a trade row through the HS map, and the sums of the kept flows.
 */
import type { HsEntry, HsMap } from './hs-map.js';
import { convertTonnes, entryOf, factorFor } from './hs-map.js';
import { FlowStore } from './flow-store.js';
import type { CodeMatch } from './numeric-codes.js';
import type { CoverageRow, GrossRow, Selection, Tally, TradeRow, TradeRowColumns } from './types.js';
import { inYears, roundQuantity, type YearRange } from './values.js';

export interface TradeOptions {
  hsMap: HsMap;
  years?: YearRange;
  /** Keep only flows into or out of this country (ISO3), e.g. JPN. */
  country?: string;
  select?: Selection;
}

/** One bilateral record as a trade source gives it (HS code, partner codes, tonnes, USD), before the HS map. */
export interface SourceRecord {
  hs6: string;
  exporter: CodeMatch;
  importer: CodeMatch;
  year: number;
  /** Tonnes of product; null when the source gives none. */
  tonnes: number | null;
  valueUsd: number | null;
}

/** Why a flow is left out; `withExample` when the tally should show where (a line, a row). */
export interface SkipReason {
  text: string;
  withExample: boolean;
}

export const NOT_IN_HS_MAP: SkipReason = { text: 'HS code not in the HS map', withExample: false };
const OUTSIDE_YEARS: SkipReason = { text: 'year outside --years', withExample: false };
const WORLD_PARTNER: SkipReason = { text: 'partner is the World (a total, not a flow)', withExample: false };
const UNKNOWN_CODE: SkipReason = { text: 'country code not recognised (aggregate or former country)', withExample: true };
const SAME_COUNTRY: SkipReason = { text: 'exporter and importer are the same country (re-imports)', withExample: true };
const NO_QUANTITY: SkipReason = { text: 'no quantity (net weight missing)', withExample: true };
const ZERO_QUANTITY: SkipReason = { text: 'zero quantity (no row needed)', withExample: false };
/** A code with factors by origin, none of them for this exporter: its contained weight is unknown. */
export const NO_FACTOR: SkipReason = { text: 'no content factor for this origin (content-factors.csv); the coverage is marked partial', withExample: true };

/** Reasons whose text depends on the options, made once per text so that a skip allocates nothing. */
const reasonsByText = new Map<string, SkipReason>();
function reasonFor(text: string): SkipReason {
  let reason = reasonsByText.get(text);
  if (!reason) reasonsByText.set(text, (reason = { text, withExample: false }));
  return reason;
}

let lastCountry = '';
let lastCountryReason = NOT_IN_HS_MAP;

/** The --country reason, made once per country (most rows of a large file may be skipped for it). */
function otherCountries(country: string): SkipReason {
  if (country !== lastCountry) {
    lastCountry = country;
    lastCountryReason = reasonFor(`neither exporter nor importer is ${country} (--country)`);
  }
  return lastCountryReason;
}

/**
 * Checks one flow of a mapped product in order of cost: the reason it is skipped, or null when it
 * is kept (it then has a positive quantity). Counts nothing: the caller tallies.
 */
export function flowSkip(
  entry: HsEntry,
  exporter: CodeMatch,
  importer: CodeMatch,
  year: number,
  tonnes: number | null,
  options: TradeOptions,
): SkipReason | null {
  const unwanted = options.select?.(entry.material, entry.stage);
  if (unwanted) return reasonFor(unwanted);
  if (!inYears(options.years, year)) return OUTSIDE_YEARS;
  if (exporter.kind === 'world' || importer.kind === 'world') return WORLD_PARTNER;
  if (exporter.kind === 'unknown' || importer.kind === 'unknown') return UNKNOWN_CODE;
  if (options.country && exporter.code !== options.country && importer.code !== options.country) return otherCountries(options.country);
  if (exporter.code === importer.code) return SAME_COUNTRY;
  if (tonnes === null) return NO_QUANTITY;
  if (tonnes === 0) return ZERO_QUANTITY;
  if (entry.origins && entry.origins.size > 0 && factorFor(entry, exporter.code) === undefined) return NO_FACTOR;
  return null;
}

/**
 * Checks one flow and either returns its row or counts why it was skipped. `where` names the
 * record for the skip examples; it is a function so that kept rows never build it.
 */
export function flowToRow(flow: SourceRecord, options: TradeOptions, tally: Tally, source: string, where: () => string, track?: FlowTracking): TradeRow | null {
  const entry: HsEntry | undefined = entryOf(options.hsMap, flow.hs6);
  const reason = entry ? flowSkip(entry, flow.exporter, flow.importer, flow.year, flow.tonnes, options) : NOT_IN_HS_MAP;
  if (reason || !entry) {
    if (reason === NO_FACTOR && entry) track?.coverage?.markPartial(entry, keptCode(flow.importer), flow.year, keptCode(flow.exporter));
    tally.skip((reason ?? NOT_IN_HS_MAP).text, reason?.withExample ? where() : undefined);
    return null;
  }
  tally.keep();
  const exporter = keptCode(flow.exporter);
  const importer = keptCode(flow.importer);
  const tonnes = flow.tonnes ?? 0;
  track?.gross?.add(entry, exporter, importer, flow.year, tonnes, source);
  return {
    material: entry.material,
    stage: entry.stage,
    exporter,
    importer,
    year: flow.year,
    quantity: tradeQuantity(entry, tonnes, exporter),
    unit: entry.unit,
    valueUsd: flow.valueUsd === null ? null : Math.round(flow.valueUsd),
    source,
  };
}

/** What an importer records besides the rows: the coverage it read and the gross weights it converted. */
export interface FlowTracking {
  coverage?: CoverageSeen;
  gross?: GrossSum;
}

/** The ISO3 (or unattributed) code of a country that flowSkip let through: it has one. */
export function keptCode(match: CodeMatch): string {
  return match.kind === 'country' || match.kind === 'unattributed' ? match.code : '';
}

/** The quantity a kept flow writes: tonnes of material (or gross tonnes), rounded as written. */
export function tradeQuantity(entry: HsEntry, tonnes: number, origin?: string): number {
  return roundQuantity(convertTonnes(entry, tonnes, origin));
}

/** The plain-data form of CoverageSeen (it crosses from a worker thread). */
export interface CoverageData {
  codes: [number, string[]][];
  importers: [number, string[]][];
  exporters: [number, string[]][];
  partial: string[];
  partialExports: string[];
}

/**
 * What a trade source was seen to cover while it was read: by year, the mapped HS codes it holds
 * and the countries whose imports (or, for an ITC export table, exports) it reports; and the
 * material, stage, country and year whose flows could not all be converted (marked partial).
 * A source that holds every country's flows both ways (BACI) also notes exporters: each country's
 * exports are then covered too; a reporter-based source (Comtrade, ITC imports) notes none.
 */
export class CoverageSeen {
  readonly codes = new Map<number, Set<string>>();
  readonly importers = new Map<number, Set<string>>();
  readonly exporters = new Map<number, Set<string>>();
  readonly partial = new Set<string>();
  readonly partialExports = new Set<string>();
  private lastYear = NaN;
  private lastCodes: Set<string> | undefined;
  private lastImporters: Set<string> | undefined;

  noteCode(year: number, hs6: string): void {
    if (year !== this.lastYear) this.switchYear(year);
    this.lastCodes?.add(hs6);
  }

  noteImporter(year: number, country: string): void {
    if (year !== this.lastYear) this.switchYear(year);
    this.lastImporters?.add(country);
  }

  /** Exporters are noted by year as a plain map lookup: their calls are rare next to importers'. */
  noteExporter(year: number, country: string): void {
    let exporters = this.exporters.get(year);
    if (!exporters) this.exporters.set(year, (exporters = new Set()));
    exporters.add(country);
  }

  /** A flow that could not be converted leaves its importer's imports, and its exporter's exports, partial. */
  markPartial(entry: HsEntry, importer: string, year: number, exporter?: string): void {
    this.markPartialFlow(entry, importer, year, false);
    if (exporter !== undefined) this.markPartialFlow(entry, exporter, year, true);
  }

  /** One side of markPartial: the country's imports, or (`exports`) its exports. */
  markPartialFlow(entry: HsEntry, country: string, year: number, exports: boolean): void {
    (exports ? this.partialExports : this.partial).add(partialKey(entry.material, entry.stage, country, year));
  }

  data(): CoverageData {
    return {
      codes: [...this.codes].map(([year, codes]) => [year, [...codes]]),
      importers: [...this.importers].map(([year, importers]) => [year, [...importers]]),
      exporters: [...this.exporters].map(([year, exporters]) => [year, [...exporters]]),
      partial: [...this.partial],
      partialExports: [...this.partialExports],
    };
  }

  merge(data: CoverageData): void {
    for (const [year, codes] of data.codes) for (const code of codes) this.noteCode(year, code);
    for (const [year, importers] of data.importers) for (const importer of importers) this.noteImporter(year, importer);
    for (const [year, exporters] of data.exporters) for (const exporter of exporters) this.noteExporter(year, exporter);
    for (const key of data.partial) this.partial.add(key);
    for (const key of data.partialExports) this.partialExports.add(key);
  }

  private switchYear(year: number): void {
    if (!Number.isInteger(year)) {
      this.lastYear = NaN;
      this.lastCodes = this.lastImporters = undefined;
      return;
    }
    this.lastYear = year;
    let codes = this.codes.get(year);
    if (!codes) this.codes.set(year, (codes = new Set()));
    let importers = this.importers.get(year);
    if (!importers) this.importers.set(year, (importers = new Set()));
    this.lastCodes = codes;
    this.lastImporters = importers;
  }
}

function partialKey(material: string, stage: string, importer: string, year: number): string {
  return `${material}|${stage}|${importer}|${year}`;
}

/**
 * Coverage rows from what was seen: for each year (within --years), each country seen (only
 * options.country when given: a filtered country's partners are read only for their trade with it)
 * and each material and stage (allowed by --materials/--stages) with at least one of its codes in
 * the source: `full` when all its codes were there and no flow lacked a factor, else `partial`.
 */
export function coverageRows(
  seen: CoverageSeen,
  options: TradeOptions,
  flow: CoverageRow['flow'],
  source: string,
  // Whose flows the rows cover: the countries noted as importers (a reporter's declarations, or an
  // ITC table of the reporter's exports) or, for BACI's export coverage, those noted as exporters.
  countriesSeenAs: 'importers' | 'exporters' = 'importers',
): CoverageRow[] {
  const partial = countriesSeenAs === 'exporters' ? seen.partialExports : seen.partial;
  const rows: CoverageRow[] = [];
  for (const { year, groups, countries } of coveragePlan(seen, options, countriesSeenAs)) {
    for (const group of groups) {
      for (const importer of countries) {
        const complete = group.read === group.codes.length && !partial.has(partialKey(group.material, group.stage, importer, year));
        rows.push({ material: group.material, stage: group.stage, importer, year, flow, extent: complete ? 'full' : 'partial', source });
      }
    }
  }
  return rows;
}

/** The number of rows coverageRows gives, without making them. */
export function coverageRowCount(seen: CoverageSeen, options: TradeOptions, countriesSeenAs: 'importers' | 'exporters' = 'importers'): number {
  return coveragePlan(seen, options, countriesSeenAs).reduce((sum, year) => sum + year.groups.length * year.countries.length, 0);
}

/** Of each year covered: the materials and stages with a code read (`read` of their `codes`) and the countries covered, sorted. */
function coveragePlan(
  seen: CoverageSeen,
  options: TradeOptions,
  countriesSeenAs: 'importers' | 'exporters',
): { year: number; groups: { material: string; stage: TradeRow['stage']; codes: string[]; read: number }[]; countries: string[] }[] {
  const groups = new Map<string, { material: string; stage: TradeRow['stage']; codes: string[] }>();
  // A material and stage is known by its six-digit codes; a heading listed alone (no code of it in
  // the map) stands for itself.
  const headings = [...(options.hsMap.headings?.values() ?? [])];
  const alone = headings.filter((heading) => ![...options.hsMap.keys()].some((code) => code.startsWith(heading.hs6)));
  for (const entry of [...options.hsMap.values(), ...alone]) {
    if (options.select?.(entry.material, entry.stage)) continue;
    const key = `${entry.material}|${entry.stage}`;
    const group = groups.get(key) ?? { material: entry.material, stage: entry.stage, codes: [] };
    group.codes.push(entry.hs6);
    groups.set(key, group);
  }
  const plan = [];
  for (const [year, seenCodes] of [...seen.codes].sort((a, b) => a[0] - b[0])) {
    if (!inYears(options.years, year)) continue;
    // A heading read (a four-digit total) holds every code of it.
    const codes = new Set(seenCodes);
    for (const code of seenCodes) {
      if (code.length !== 4) continue;
      for (const other of options.hsMap.keys()) if (other.startsWith(code)) codes.add(other);
    }
    const countries = (countriesSeenAs === 'exporters' ? seen.exporters : seen.importers).get(year) ?? [];
    const covered = [...countries].filter((code) => code !== 'ZZZ' && (!options.country || code === options.country)).sort();
    const read = [...groups.values()].map((group) => ({ ...group, read: group.codes.filter((code) => codes.has(code)).length }));
    plan.push({ year, groups: read.filter((group) => group.read > 0), countries: covered });
  }
  return plan;
}

/**
 * Gross weights of the flows converted by a factor other than 1, summed by source, HS code, year
 * and country pair, for trade-gross.csv. A TradeSum carries them: its material is the HS code and
 * its unit the factor (one per code and exporter).
 */
export class GrossSum {
  private readonly sum = new TradeSum();
  private readonly entries = new Map<string, HsEntry>();
  /** The sum's ids, found once per entry, factor and source (a large import adds many thousands of flows). */
  private readonly groups = new Map<HsEntry, number>();
  private readonly units = new Map<number, number>();
  private source = { text: '', id: -1 };

  add(entry: HsEntry, exporter: string, importer: string, year: number, grossTonnes: number, source: string): void {
    const factor = factorFor(entry, exporter);
    if (factor === null || factor === undefined || factor === 1) return;
    let group = this.groups.get(entry);
    if (group === undefined) {
      this.entries.set(entry.hs6, entry);
      this.groups.set(entry, (group = this.sum.groupId(entry.hs6, entry.stage)));
    }
    const [exporterId, importerId] = [this.sum.countryId(exporter), this.sum.countryId(importer)];
    if (source !== this.source.text) this.source = { text: source, id: this.sum.sourceId(source) };
    let unit = this.units.get(factor);
    if (unit === undefined) this.units.set(factor, (unit = this.sum.unitId(String(factor))));
    // As sum.add would: the HS code stands for the material, the factor for the unit.
    this.sum.addFlow(this.source.id, group, exporterId, importerId, year, grossTonnes, unit, null);
  }

  /** The number of rows rows() gives. */
  get size(): number {
    return this.sum.size;
  }

  rows(): GrossRow[] {
    return grossRowsOf(this.sum.columns(), (hs6) => this.entries.get(hs6)?.material ?? '');
  }
}

/**
 * trade-gross.csv rows of summed gross weights read by position: each row's "material" is its HS
 * code and its "unit" the factor's text (as GrossSum and the BACI runs keep them).
 */
export function grossRowsOf(columns: TradeRowColumns, materialOf: (hs6: string) => string): GrossRow[] {
  const rows: GrossRow[] = [];
  for (let row = 0; row < columns.length; row++) {
    const hs6 = columns.material(row);
    const factor = Number(columns.unit(row));
    const quantity = columns.quantity(row);
    rows.push({
      hs6,
      material: materialOf(hs6),
      stage: columns.stage(row),
      exporter: columns.exporter(row),
      importer: columns.importer(row),
      year: columns.year(row),
      grossQuantity: quantity,
      factor,
      containedQuantity: roundQuantity(quantity * factor),
      source: columns.source(row),
    });
  }
  return rows;
}

/**
 * Adds up rows of one flow and source (a reporter may file one flow in several records, e.g. by
 * customs procedure); rows of different sources stay apart so each can be traced.
 */
export function aggregateTrade(rows: readonly TradeRow[]): TradeRow[] {
  const sum = new TradeSum();
  for (const row of rows) sum.add(row);
  return sum.rows();
}

/** Country ids are packed in pairs (exporter * limit + importer, read back with >>> 16 and & 0xffff) into one 32-bit key. */
const COUNTRY_LIMIT = 0x10000;

/**
 * The same sums kept as rows arrive, so a large file's memory follows its distinct flows, not its
 * rows. Strings (sources, material and stage, country codes, units) are given small ids once, and a
 * flow is keyed by two numbers: its slot (source, material-stage and year: a few hundred of them)
 * and its exporter-importer pair, in a FlowStore. A row object per flow is made only at the end.
 * A BACI reader resolves the ids once per distinct code and calls addFlow; other importers call
 * add with whole rows.
 */
export class TradeSum {
  private readonly sources = new Interned<string>();
  private readonly groups = new Interned<string>();
  private readonly groupOf: { material: string; stage: TradeRow['stage'] }[] = [];
  private readonly countries = new Interned<string>();
  private readonly units = new Interned<string>();
  /** [source][material-stage] -> year -> slot number. */
  private readonly slots: (Map<number, number> | undefined)[][] = [];
  private readonly slotSource: number[] = [];
  private readonly slotGroup: number[] = [];
  private readonly slotYear: number[] = [];
  private readonly flows = new FlowStore();

  /** The number of summed flows (rows). */
  get size(): number {
    return this.flows.size;
  }

  sourceId(source: string): number {
    const id = this.sources.id(source);
    if (id === this.slots.length) this.slots.push([]);
    return id;
  }

  /** The id of a material and stage: flows of two HS codes of one material and stage add up. */
  groupId(material: string, stage: TradeRow['stage']): number {
    const id = this.groups.id(`${material}|${stage}`);
    if (id === this.groupOf.length) this.groupOf.push({ material, stage });
    return id;
  }

  countryId(code: string): number {
    const id = this.countries.id(code);
    if (id >= COUNTRY_LIMIT) throw new Error(`more than ${COUNTRY_LIMIT} country codes in one import`);
    return id;
  }

  unitId(unit: string): number {
    return this.units.id(unit);
  }

  add(row: TradeRow): void {
    const group = this.groupId(row.material, row.stage);
    const exporter = this.countryId(row.exporter);
    const importer = this.countryId(row.importer);
    this.addFlow(this.sourceId(row.source), group, exporter, importer, row.year, row.quantity, this.unitId(row.unit), row.valueUsd);
  }

  /**
   * Adds one kept flow given by ids. The first row of a flow sets its unit; a later one adds its
   * quantity (rounded after each addition, as written) and its value when it has one. A value is
   * never NaN (it is finite or Infinity), so NaN stands for none.
   */
  addFlow(source: number, group: number, exporter: number, importer: number, year: number, quantity: number, unit: number, valueUsd: number | null): void {
    const pair = (exporter * COUNTRY_LIMIT + importer) | 0;
    const flow = this.flows.findOrAdd(this.slot(source, group, year), pair, unit, quantity, valueUsd ?? NaN);
    if (flow === -1) return;
    const value = this.flows.value(flow);
    const summed = valueUsd === null ? value : (Number.isNaN(value) ? 0 : value) + valueUsd;
    this.flows.setAmounts(flow, roundQuantity(this.flows.quantity(flow) + quantity), summed);
  }

  /** The slot of a source, material-stage and year (a Map: a year read from a file can be any number). */
  private slot(source: number, group: number, year: number): number {
    const bySource = this.slots[source] ?? [];
    let byYear = bySource[group];
    if (!byYear) bySource[group] = byYear = new Map();
    let slot = byYear.get(year);
    if (slot === undefined) {
      byYear.set(year, (slot = this.slotYear.length));
      this.slotSource.push(source);
      this.slotGroup.push(group);
      this.slotYear.push(year);
    }
    return slot;
  }

  /** The summed rows, source by source, in the order their flows first appeared. */
  rows(): TradeRow[] {
    const order = this.flowOrder();
    const rows: TradeRow[] = [];
    for (const flow of order) rows.push(this.row(flow));
    return rows;
  }

  /** The same rows as `rows()`, read by position: no object per row (see TradeRowColumns). */
  columns(): TradeRowColumns {
    const order = this.flowOrder();
    const slot = (row: number): number => this.flows.slot(order[row] ?? 0);
    const group = (row: number) => this.groupOf[this.slotGroup[slot(row)] ?? 0];
    return {
      length: order.length,
      material: (row) => group(row)?.material ?? '',
      stage: (row) => group(row)?.stage ?? 'mining',
      exporter: (row) => this.countries.values[this.flows.pair(order[row] ?? 0) >>> 16] ?? '',
      importer: (row) => this.countries.values[this.flows.pair(order[row] ?? 0) & 0xffff] ?? '',
      year: (row) => this.slotYear[slot(row)] ?? NaN,
      quantity: (row) => this.flows.quantity(order[row] ?? 0),
      unit: (row) => this.units.values[this.flows.unit(order[row] ?? 0)] ?? '',
      valueUsd: (row) => {
        const value = this.flows.value(order[row] ?? 0);
        return Number.isNaN(value) ? null : value;
      },
      source: (row) => this.sources.values[this.slotSource[slot(row)] ?? 0] ?? '',
    };
  }

  /** Flow numbers source by source, each source's in the order they first appeared. */
  private flowOrder(): Int32Array {
    const order = new Int32Array(this.flows.size);
    let at = 0;
    for (let source = 0; source < this.sources.values.length; source++) {
      for (let flow = 0; flow < this.flows.size; flow++) if (this.slotSource[this.flows.slot(flow)] === source) order[at++] = flow;
    }
    return order;
  }

  private row(flow: number): TradeRow {
    const slot = this.flows.slot(flow);
    const pair = this.flows.pair(flow);
    const group = this.groupOf[this.slotGroup[slot] ?? 0];
    const value = this.flows.value(flow);
    return {
      material: group?.material ?? '',
      stage: group?.stage ?? 'mining',
      exporter: this.countries.values[pair >>> 16] ?? '',
      importer: this.countries.values[pair & 0xffff] ?? '',
      year: this.slotYear[slot] ?? NaN,
      quantity: this.flows.quantity(flow),
      unit: this.units.values[this.flows.unit(flow)] ?? '',
      valueUsd: Number.isNaN(value) ? null : value,
      source: this.sources.values[this.slotSource[slot] ?? 0] ?? '',
    };
  }
}

/** Values given ids 0, 1, 2... in the order they are first seen. */
export class Interned<T> {
  private readonly ids = new Map<T, number>();
  readonly values: T[] = [];

  id(value: T): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      this.ids.set(value, (id = this.values.length));
      this.values.push(value);
    }
    return id;
  }
}
