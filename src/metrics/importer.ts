/**
 * The importer block: how one country's supply of a material at one stage depends on others.
 *
 * - supply S = P + I (own production plus imports); exports E.
 * - import reliance = (I - E) / (P + I - E), clamped to 0..1 (0 when P + I - E <= 0).
 * - suppliers: each source's quantity and share of S (the importer itself for P); supplier HHI over
 *   all sources; top supplier = the largest foreign source.
 * - origins: where the supply was mined, traced through re-exports (Kastner, see kastner.ts); at the
 *   refining stage each refiner's share is split further by that refiner's own mining-stage supply.
 * - GeoPolRisk (Gemechu et al. 2016; the geopolrisk-py package): (world HHI / 10000) x sum over the
 *   exporters of g x quantity / (P + I), g = clamp((2.5 - WGI) / 5, 0, 1). Domestic production only
 *   enlarges the denominator.
 */
import { UNATTRIBUTED } from '../input/countries.js';
import type { Stage } from '../input/fields.js';
import { compare, type SliceIndex } from '../graph/slices.js';
import { byQuantityDescending, herfindahl, type CountryShare } from './concentration.js';
import { traceOrigins } from './kastner.js';
import { productionYearFor } from './years.js';

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

export interface ImporterBlock {
  year: number;
  /** The production year used for P and for tracing (null when there is no production data). */
  productionYear: number | null;
  unit: string;
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
  /** Share of supply whose mine origin is unknown (exports beyond known supply, untraced refiners). */
  untracedShare: number;
  /** Null when the world block for this stage is missing. */
  geopolRisk: number | null;
  /**
   * The supply as (refiner, origin) paths, largest first. Made on first read: a refining stage with
   * many refiners and mines has thousands of paths, and only shock and trace read them.
   */
  readonly paths: OriginPath[];
  /**
   * Refining only: true when the data has no mining-stage trade in the block's year, so each
   * refiner's feed could only be its own mine output (origins then lean towards refining countries).
   */
  feedWithoutOreTrade: boolean;
}

export interface ImporterContext {
  index: SliceIndex;
  material: string;
  stage: Stage;
  importer: string;
  year: number;
  /** True when the user fixed the year: no other production year is paired with it. */
  strictYear: boolean;
  worldHhi: number | null;
}

export function importerBlock(context: ImporterContext): ImporterBlock | undefined {
  const { index, material, stage, importer, year, strictYear } = context;
  const flows = index.slice(material, stage, year)?.flows ?? [];
  const productionYear = productionYearFor(index, material, stage, year, strictYear);
  const production = productionYear === null ? new Map<string, number>() : (index.slice(material, stage, productionYear)?.production ?? new Map<string, number>());
  const own = production.get(importer) ?? 0;
  const importsBy = new Map<string, number>();
  let exports = 0;
  // forEach, not for-of: a cold for-of makes an iterator result per flow, and this runs once per block.
  flows.forEach((flow) => {
    if (flow.to === importer) importsBy.set(flow.from, (importsBy.get(flow.from) ?? 0) + flow.quantity);
    if (flow.from === importer) exports += flow.quantity;
  });
  const imports = [...importsBy.values()].reduce((total, quantity) => total + quantity, 0);
  const supply = own + imports;
  if (supply <= 0) return undefined;

  const suppliers = supplierShares(importer, own, importsBy, supply);
  const pathsOf = originPaths(context, productionYear);
  const feedWithoutOreTrade = stage === 'refining' && (index.slice(material, 'mining', year)?.flows.length ?? 0) === 0;
  const { origins, untracedShare } = summariseOrigins(pathsOf);
  const block: Omit<ImporterBlock, 'paths'> = {
    year,
    productionYear,
    unit: index.unit(material, stage) ?? '',
    production: own,
    imports,
    exports,
    supply,
    importReliance: importReliance(own, imports, exports),
    suppliers,
    supplierHhi: herfindahl(suppliers.filter((entry) => entry.country !== UNATTRIBUTED).map((entry) => entry.share)),
    topSupplier: largestForeign(suppliers, importer),
    origins,
    topOrigin: largestForeign(origins, importer),
    untracedShare,
    geopolRisk: context.worldHhi === null ? null : geopolRisk(context.worldHhi, importsBy, supply, (code) => index.country(code)?.governance ?? null),
    feedWithoutOreTrade,
  };
  // Traced again when read, rather than kept: the feeds behind thousands of paths would stay in memory
  // with every block of a report.
  let sorted: OriginPath[] | undefined;
  return Object.defineProperty(block, 'paths', {
    get: () => (sorted ??= sortedPaths(originPaths(context, productionYear))),
    enumerable: false,
  }) as ImporterBlock;
}

export function importReliance(production: number, imports: number, exports: number): number {
  const apparentUse = production + imports - exports;
  if (apparentUse <= 0) return 0;
  return Math.min(1, Math.max(0, (imports - exports) / apparentUse));
}

function supplierShares(importer: string, own: number, importsBy: Map<string, number>, supply: number): CountryShare[] {
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

export function geopolRisk(
  worldHhi: number,
  importsBy: ReadonlyMap<string, number>,
  supply: number,
  governance: (country: string) => number | null,
): number {
  let weighted = 0;
  for (const [exporter, quantity] of importsBy) weighted += geopolWeight(governance(exporter)) * quantity;
  return (worldHhi / 10000) * (weighted / supply);
}

/**
 * The importer's supply as (refiner, mine origin) paths. Mining stage: the Kastner mix of its own
 * mining-stage supply. Refining stage: the Kastner mix by refining country, each refiner split by its
 * own mining-stage supply mix of the same year; a refiner with no mining-stage data stays its own
 * origin, untraced.
 */
function originPaths(context: ImporterContext, productionYear: number | null): PathVisitor {
  const { index, material, stage, importer, year, strictYear } = context;
  const stageMix = stageOriginMix(index, material, stage, importer, year, productionYear);
  if (stage === 'mining') {
    return (visit) => {
      for (const { country, share, traced } of stageMix) visit(null, country, share, traced);
    };
  }
  const refiners = [...new Set(stageMix.map((entry) => entry.country))];
  const miningYear = productionYearFor(index, material, 'mining', year, strictYear);
  const miningProduction = miningYear === null ? new Map<string, number>() : (index.slice(material, 'mining', miningYear)?.production ?? new Map<string, number>());
  const miningFlows = index.slice(material, 'mining', year)?.flows ?? [];
  const feeds = traceOrigins(miningProduction, miningFlows, refiners);
  return (visit) => {
    for (const { country: refiner, share, traced } of stageMix) {
      const feed = feeds.get(refiner);
      if (!feed || feed.supply <= 0 || refiner === UNATTRIBUTED) {
        visit(refiner, refiner, share, false);
        continue;
      }
      // forEach, not for-of: no [key, value] array per entry in this hot loop.
      feed.traced.forEach((part, origin) => visit(refiner, origin, share * part, traced));
      feed.untraced.forEach((part, origin) => visit(refiner, origin, share * part, false));
    }
  };
}

/** Calls `visit` once per (refiner, origin) path, refiner by refiner (no path objects are made). */
type PathVisitor = (visit: (refiner: string | null, origin: string, share: number, traced: boolean) => void) => void;

function sortedPaths(pathsOf: PathVisitor): OriginPath[] {
  const paths: OriginPath[] = [];
  pathsOf((refiner, origin, share, traced) => paths.push({ refiner, origin, share, traced }));
  return paths.sort((a, b) => b.share - a.share || compare(a.refiner ?? '', b.refiner ?? '') || compare(a.origin, b.origin));
}

/** The Kastner mix of the importer's supply at one stage, as (country, share, traced) entries. */
function stageOriginMix(
  index: SliceIndex,
  material: string,
  stage: Stage,
  importer: string,
  year: number,
  productionYear: number | null,
): OriginShare[] {
  const production = productionYear === null ? new Map<string, number>() : (index.slice(material, stage, productionYear)?.production ?? new Map<string, number>());
  const flows = index.slice(material, stage, year)?.flows ?? [];
  const mix = traceOrigins(production, flows, [importer]).get(importer);
  if (!mix) return [];
  const entries: OriginShare[] = [];
  for (const [country, share] of mix.traced) entries.push({ country, share, traced: true });
  for (const [country, share] of mix.untraced) entries.push({ country, share, traced: false });
  return entries;
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
  return { origins, untracedShare };
}
