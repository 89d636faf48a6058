/** `supply-risk report`: the full concentration and exposure report. */
import { analyse } from '../../metrics/analysis.js';
import { renderCsv } from '../../report/csv.js';
import { renderJson, reportEnvelope } from '../../report/json.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderTable } from '../../report/table.js';
import { chalkFor, countryNamer, emit, loadGraph, resolveFormat, toolInfo, type CommonOptions } from '../common.js';
import type { CliIo } from '../io.js';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'markdown'] as const;

export async function runReport(options: CommonOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  const { dataset, graph } = await loadGraph(options, io, yearFilter(options));
  const analysis = analyse(graph, {
    importer: options.importer,
    ...(options.year !== undefined ? { year: options.year } : {}),
    ...(options.material ? { materials: options.material } : {}),
  });
  const names = countryNamer(dataset);
  let text: string;
  if (format === 'json') text = renderJson(reportEnvelope(analysis, toolInfo(), dataset.warnings));
  else if (format === 'csv') text = renderCsv(analysis);
  else if (format === 'markdown') text = renderMarkdown(analysis, names);
  else text = renderTable(analysis, { chalk: chalkFor(io, options, false), countryName: names });
  await emit(io, options, text);
  return 0;
}

/** With --year only that year's rows are needed; --material narrows further (unknown ones are reported). */
function yearFilter(options: CommonOptions): { years?: Set<number> } {
  return options.year !== undefined ? { years: new Set([options.year]) } : {};
}
