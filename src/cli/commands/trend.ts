/** `supply-risk trend`: yearly (or rolling-mean) series of concentration and exposure, per material and stage. */
import { UsageError } from '../../domain/problems.js';
import { sliceIndex } from '../../graph/slices.js';
import { trend } from '../../metrics/trend.js';
import { renderJson } from '../../report/json.js';
import { renderTrendCsv, renderTrendTable, trendEnvelope } from '../../report/trend-render.js';
import { terminalWidth } from '../../report/fit.js';
import { chalkFor, countryNamer, emit, loadGraph, resolveFormat, toolInfo, type CommonOptions } from '../common.js';
import type { CliIo } from '../io.js';

export const TREND_FORMATS = ['table', 'json', 'csv'] as const;

export interface TrendOptions extends CommonOptions {
  from?: number;
  to?: number;
  average: number;
}

export async function runTrend(options: TrendOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  if (options.year !== undefined) throw new UsageError('trend covers many years: use --from and --to instead of --year');
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) {
    throw new UsageError(`--from ${options.from} is after --to ${options.to}`);
  }
  const { dataset, graph } = await loadGraph(options, io, yearRange(options));
  if (options.material) {
    const available = sliceIndex(graph).materials();
    const unknown = options.material.filter((material) => !available.includes(material));
    if (unknown.length > 0) throw new UsageError(`no data for material ${unknown.join(', ')}; the data has: ${available.join(', ') || '(none)'}`);
  }
  const result = trend(graph, {
    importer: options.importer,
    average: options.average,
    ...(options.material ? { materials: options.material } : {}),
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.to !== undefined ? { to: options.to } : {}),
  });
  let text: string;
  if (format === 'json') text = renderJson(trendEnvelope(result, toolInfo(), dataset.warnings));
  else if (format === 'csv') text = renderTrendCsv(result);
  else text = renderTrendTable(result, { chalk: await chalkFor(io, options, false), countryName: countryNamer(dataset), width: terminalWidth(io, options) });
  await emit(io, options, text);
  return 0;
}

/** With --from and --to, rows of other years are skipped before they are parsed. */
function yearRange(options: TrendOptions): { years?: Set<number> } {
  if (options.from === undefined || options.to === undefined) return {};
  const years = new Set<number>();
  for (let year = options.from; year <= options.to; year++) years.add(year);
  return { years };
}
