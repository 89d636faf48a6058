/**
 * The importer block: how one country's supply of a material at one stage depends on others, in one
 * year, from that year's data only.
 *
 * - supply S = P + I (own production plus imports); exports E.
 * - import reliance = (I - E) / (P + I - E), clamped to 0..1; 1 when P = 0 and I > 0 (a country that
 *   produces none of it relies wholly on imports, whatever it re-exports, as USGS's net import
 *   reliance reads "100%"), 0 when P + I - E <= 0 otherwise.
 * - suppliers: each source's quantity and share of S (the importer itself for P); supplier HHI over
 *   all sources; top supplier = the largest foreign source.
 * - origins: where the supply was mined, traced through re-exports (Kastner, see kastner.ts), as
 *   shares of S; at the refining stage each refiner's output is traced only as far as its ore feed
 *   reaches (see originPaths).
 * - GeoPolRisk (Gemechu et al. 2016; the geopolrisk-py package): (world HHI / 10000) x sum over the
 *   exporters of g x quantity / (P + I), g = clamp((2.5 - WGI) / 5, 0, 1), with the world HHI and
 *   the WGI scores of the block's year. Domestic production only enlarges the denominator.
 * - geopolrisk-py's characterisation factor: the mean import price p in USD per kg of traded product
 *   (gross weight: meanImportPricePerKg), the midpoint GeoPolRisk x p, and the CF = midpoint /
 *   0.409412948 (copper's midpoint, GEOPOLRISK_COPPER_MIDPOINT), in kg Cu-eq/kg.
 *
 * Unknown is never zero. Imports the data does not cover make the block's trade unknown (every
 * figure null). Own production is known when listed; between 0 and the unattributed remainder R
 * when the source lists producers and a remainder but not the importer; unknown when the stage
 * has no production data that year or the source withholds the figure. When P is not exactly
 * known, shares are of imports (`shareBase`), values that need P are null, and import reliance is
 * given as the range it takes over P (and over E when exports are not covered).
 */
import { UNATTRIBUTED } from '../domain/countries.js';
import type { CoverageExtent } from '../input/dataset.js';
import { upstreamOf, type Stage } from '../domain/fields.js';
import {
  chainGraph,
  chainNodeKey,
  feedSource,
  remembered,
  shipmentsTo,
  stageFlows,
  stageFullyCovered,
  stageProduction,
  tradeBalance,
  type ChainGraph,
} from '../graph/chain.js';
import { isGroupIndex } from '../graph/group-view.js';
import { asFlowColumns, compare, type Flow, type FlowColumns, type SliceIndex, type TradeFlows } from '../graph/slices.js';
import { byQuantityDescending, governanceRange, herfindahl, type CountryShare } from './concentration.js';
import { traceOrigins, traceOriginShares, type OriginShares } from './kastner.js';

export interface OriginShare {
  country: string;
  share: number;
  /** False when some of this share could not be traced to mine production (see README). */
  traced: boolean;
}

/** One path of the importer's supply: mined in `origin`, refined in `refiner` (null at the mining stage). */
export interface OriginPath {
  refiner: string | null;
  origin: string;
  share: number;
  traced: boolean;
}

/** What a block cannot know: its trade (imports not covered), its exports, or its own production. */
export type UnknownPart = 'trade' | 'exports' | 'production';

/**
 * How the importer's own production is known: `reported` (a figure), `unlisted` (the source lists
 * producers and an unattributed remainder, not this country: between 0 and the remainder), `absent`
 * (the source lists producers with no remainder and not this country: 0), `withheld` (USGS `W`),
 * `missing` (no production data for this stage and year).
 */
export type ProductionStatus = 'reported' | 'unlisted' | 'absent' | 'withheld' | 'missing';

/** The importer's exposure at one assumed own production P: every figure exact. */
export interface Exposure {
  production: number;
  imports: number;
  exports: number;
  supply: number;
  importReliance: number;
  suppliers: CountryShare[];
  supplierHhi: number;
  topSupplier: CountryShare | null;
  origins: OriginShare[];
  topOrigin: OriginShare | null;
  /** Share of supply whose mine origin is unknown (exports beyond known supply, refining beyond the ore feed). */
  untracedShare: number;
  /** True when the importer exports more than it has (E > P + I): origins are still shares of S. */
  exportsExceedSupply: boolean;
  /** The supply as (refiner, origin) paths, largest first; made on first read (only shock and trace read them). */
  readonly paths: OriginPath[];
}

export interface ImporterBlock {
  year: number;
  unit: string;
  /** What is unknown, empty when everything the block prints rests on data. */
  unknown: UnknownPart[];
  /** Why, one sentence each. */
  reasons: string[];
  coverage: { imports: CoverageExtent | null; exports: CoverageExtent | null };
  productionStatus: ProductionStatus;
  /** Own production: exact when low === high; high null when it has no known bound. */
  productionRange: [number, number | null];
  production: number | null;
  imports: number | null;
  exports: number | null;
  supply: number | null;
  importReliance: number | null;
  /** [low, high] over what is not known; equal ends when known; null when trade is unknown. */
  importRelianceRange: [number, number] | null;
  /** `supply` when P is known exactly (shares of P + I), else `imports` (shares of I). */
  shareBase: 'supply' | 'imports';
  suppliers: CountryShare[];
  supplierHhi: number | null;
  topSupplier: CountryShare | null;
  origins: OriginShare[];
  topOrigin: OriginShare | null;
  untracedShare: number | null;
  exportsExceedSupply: boolean | null;
  /** Null when P is not exactly known, the world production of the block's year is missing, or a supplier has no governance score. */
  geopolRisk: number | null;
  /** GeoPolRisk over the suppliers' missing governance scores (GOVERNANCE_SCALE); null where geopolRisk is null for another reason. */
  geopolRiskRange: [number, number] | null;
  /** Years of the WGI scores GeoPolRisk used, where older than the block's year (WGI ends earlier). */
  governanceYears: number[];
  /** Import unit values from the rows' value_usd (USD per unit of the block); null when trade is unknown. */
  unitValues: UnitValues | null;
  /**
   * Mean import price in USD per kg of traded product, gross weight (meanImportPricePerKg); null when
   * trade is unknown, no import carries a value_usd, or the unit is not a mass.
   */
  meanImportPriceUsdPerKg: number | null;
  /** geopolrisk-py's GeoPolRisk midpoint: geopolRisk x meanImportPriceUsdPerKg (USD/kg); null when either is null. */
  geopolRiskMidpoint: number | null;
  /** geopolrisk-py's characterisation factor (GSP, kg Cu-eq/kg): the midpoint / GEOPOLRISK_COPPER_MIDPOINT; null with it. */
  geopolRiskCf: number | null;
  /** The exact picture at the lowest own production (P, or 0 when not known); null when trade is unknown. */
  low: Exposure | null;
  /** The exact picture at the highest own production; null when unbounded or trade is unknown. */
  high: Exposure | null;
}

/**
 * What a tonne costs, from trade values: USD per unit of quantity, each over the rows that carry a
 * value_usd (quantities without one are left out of both sums). An estimate from customs unit values,
 * not a market price.
 */
export interface UnitValues {
  /** The importer's imports from each supplier. */
  importsFrom: ReadonlyMap<string, number>;
  /** Each exporter's recorded shipments of this material and stage in the year, to every destination. */
  exportsOf: ReadonlyMap<string, number>;
  /** All the importer's imports with a value; null when none has one. */
  meanImport: number | null;
}

export interface ImporterContext {
  index: SliceIndex;
  material: string;
  stage: Stage;
  importer: string;
  year: number;
  /** HHI of world production at this stage in the block's year; null when there is none. */
  worldHhi: number | null;
}

export function importerBlock(context: ImporterContext): ImporterBlock {
  const { index, material, stage, importer, year } = context;
  const coverage = {
    imports: index.coverage.extent(material, stage, importer, year, 'import'),
    exports: index.coverage.extent(material, stage, importer, year, 'export'),
  };
  const own = ownProduction(index, material, stage, importer, year);
  const reasons: string[] = [];
  const unknown: UnknownPart[] = [];
  const name = `${importer}'s ${material} ${stage}`;
  if (coverage.imports === null) {
    unknown.push('trade');
    reasons.push(`no source in the data covers ${name} imports in ${year}`);
  } else if (coverage.imports === 'partial') {
    reasons.push(`${name} imports in ${year} are partly covered (not every product of this stage was read): imports are a lower bound`);
  }
  if (coverage.imports !== null && coverage.exports === null) {
    unknown.push('exports');
    reasons.push(`${name} exports in ${year} are not covered: only the recorded exports are known`);
  }
  if (own.status !== 'reported' && own.status !== 'absent') {
    unknown.push('production');
    reasons.push(productionReason(own.status, name, year, own.low, own.high));
  }
  const unit = index.unit(material, stage) ?? '';
  if (coverage.imports === null) return unknownTrade(context, { unit, unknown, reasons, coverage, own });

  const trade = tradeOf(index.slice(material, stage, year)?.columns ?? asFlowColumns([]), importer);
  const low = exposureAt(context, trade, own.low);
  const exact = own.high === own.low;
  const high = exact ? low : own.high === null ? null : exposureAt(context, trade, own.high);
  // S = P + I is known only when both are: partly covered imports are a lower bound, so shares of S,
  // the supplier HHI and GeoPolRisk would rest on the part not read. Shares are then of the recorded
  // imports (the picture at P = 0), as when P is not known.
  const supplyKnown = exact && coverage.imports === 'full';
  const shown = supplyKnown || own.low === 0 ? low : exposureAt(context, trade, 0);
  const exportsKnown = coverage.exports !== null;
  // Partly covered trade is a lower bound: more exports lower reliance, more imports raise it (to 1).
  const [rangeLow, rangeHigh] = relianceRange(own.low, own.high, trade.imports, trade.exports, coverage.exports === 'full');
  const range: [number, number] = [rangeLow, coverage.imports === 'partial' ? 1 : rangeHigh];
  const governanceYears = new Set<number>();
  // A group's imports from its own members stay in the denominator with weight 0 (geopolrisk-py's regional rule).
  const intraGroup = isGroupIndex(index) ? index.intraGroupImports(material, stage, year) : 0;
  const worldHhi = context.worldHhi;
  const geopol =
    supplyKnown && worldHhi !== null
      ? governanceRange(
          (score) => geopolRisk(worldHhi, trade.importsBy, low.supply + intraGroup, score),
          (code) => {
            const score = index.governance(code, year);
            if (score?.year != null && score.year !== year) governanceYears.add(score.year);
            return score?.value ?? null;
          },
          [...trade.importsBy].filter(([, quantity]) => quantity > 0).map(([code]) => code),
        )
      : null;
  if (geopol && geopol.unscored.length > 0) {
    reasons.push(
      `no governance score for ${geopol.unscored.join(', ')} in ${year}: GeoPolRisk lies between ${geopol.low.toFixed(3)} and ${geopol.high.toFixed(3)}`,
    );
  }
  // Where nothing is traced to a mine, the countries the origins stop at are no mine origins: the
  // block's top origin is unknown (null), with the reason; `origins` still say where tracing stopped.
  const untraced = nothingTraced(shown);
  if (untraced) reasons.push(untracedReason(stage, name, year));
  return withCharacterisation({
    year,
    unit,
    unknown,
    reasons,
    coverage,
    productionStatus: own.status,
    productionRange: [own.low, own.high],
    production: exact ? own.low : null,
    imports: trade.imports,
    exports: exportsKnown ? trade.exports : null,
    supply: supplyKnown ? low.supply : null,
    importReliance: range[0] === range[1] ? range[0] : null,
    importRelianceRange: range,
    shareBase: supplyKnown ? 'supply' : 'imports',
    // At P = 0 the shares of S are shares of imports: the base the block uses when S is not known.
    suppliers: shown.suppliers,
    supplierHhi: supplyKnown ? low.supplierHhi : null,
    topSupplier: shown.topSupplier,
    origins: shown.origins,
    topOrigin: untraced ? null : shown.topOrigin,
    untracedShare: shown.untracedShare,
    exportsExceedSupply: supplyKnown && exportsKnown ? low.exportsExceedSupply : null,
    geopolRisk: geopol && geopol.unscored.length === 0 ? geopol.low : null,
    geopolRiskRange: geopol ? [geopol.low, geopol.high] : null,
    governanceYears: [...governanceYears].sort((a, b) => a - b),
    unitValues: unitValuesOf(trade.flows, importer),
    meanImportPriceUsdPerKg: meanImportPricePerKg(trade.flows, importer, unit, isGroupIndex(index) ? index.intraGroupFlows(material, stage, year) : []),
    low,
    high,
  });
}

/**
 * geopolrisk-py v2's reference: "Average CF of copper for OECD countries for a period from 2017 -
 * 2021" (src/geopolrisk/assessment/core.py, GeoPolRisk(): CF_Cu = 0.409412948; CF = Score x Price /
 * CF_Cu), a GeoPolRisk midpoint in USD/kg. Its docs (docs/background.rst, Equation 3) describe the
 * divisor as copper's midpoint for the same economic unit and year; the code uses this one constant.
 */
export const GEOPOLRISK_COPPER_MIDPOINT = 0.409412948;

/** kg per unit of quantity: 1000 for tonnes (`t`, `t gross`), 1 for `kg`; null for any other unit. */
export function kgPerUnit(unit: string): number | null {
  if (unit === 't' || unit === 't gross') return 1000;
  if (unit === 'kg') return 1;
  return null;
}

/**
 * The mean price of the importer's imports in USD per kg of traded product, as geopolrisk-py takes
 * it (utils.py aggregateTrade: Price = sum of the import values / sum of the import quantities, BACI's
 * thousand USD over tonnes of product, i.e. USD/kg gross weight): sum of value_usd over the gross weight
 * of the same flows. A flow's gross weight is its quantity where no content factor converted it, else
 * the weight trade-gross.csv records (Flow.grossQuantity). Flows without a value_usd are left out of
 * both sums, and so is a converted flow only part of whose rows carry one (the gross weight of that
 * part is not known). `extra`: a group's imports between its members, which geopolrisk-py's regional
 * price counts. Null when no import has a value (geopolrisk-py writes 0 there: unknown is not 0 here)
 * or the unit is not a mass.
 */
export function meanImportPricePerKg(trade: TradeFlows, importer: string, unit: string, extra: readonly Flow[] = []): number | null {
  const kg = kgPerUnit(unit);
  if (kg === null) return null;
  let usd = 0;
  let gross = 0;
  const add = (flows: FlowColumns, k: number): void => {
    const valued = flows.valuedQuantity[k]!;
    const value = flows.valueUsd[k]!;
    if (Number.isNaN(value) || !(valued > 0)) return;
    const quantity = flows.quantity[k]!;
    const converted = flows.grossQuantity?.[k] ?? Number.NaN;
    const whole = valued >= quantity * (1 - 1e-9);
    if (!whole && !Number.isNaN(converted)) return;
    usd += value;
    gross += whole ? (Number.isNaN(converted) ? quantity : converted) : valued;
  };
  const flows = asFlowColumns(trade);
  const id = flows.idOf(importer);
  const { to } = flows;
  const length = flows.valued === false ? 0 : flows.length;
  for (let k = 0; k < length; k += 1) if (to[k] === id) add(flows, k);
  const others = asFlowColumns(extra);
  for (let k = 0; k < others.length; k += 1) add(others, k);
  return gross > 0 ? usd / (gross * kg) : null;
}

/** The block with geopolrisk-py's midpoint and characterisation factor (see GEOPOLRISK_COPPER_MIDPOINT). */
function withCharacterisation(block: Omit<ImporterBlock, 'geopolRiskMidpoint' | 'geopolRiskCf'>): ImporterBlock {
  const price = block.meanImportPriceUsdPerKg;
  const midpoint = block.geopolRisk === null || price === null ? null : block.geopolRisk * price;
  return { ...block, geopolRiskMidpoint: midpoint, geopolRiskCf: midpoint === null ? null : midpoint / GEOPOLRISK_COPPER_MIDPOINT };
}

export function unitValuesOf(trade: TradeFlows, importer: string): UnitValues {
  // One pass, sums in flow order: value and valued quantity by supplier (imports) and by exporter.
  const importValue = new Map<string, number>();
  const importQuantity = new Map<string, number>();
  const exportValue = new Map<string, number>();
  const exportQuantity = new Map<string, number>();
  let allValue = 0;
  let allQuantity = 0;
  let anyImport = false;
  const add = (value: Map<string, number>, quantity: Map<string, number>, at: string, usd: number, valued: number): void => {
    value.set(at, (value.get(at) ?? 0) + usd);
    quantity.set(at, (quantity.get(at) ?? 0) + valued);
  };
  const flows = asFlowColumns(trade);
  const id = flows.idOf(importer);
  // Columns in locals: the hot loops of a block read them once per flow.
  const { codes, from: fromOf, to, valueUsd, valuedQuantity } = flows;
  const length = flows.valued === false ? 0 : flows.length;
  for (let k = 0; k < length; k += 1) {
    const usd = valueUsd[k]!;
    const valued = valuedQuantity[k]!;
    if (Number.isNaN(usd) || !(valued > 0)) continue;
    const from = codes[fromOf[k]!] ?? '';
    if (to[k] === id) {
      anyImport = true;
      allValue += usd;
      allQuantity += valued;
      add(importValue, importQuantity, from, usd, valued);
    }
    add(exportValue, exportQuantity, from, usd, valued);
  }
  const perUnit = (value: Map<string, number>, quantity: Map<string, number>): Map<string, number> => {
    value.forEach((usd, at) => value.set(at, usd / (quantity.get(at) ?? 1)));
    return value;
  };
  return {
    importsFrom: perUnit(importValue, importQuantity),
    exportsOf: perUnit(exportValue, exportQuantity),
    meanImport: anyImport ? allValue / allQuantity : null,
  };
}

function unknownTrade(
  context: ImporterContext,
  known: { unit: string; unknown: UnknownPart[]; reasons: string[]; coverage: ImporterBlock['coverage']; own: OwnProduction },
): ImporterBlock {
  const { own } = known;
  return {
    year: context.year,
    unit: known.unit,
    unknown: known.unknown,
    reasons: known.reasons,
    coverage: known.coverage,
    productionStatus: own.status,
    productionRange: [own.low, own.high],
    production: own.high === own.low ? own.low : null,
    imports: null,
    exports: null,
    supply: null,
    importReliance: null,
    importRelianceRange: null,
    shareBase: 'imports',
    suppliers: [],
    supplierHhi: null,
    topSupplier: null,
    origins: [],
    topOrigin: null,
    untracedShare: null,
    exportsExceedSupply: null,
    geopolRisk: null,
    geopolRiskRange: null,
    governanceYears: [],
    unitValues: null,
    meanImportPriceUsdPerKg: null,
    geopolRiskMidpoint: null,
    geopolRiskCf: null,
    low: null,
    high: null,
  };
}

interface OwnProduction {
  status: ProductionStatus;
  low: number;
  high: number | null;
}

/** The importer's own production at this stage and year, as exactly as the data give it. */
export function ownProduction(index: SliceIndex, material: string, stage: Stage, country: string, year: number): OwnProduction {
  if (isGroupIndex(index) && country === index.group.tag) return index.ownProduction(material, stage, year);
  const slice = index.slice(material, stage, year);
  const listed = slice?.production.get(country);
  if (listed !== undefined) return { status: 'reported', low: listed, high: listed };
  if (slice?.withheld.includes(country)) return { status: 'withheld', low: 0, high: null };
  if (!slice || slice.production.size === 0) return { status: 'missing', low: 0, high: null };
  const remainder = slice.production.get(UNATTRIBUTED) ?? 0;
  // Another country's withheld figure could also hide this country's: no bound then.
  if (slice.withheld.length > 0) return { status: 'unlisted', low: 0, high: null };
  return remainder > 0 ? { status: 'unlisted', low: 0, high: remainder } : { status: 'absent', low: 0, high: 0 };
}

function productionReason(status: ProductionStatus, name: string, year: number, low: number, high: number | null): string {
  if (status === 'withheld') return `${name} production in ${year} is withheld by the source`;
  if (status === 'missing') return `the data has no ${name.replace(/^[A-Z0-9]+'s /, '')} production for ${year}`;
  if (high === null) return `${name} production in ${year} is not listed, and another producer's figure is withheld`;
  if (low > 0)
    return `${name} production in ${year} is between ${formatTonnes(low)} (its listed members) and ${formatTonnes(high)} (with the unattributed remainder)`;
  return `${name} production in ${year} is not listed: between 0 and the ${formatTonnes(high)} the source leaves unattributed`;
}

/**
 * value.toLocaleString('en-US', { maximumFractionDigits: 1 }), without Intl for the usual values: the
 * first Intl formatter of a process loads the locale data, which the JSON report otherwise never
 * needs. Intl rounds the shortest decimal form of the number (what String() gives) half away from
 * zero at one decimal and groups thousands with commas; negative, huge, non-finite and exponent-form
 * values go to Intl itself (tests/metrics/format-tonnes.test.ts compares the two).
 */
export function formatTonnes(value: number): string {
  const text = String(value);
  if (!(value >= 0 && value < 2 ** 53) || Object.is(value, -0) || text.includes('e')) {
    return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  }
  const dot = text.indexOf('.');
  let whole = dot === -1 ? text : text.slice(0, dot);
  let tenth = dot === -1 ? 0 : text.charCodeAt(dot + 1) - 48;
  // The hundredths digit decides; a 5 rounds up (half away from zero), whatever follows it.
  if (dot !== -1 && text.length > dot + 2 && text.charCodeAt(dot + 2) >= 53) {
    tenth += 1;
    if (tenth === 10) {
      tenth = 0;
      whole = String(BigInt(whole) + 1n);
    }
  }
  let grouped = whole.slice(0, ((whole.length - 1) % 3) + 1);
  for (let at = grouped.length; at < whole.length; at += 3) grouped += `,${whole.slice(at, at + 3)}`;
  return tenth === 0 ? grouped : `${grouped}.${tenth}`;
}

interface TradeOf {
  flows: FlowColumns;
  importsBy: Map<string, number>;
  imports: number;
  exports: number;
}

function tradeOf(flows: FlowColumns, importer: string): TradeOf {
  const importsBy = new Map<string, number>();
  let exports = 0;
  const id = flows.idOf(importer);
  const { codes, from, to, quantity } = flows;
  if (id !== -1) {
    for (let k = 0; k < flows.length; k += 1) {
      if (to[k] === id) {
        const exporter = codes[from[k]!] ?? '';
        importsBy.set(exporter, (importsBy.get(exporter) ?? 0) + quantity[k]!);
      }
      if (from[k] === id) exports += quantity[k]!;
    }
  }
  let imports = 0;
  importsBy.forEach((quantity) => (imports += quantity));
  return { flows, importsBy, imports, exports };
}

/** The exact exposure if the importer's own production were `production`. */
function exposureAt(context: ImporterContext, trade: TradeOf, production: number): Exposure {
  const { importer } = context;
  const supply = production + trade.imports;
  const suppliers = supplierShares(importer, production, trade.importsBy, supply);
  const pathsOf = originPaths(context, production, supply);
  const { origins, untracedShare } = summariseOrigins(pathsOf);
  const exposure: Omit<Exposure, 'paths'> = {
    production,
    imports: trade.imports,
    exports: trade.exports,
    supply,
    importReliance: importReliance(production, trade.imports, trade.exports),
    suppliers,
    supplierHhi: herfindahl(suppliers.filter((entry) => entry.country !== UNATTRIBUTED).map((entry) => entry.share)),
    topSupplier: largestForeign(suppliers, importer),
    origins,
    topOrigin: largestForeign(origins, importer),
    untracedShare,
    exportsExceedSupply: trade.exports > supply,
  };
  // Traced again when read, rather than kept: the feeds behind thousands of paths would stay in memory
  // with every block of a report.
  let sorted: OriginPath[] | undefined;
  return Object.defineProperty(exposure, 'paths', {
    get: () => (sorted ??= sortedPaths(originPaths(context, production, supply))),
    enumerable: false,
  }) as Exposure;
}

export function importReliance(production: number, imports: number, exports: number): number {
  if (production === 0 && imports > 0) return 1;
  const apparentUse = production + imports - exports;
  if (apparentUse <= 0) return 0;
  return Math.min(1, Math.max(0, (imports - exports) / apparentUse));
}

/**
 * Reliance over what is not known. It falls as P rises and as E rises, so the high end takes the
 * lowest P and the recorded exports, the low end the highest P and, when exports are not covered,
 * any exports at all (E without bound).
 */
export function relianceRange(low: number, high: number | null, imports: number, exports: number, exportsKnown: boolean): [number, number] {
  const top = importReliance(low, imports, exports);
  let bottom: number;
  if (high === null) bottom = 0;
  else if (!exportsKnown) bottom = high === 0 && imports > 0 ? 1 : 0;
  else bottom = importReliance(high, imports, exports);
  return [Math.min(bottom, top), top];
}

function supplierShares(importer: string, own: number, importsBy: Map<string, number>, supply: number): CountryShare[] {
  if (supply <= 0) return [];
  const entries: CountryShare[] = [...importsBy].map(([country, quantity]) => ({ country, quantity, share: quantity / supply }));
  if (own > 0) entries.push({ country: importer, quantity: own, share: own / supply });
  return entries.sort(byQuantityDescending);
}

function largestForeign<T extends { country: string; share: number }>(entries: readonly T[], importer: string): T | null {
  let best: T | null = null;
  for (const entry of entries) {
    if (entry.country === importer || entry.country === UNATTRIBUTED) continue;
    if (!best || entry.share > best.share || (entry.share === best.share && compare(entry.country, best.country) < 0)) best = entry;
  }
  return best;
}

/** Governance weight of the GeoPolRisk method: clamp((2.5 - WGI) / 5, 0, 1); a missing score counts as 0. */
export function geopolWeight(governance: number | null): number {
  return Math.min(1, Math.max(0, (2.5 - (governance ?? 0)) / 5));
}

export function geopolRisk(worldHhi: number, importsBy: ReadonlyMap<string, number>, supply: number, governance: (country: string) => number | null): number {
  if (supply <= 0) return 0;
  let weighted = 0;
  for (const [exporter, quantity] of importsBy) weighted += geopolWeight(governance(exporter)) * quantity;
  return (worldHhi / 10000) * (weighted / supply);
}

/** Calls `visit` once per (refiner, origin) path, refiner by refiner (no path objects are made). */
type PathVisitor = (visit: (refiner: string | null, origin: string, share: number, traced: boolean) => void) => void;

/**
 * The importer's supply S as (processor, mine origin) paths, in shares of S, read from the chain
 * graph of the material and year (graph/chain.ts).
 * - Mining stage: the Kastner mix of its mining-stage supply.
 * - A processing stage (refining, magnet): the Kastner mix by producing country; each producer's
 *   output is traced through its feed edge to its supply of the stage before, F (its own output of
 *   that stage plus its covered imports, less its exports, in the block's year), only as far as F
 *   reaches: a producer that makes R > F has F / R of its output split by its feed's origin mix and
 *   the rest untraced under the producer (F >= R: all of it split by the mix). The feed's mix is
 *   itself traced the same way until the mines (magnet -> refining -> mining). A producer without a
 *   production figure stays its own origin, untraced. The processor of a path is the producer
 *   nearest the importer (the refiner at the refining stage, the magnet maker at the magnet stage).
 */
function originPaths(context: ImporterContext, production: number, supply: number): PathVisitor {
  const { index, material, stage, importer, year } = context;
  const chain = chainGraph(index, material, year);
  const stageMix = stageOriginMix(chain, stage, importer, production, supply);
  if (upstreamOf(stage) === null) {
    return (visit) => {
      for (const { country, share, traced } of stageMix) visit(null, country, share, traced);
    };
  }
  const own = (country: string): number | undefined => (country === importer ? production : undefined);
  return (visit) => {
    for (const { country: producer, share, traced } of stageMix) {
      traceProducer(chain, stage, producer, share, traced, own, (origin, part, isTraced) => visit(producer, origin, part, isTraced));
    }
  };
}

/**
 * Splits `share` of what `producer` makes at `stage` into mine origins (see originPaths), calling
 * `visit` per origin. `own` overrides a country's production at this stage (the importer's assumed
 * own output when the data give a range).
 */
function traceProducer(
  chain: ChainGraph,
  stage: Stage,
  producer: string,
  share: number,
  traced: boolean,
  own: (country: string) => number | undefined,
  visit: (origin: string, share: number, traced: boolean) => void,
): void {
  const up = upstreamOf(stage);
  if (up === null) {
    visit(producer, share, traced);
    return;
  }
  const node = chainNodeKey(stage, producer);
  const made = own(producer) ?? (chain.hasNode(node) ? chain.getNodeAttribute(node, 'production') : null) ?? 0;
  const feed = traced && producer !== UNATTRIBUTED ? feedOf(chain, stage, producer) : null;
  if (!feed || feed.fed <= 0 || made <= 0) {
    visit(producer, share, false);
    return;
  }
  const reach = Math.min(1, feed.fed / made);
  const none = (): undefined => undefined;
  // In the order of OriginMix's maps (kastner.ts mixOf): traced shares, untraced ones (the target's
  // own remainder at its entry, or last when it has no other), each as share * reach * part.
  const { countries, traced: tracedShares, untraced: untracedShares, remainder, target } = feed.mix;
  const scaled = share * reach;
  for (let o = 0; o < countries.length; o += 1) {
    if (tracedShares[o]! > 0) traceProducer(chain, up, countries[o]!, scaled * tracedShares[o]!, true, none, visit);
  }
  for (let o = 0; o < countries.length; o += 1) {
    const part = o === target && remainder > 0 && untracedShares[o]! > 0 ? untracedShares[o]! + remainder : untracedShares[o]!;
    if (part > 0) visit(countries[o]!, scaled * part, false);
  }
  if (remainder > 0 && !(untracedShares[target]! > 0)) visit(countries[target]!, scaled * remainder, false);
  if (reach < 1) visit(producer, share * (1 - reach), false);
}

interface Feed {
  /** The stage before, kept at home: own output + covered imports - exports (>= 0). */
  fed: number;
  /** Its origin mix at that stage (fractions of the producer's supply there). */
  mix: OriginShares;
}

/**
 * What feeds a producer's output at `stage`: its node one stage up, reached through its feed edge,
 * with that node's trade sums counting only imports the data covers, and its Kastner mix (feedMix).
 */
function feedOf(chain: ChainGraph, stage: Stage, producer: string): Feed | null {
  const source = feedSource(chain, stage, producer);
  if (!source) return null;
  const up = source.stage;
  const mix = feedMix(chain, up, producer);
  const coveredOnly = !stageFullyCovered(chain, up);
  const { inflow, outflow } = tradeBalance(chain, up, producer, { coveredOnly });
  return { fed: Math.max(0, (source.production ?? 0) + inflow - outflow), mix };
}

/**
 * The Kastner mix of one country's supply at a stage, over the stage's covered flows, kept with the
 * chain graph. Worked out for the producers a walk reaches only: the system is factorised once
 * (kastner.ts keeps it by its inputs) and each mix is one solve.
 */
function feedMix(chain: ChainGraph, stage: Stage, producer: string): OriginShares {
  return remembered(chain, `feed mix|${stage}|${producer}`, () => {
    const flows = stageFlows(chain, stage, { coveredOnly: !stageFullyCovered(chain, stage) });
    return traceOriginShares(stageProduction(chain, stage), flows, producer);
  });
}

function sortedPaths(pathsOf: PathVisitor): OriginPath[] {
  const paths: OriginPath[] = [];
  pathsOf((refiner, origin, share, traced) => paths.push({ refiner, origin, share, traced }));
  return paths.sort((a, b) => b.share - a.share || compare(a.refiner ?? '', b.refiner ?? '') || compare(a.origin, b.origin));
}

/**
 * The Kastner mix of the importer's supply at one stage, as shares of S = P + I, from the chain
 * graph's nodes and trade edges of that stage. The importer's own production is set to
 * `production` (its assumed value when the data give a range). When it exports more than it has,
 * Kastner's supply is its exports; the excess is then taken out again, so the shares stay shares
 * of S, and its own untraced part is what is left.
 */
function stageOriginMix(chain: ChainGraph, stage: Stage, importer: string, production: number, supply: number): OriginShare[] {
  if (supply <= 0) return [];
  const listed = stageProduction(chain, stage);
  if (listed.size === 0) return shipperMix(chain, stage, importer, production, supply);
  const withOwn = (listed.get(importer) ?? 0) === production ? listed : new Map(listed).set(importer, production);
  const mix = traceOrigins(withOwn, stageFlows(chain, stage), [importer]).get(importer);
  if (!mix || mix.supply <= 0) return [];
  const scale = mix.supply / supply;
  const excess = Math.max(0, mix.supply - supply) / supply;
  const entries: OriginShare[] = [];
  for (const [country, share] of mix.traced) entries.push({ country, share: share * scale, traced: true });
  for (const [country, share] of mix.untraced) {
    const scaled = share * scale - (country === importer ? excess : 0);
    if (scaled > 1e-12) entries.push({ country, share: scaled, traced: false });
  }
  return entries;
}

/**
 * A stage without a single production figure in the year (no world block): Kastner's tracing
 * through re-exports would take every country's unknown output for zero and credit whatever a
 * shipper sends on to whoever shipped to it. Unknown is not zero: each shipper is taken as the
 * maker of what it ships, untraced, and the importer's own output as its own.
 */
function shipperMix(chain: ChainGraph, stage: Stage, importer: string, production: number, supply: number): OriginShare[] {
  const entries: OriginShare[] = production > 0 ? [{ country: importer, share: production / supply, traced: upstreamOf(stage) === null }] : [];
  shipmentsTo(chain, stage, importer).forEach((quantity, shipper) => {
    if (quantity > 0) entries.push({ country: shipper, share: quantity / supply, traced: false });
  });
  return entries;
}

/**
 * True when some supply has origins but none of it is traced to a mine (untracedShare 1, to
 * rounding): the origins are only where tracing stopped. One rule for the block, gaps and renderers.
 */
export function nothingTraced(exposure: { origins: readonly unknown[]; untracedShare: number | null }): boolean {
  return exposure.origins.length > 0 && exposure.untracedShare !== null && exposure.untracedShare >= 1 - 1e-12;
}

/** Why no share of a block's supply reaches a mine. */
function untracedReason(stage: Stage, name: string, year: number): string {
  if (upstreamOf(stage) === null) return `none of ${name} supply in ${year} is traced to a mine: its shippers' own output is not in the data`;
  return `none of ${name} supply in ${year} is traced to a mine: its ${stage} producers have no production figure or no feed from the stage before in the data`;
}

/** Origins summed over the paths in the visitor's order (refiner by refiner: a fixed order). */
function summariseOrigins(pathsOf: PathVisitor): { origins: OriginShare[]; untracedShare: number } {
  const byCountry = new Map<string, OriginShare>();
  let untracedShare = 0;
  pathsOf((_refiner, origin, share, traced) => {
    let entry = byCountry.get(origin);
    if (!entry) byCountry.set(origin, (entry = { country: origin, share: 0, traced: true }));
    entry.share += share;
    entry.traced &&= traced;
    if (!traced) untracedShare += share;
  });
  const origins = [...byCountry.values()].sort((a, b) => b.share - a.share || compare(a.country, b.country));
  // Summed shares can pass 1 by rounding: a share stays a share.
  return { origins, untracedShare: Math.min(1, Math.max(0, untracedShare)) };
}
