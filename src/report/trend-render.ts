/**
 * Views of the yearly series (`trend`): a terminal table with a sparkline per series (a gap year is
 * "·", never drawn as a zero), CSV and JSON with the full series (gaps as empty cells / null).
 */
import type { ChalkInstance } from 'chalk';
import type { Stage } from '../domain/fields.js';
import { SERIES, type SeriesName, type StageTrend, type TrendPoint, type TrendResult } from '../metrics/trend.js';
import { envelopeHead, type ToolInfo } from './json.js';
import { clean, formatHhi, formatShare } from './numbers.js';
import { fitTable, widthOf, wrapParagraph } from './fit.js';
import { csvCell, csvNumber, safeText } from './text.js';
import { STAGES } from '../domain/fields.js';

export interface TrendContext {
  chalk: ChalkInstance;
  countryName: (code: string) => string;
  /** Terminal width for the table (see fit.ts); default 100. */
  width?: number;
}

const BARS = '▁▂▃▄▅▆▇█';
export const GAP = '·';
/** Marks the world series of a stage whose production changes source; a footnote names the sources. */
export const SOURCE_MARK = '†';
/** The series computed from world production (the ones a change of source affects). */
const WORLD_SERIES: readonly SeriesName[] = ['worldHhi', 'topProducerShare'];

/** One character per value, scaled between the series' own minimum and maximum; null is a gap. */
export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((value): value is number => value !== null);
  if (present.length === 0) return values.map(() => GAP).join('');
  const low = Math.min(...present);
  const high = Math.max(...present);
  const span = high - low;
  return values
    .map((value) => {
      if (value === null) return GAP;
      if (span <= 1e-12 * Math.max(1, Math.abs(high))) return BARS[3];
      return BARS[Math.min(BARS.length - 1, Math.floor(((value - low) / span) * BARS.length))];
    })
    .join('');
}

const COUNTRY: Partial<Record<SeriesName, keyof TrendPoint>> = {
  topProducerShare: 'topProducer',
  topSupplierShare: 'topSupplier',
  topOriginShare: 'topOrigin',
};

function seriesLabel(name: SeriesName, importer: string): string {
  switch (name) {
    case 'worldHhi':
      return 'world HHI';
    case 'topProducerShare':
      return 'top producer';
    case 'importReliance':
      return `${importer} import reliance`;
    case 'topSupplierShare':
      return 'top supplier';
    case 'topOriginShare':
      return 'top mine origin';
  }
}

function valueText(name: SeriesName, point: TrendPoint): string {
  const value = point[name];
  if (value === null) return '';
  const number = name === 'worldHhi' ? formatHhi(value) : formatShare(value);
  const key = COUNTRY[name];
  const country = key ? point[key] : null;
  return typeof country === 'string' ? `${country} ${number}` : number;
}

function changeText(name: SeriesName, change: number | null): string {
  if (change === null) return '';
  const sign = change > 0 ? '+' : change < 0 ? '-' : '±';
  if (name === 'worldHhi') return `${sign}${formatHhi(Math.abs(change))}`;
  return `${sign}${(Math.abs(change) * 100).toFixed(1)} pp`;
}

function present(points: readonly TrendPoint[], name: SeriesName): TrendPoint[] {
  return points.filter((point) => point[name] !== null);
}

function stageRows(trend: StageTrend, importer: string): string[][] {
  const first = trend.points[0]?.year;
  const last = trend.points.at(-1)?.year;
  const marked = trend.points.some((point) => point.sourceChanged !== null);
  return SERIES.map((name) => {
    const points = present(trend.points, name);
    const start = points[0];
    const end = points.at(-1);
    // Reliance known only as a range is unknown, not absent: the range is shown where no exact value is.
    const ranged = name === 'importReliance' ? trend.points.filter((point) => point.importRelianceRange !== null) : [];
    const rangeText = (point: TrendPoint | undefined, edge: number | undefined): string | null => {
      const range = point?.importRelianceRange;
      return point && range ? `${formatShare(range[0])}-${formatShare(range[1])}${point.year !== edge ? ` (${point.year})` : ''}` : null;
    };
    const at = (point: TrendPoint | undefined, edge: number | undefined, fallback: TrendPoint | undefined): string =>
      point ? `${valueText(name, point)}${point.year !== edge ? ` (${point.year})` : ''}` : (rangeText(fallback, edge) ?? 'no data');
    const mark = marked && WORLD_SERIES.includes(name) ? ` ${SOURCE_MARK}` : '';
    return [
      `  ${seriesLabel(name, importer)}${mark}`,
      at(start, first, ranged[0]),
      sparkline(trend.points.map((point) => point[name])),
      at(end, last, ranged.at(-1)),
      changeText(name, trend.change[name]),
    ];
  });
}

export function renderTrendTable(result: TrendResult, context: TrendContext): string {
  const { chalk } = context;
  const width = widthOf(context);
  const period = result.from !== null && result.to !== null ? `${result.from}–${result.to}` : 'no data';
  const averaged = result.average > 1 ? ` · ${result.average}-year rolling means` : ' · yearly values';
  const lines = [
    ...wrapParagraph(`Trends for ${safeText(context.countryName(result.importer))} (${result.importer}) · ${period}${averaged}`, width, {
      hang: 2,
      paint: (line) => chalk.bold(line),
    }),
    '',
  ];
  if (result.materials.length === 0) lines.push('No data in the chosen years.');
  for (const material of result.materials) {
    for (const stage of STAGES) {
      const trend = material.stages[stage];
      if (!trend) continue;
      const first = trend.points[0]?.year ?? '';
      const last = trend.points.at(-1)?.year ?? '';
      const title = `${material.material} ${stage}${trend.unit ? ` (${safeText(trend.unit)})` : ''}`;
      const titles = [title, String(first), `${first}–${last}`, String(last), 'change'];
      // The sparkline never wraps: one character a year.
      const columns = titles.map((column, i) => ({
        title: column,
        align: i === 1 || i === 3 || i === 4 ? ('right' as const) : ('left' as const),
        wrap: i === 0 || i === 1 || i === 3,
      }));
      const table = fitTable(columns, stageRows(trend, result.importer), {
        width,
        rule: false,
        keyTitles: true,
        blockGap: false,
        paintHeader: (line) => chalk.bold(line),
      });
      lines.push(...table.lines);
      for (const note of sourceNotes(trend)) lines.push(...wrapParagraph(note, width, { hang: 4, paint: (line) => chalk.dim(line) }));
      lines.push('');
    }
  }
  const window =
    result.average > 1
      ? ` Rolling means: mean of the values present in the ${result.average} years ending at each year, shown where that year has a value and at least ${Math.ceil(result.average / 2)} of the ${result.average} do.`
      : '';
  const legend = `Sparklines scaled from each series' minimum to maximum; "${GAP}" = no data that year (a gap, not a zero). Change: last minus first value shown, pp = percentage points.${window}`;
  lines.push(...wrapParagraph(legend, width, { paint: (line) => chalk.dim(line) }));
  return `${lines.join('\n')}\n`;
}

/** The footnotes of a stage's source changes: the year and the two publishers. */
export function sourceNotes(trend: StageTrend): string[] {
  return trend.points.flatMap((point) =>
    point.sourceChanged
      ? [
          `  ${SOURCE_MARK} ${point.year}: world production changes source, ${safeText(point.sourceChanged.from)} -> ${safeText(point.sourceChanged.to)}; a step at ${point.year} may be the sources', not the market's`,
        ]
      : [],
  );
}

const CSV_HEADER = [
  'material',
  'stage',
  'unit',
  'year',
  'world_hhi',
  'top_producer',
  'top_producer_share',
  'import_reliance',
  'top_supplier',
  'top_supplier_share',
  'top_origin',
  'top_origin_share',
  'share_base',
  'production_source',
  'source_changed_from',
];

export function renderTrendCsv(result: TrendResult): string {
  const lines = [CSV_HEADER.join(',')];
  const number = (value: number | null): string => csvNumber(value === null ? null : clean(value));
  const text = (value: string | null): string => (value === null ? '' : csvCell(value));
  for (const material of result.materials) {
    for (const stage of STAGES) {
      const trend = material.stages[stage];
      if (!trend) continue;
      for (const p of trend.points) {
        lines.push(
          [
            csvCell(material.material),
            stage,
            csvCell(trend.unit),
            String(p.year),
            number(p.worldHhi),
            text(p.topProducer),
            number(p.topProducerShare),
            number(p.importReliance),
            text(p.topSupplier),
            number(p.topSupplierShare),
            text(p.topOrigin),
            number(p.topOriginShare),
            text(p.shareBase),
            text(p.productionSource),
            text(p.sourceChanged?.from ?? null),
          ].join(','),
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function pointJson(p: TrendPoint): Record<string, unknown> {
  const n = (value: number | null): number | null => (value === null ? null : clean(value));
  return {
    year: p.year,
    worldHhi: n(p.worldHhi),
    topProducer: p.topProducer,
    topProducerShare: n(p.topProducerShare),
    importReliance: n(p.importReliance),
    importRelianceRange: p.importRelianceRange ? [clean(p.importRelianceRange[0]), clean(p.importRelianceRange[1])] : null,
    topSupplier: p.topSupplier,
    topSupplierShare: n(p.topSupplierShare),
    topOrigin: p.topOrigin,
    topOriginShare: n(p.topOriginShare),
    shareBase: p.shareBase,
    productionSource: p.productionSource,
    sourceChanged: p.sourceChanged ? { from: p.sourceChanged.from, to: p.sourceChanged.to } : null,
  };
}

export function trendEnvelope(result: TrendResult, tool: ToolInfo, warnings: readonly string[]): Record<string, unknown> {
  return {
    ...envelopeHead(tool),
    importer: result.importer,
    from: result.from,
    to: result.to,
    average: result.average,
    materials: result.materials.map((material) => {
      const stages: Partial<Record<Stage, unknown>> = {};
      for (const stage of STAGES) {
        const trend = material.stages[stage];
        if (!trend) continue;
        const change = Object.fromEntries(SERIES.map((name) => [name, trend.change[name] === null ? null : clean(trend.change[name] ?? 0)]));
        stages[stage] = { unit: trend.unit, change, years: trend.points.map(pointJson) };
      }
      return { material: material.material, stages };
    }),
    warnings: [...warnings],
  };
}
