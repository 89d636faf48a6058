/**
 * Year-by-year series per material and stage: world HHI, the top producer's share, the importer's
 * import reliance, its top supplier's share and its top mine origin's share.
 *
 * Each year is analysed on its own with `analyseStage` and a fixed year (the same blocks as
 * `report --year Y`): production and trade of that year only, never paired with another year.
 * A year without the data a value needs is a gap (null), never a zero:
 * - world HHI and top producer: no production figures for that year;
 * - reliance and top supplier: the data has no trade rows for the material and stage that year (the
 *   importer's side is unknown, not zero), or the importer neither imports nor produces;
 * - top origin: also a gap when the origins cannot be traced that year (no production figures at
 *   the stage; at the refining stage, no mine production or no ore trade figures either).
 * Rolling means (`average` N > 1): the value at year Y is the mean of the values present in
 * Y-N+1..Y, shown only where Y itself has a value and at least ceil(N/2) of the N years do; a gap
 * stays a gap. Countries (top producer, supplier, origin) stay those of year Y itself.
 * Change over the period: last present value minus first present value of the series shown.
 *
 * Sources: each point names the publisher of that year's world production rows (production.csv's
 * `source`, the text before its first comma, such as "World Mining Data 2024" or "USGS MCS 2024"),
 * and the first year with production figures whose publication differs from that of the year with
 * figures before it carries `sourceChanged` (from, to): a step there may be the sources' (World
 * Mining Data and USGS count DR Congo's 2022 cobalt as 115,371 t and 144,000 t), not the market's.
 * A new edition of the same publication (USGS MCS 2024 -> 2025) is not a change of source.
 */
import type { Stage } from '../domain/fields.js';
import { sliceIndex } from '../graph/slices.js';
import { productionKey, type SupplyGraph } from '../graph/supply-graph.js';
import { analyseStage } from './analysis.js';

export const SERIES = ['worldHhi', 'topProducerShare', 'importReliance', 'topSupplierShare', 'topOriginShare'] as const;
export type SeriesName = (typeof SERIES)[number];

export interface TrendPoint {
  year: number;
  worldHhi: number | null;
  topProducer: string | null;
  topProducerShare: number | null;
  importReliance: number | null;
  /** [low, high] when import reliance is only known as a range (own production unknown, imports partly covered); null without a block. */
  importRelianceRange: [number, number] | null;
  topSupplier: string | null;
  topSupplierShare: number | null;
  topOrigin: string | null;
  topOriginShare: number | null;
  /** The base of the importer's shares that year: P + I, or imports alone when P is not exactly known; null without a block. */
  shareBase: 'supply' | 'imports' | null;
  /** Publisher of the year's world production rows ("; " between several); null without production rows or sources. */
  productionSource: string | null;
  /** On the first year whose world production comes from another publication than the year with figures before it. */
  sourceChanged: SourceChange | null;
}

/** A world production series that changes source: the publishers of the year before (with figures) and of this year. */
export interface SourceChange {
  from: string;
  to: string;
}

export interface StageTrend {
  unit: string;
  /** One point per year from the first to the last year with data (within from..to), gaps included. */
  points: TrendPoint[];
  /** Last minus first present value of each series (null when fewer than two values). */
  change: Record<SeriesName, number | null>;
}

export interface MaterialTrend {
  material: string;
  stages: Partial<Record<Stage, StageTrend>>;
}

export interface TrendOptions {
  importer: string;
  materials?: readonly string[];
  from?: number;
  to?: number;
  /** Rolling-mean window in years; 1 (or absent) = yearly values. */
  average?: number;
}

export interface TrendResult {
  importer: string;
  from: number | null;
  to: number | null;
  average: number;
  materials: MaterialTrend[];
}

export function trend(graph: SupplyGraph, options: TrendOptions): TrendResult {
  const index = sliceIndex(graph);
  const average = options.average ?? 1;
  const chosen = options.materials ?? index.materials();
  const materials: MaterialTrend[] = [];
  let first: number | null = null;
  let last: number | null = null;
  for (const material of [...chosen].sort()) {
    const spans: { stage: Stage; start: number; end: number; points: TrendPoint[] }[] = [];
    for (const stage of index.stages(material)) {
      const years = [
        ...new Set([
          ...index.productionYears(material, stage),
          ...index.coverage.years(material, stage, options.importer, 'import'),
          ...ownYears(index, material, stage, options.importer),
        ]),
      ]
        .filter((year) => (options.from === undefined || year >= options.from) && (options.to === undefined || year <= options.to))
        .sort((a, b) => a - b);
      const start = years[0];
      const end = years.at(-1);
      if (start === undefined || end === undefined) continue;
      first = first === null ? start : Math.min(first, start);
      last = last === null ? end : Math.max(last, end);
      spans.push({ stage, start, end, points: [] });
    }
    // Year by year across the stages, so that a year's refining origins are traced right after its
    // mining stage, while that year's mining trade is still at hand in the index.
    const from = Math.min(...spans.map((span) => span.start));
    const to = Math.max(...spans.map((span) => span.end));
    for (let year = from; year <= to; year++) {
      for (const span of spans) if (year >= span.start && year <= span.end) span.points.push(point(graph, material, span.stage, options.importer, year));
    }
    const stages: Partial<Record<Stage, StageTrend>> = {};
    for (const { points: yearly } of spans) markSourceChanges(yearly);
    for (const { stage, points: yearly } of spans) {
      const points = average > 1 ? rolling(yearly, average) : yearly;
      stages[stage] = { unit: index.unit(material, stage) ?? '', points, change: changes(points) };
    }
    if (spans.length > 0) materials.push({ material, stages });
  }
  return { importer: options.importer, from: options.from ?? first, to: options.to ?? last, average, materials };
}

function ownYears(index: ReturnType<typeof sliceIndex>, material: string, stage: Stage, importer: string): number[] {
  return index.productionYears(material, stage).filter((year) => (index.slice(material, stage, year)?.production.get(importer) ?? 0) > 0);
}

/** One year of a stage: the same world and importer blocks as `report --year` gives for that year. */
function point(graph: SupplyGraph, material: string, stage: Stage, importer: string, year: number): TrendPoint {
  const { world, importer: analysed } = analyseStage(graph, material, stage, { importer, year });
  // Trade the data does not cover: the importer's side is unknown, not zero.
  const block = analysed?.low ? analysed : undefined;
  return {
    year,
    worldHhi: world?.hhi ?? null,
    topProducer: world?.top?.country ?? null,
    topProducerShare: world?.top?.share ?? null,
    importReliance: block?.importReliance ?? null,
    importRelianceRange: block?.importRelianceRange ?? null,
    topSupplier: block?.topSupplier?.country ?? null,
    topSupplierShare: block ? (block.topSupplier?.share ?? 0) : null,
    // A series of mine origins holds traced origins only: an untraced one is where the trail stops.
    topOrigin: block?.topOrigin?.traced ? block.topOrigin.country : null,
    // No top origin and no origins: none (0); no top origin but origins: none of them traced (unknown).
    topOriginShare:
      block && block.topOrigin?.traced !== false && (block.topOrigin !== null || block.origins.length === 0) ? (block.topOrigin?.share ?? 0) : null,
    shareBase: block?.shareBase ?? null,
    productionSource: graph.getAttribute('productionSources')?.[productionKey(material, stage, year)]?.join('; ') || null,
    sourceChanged: null,
  };
}

/** A publisher without its edition year: "USGS MCS 2024" -> "USGS MCS". */
function publication(publisher: string): string {
  return publisher
    .split('; ')
    .map((one) => /^(.*\S)\s+(?:19|20)\d{2}$/.exec(one)?.[1] ?? one)
    .join('; ');
}

/** Sets sourceChanged on each year with world figures whose publication differs from the previous such year's. */
export function markSourceChanges(points: TrendPoint[]): void {
  let before: TrendPoint | undefined;
  for (const point of points) {
    if (point.worldHhi === null || point.productionSource === null) continue;
    if (before?.productionSource && publication(before.productionSource) !== publication(point.productionSource)) {
      point.sourceChanged = { from: before.productionSource, to: point.productionSource };
    }
    before = point;
  }
}

/** Rolling means of every series over `window` years (see the module comment for gaps). */
export function rolling(points: readonly TrendPoint[], window: number): TrendPoint[] {
  const needed = Math.ceil(window / 2);
  return points.map((current, i) => {
    const span = points.slice(Math.max(0, i - window + 1), i + 1).filter((p) => p.year > current.year - window);
    const mean = (name: SeriesName): number | null => {
      if (current[name] === null) return null;
      const values = span.map((p) => p[name]).filter((value): value is number => value !== null);
      return values.length >= needed ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
    };
    const result: TrendPoint = { ...current };
    for (const name of SERIES) result[name] = mean(name);
    // A country without its value would be a label on a gap.
    if (result.topProducerShare === null) result.topProducer = null;
    if (result.topSupplierShare === null) result.topSupplier = null;
    if (result.topOriginShare === null) result.topOrigin = null;
    return result;
  });
}

export function changes(points: readonly TrendPoint[]): Record<SeriesName, number | null> {
  const result = {} as Record<SeriesName, number | null>;
  for (const name of SERIES) {
    const values = points.map((p) => p[name]).filter((value): value is number => value !== null);
    const first = values[0];
    const last = values.at(-1);
    result[name] = values.length >= 2 && first !== undefined && last !== undefined ? last - first : null;
  }
  return result;
}
