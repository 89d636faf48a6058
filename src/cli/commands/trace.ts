/** `supply-risk trace <material>`: mine origins -> refiners (or shippers) -> importer, as a table, JSON, Graphviz or Mermaid. */
import { STAGES, type Stage } from '../../domain/fields.js';
import { UsageError } from '../../domain/problems.js';
import { sliceIndex } from '../../graph/slices.js';
import { analyse } from '../../metrics/analysis.js';
import { trace } from '../../metrics/trace.js';
import { renderJson } from '../../report/json.js';
import { traceEnvelope } from '../../report/trace-json.js';
import { renderTraceDot, renderTraceMermaid, renderTraceTable } from '../../report/trace-render.js';
import { terminalWidth } from '../../report/fit.js';
import { chalkFor, countryNamer, emit, loadGraph, resolveFormat, toolInfo, type CommonOptions } from '../common.js';
import type { CliIo } from '../io.js';

export const TRACE_FORMATS = ['table', 'json', 'dot', 'mermaid'] as const;

export interface TraceOptions extends CommonOptions {
  stage?: Stage;
  minShare: number;
}

export async function runTrace(material: string, options: TraceOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  if (options.material) throw new UsageError('trace takes the material as its argument, not --material');
  const { dataset, graph } = await loadGraph(options, io, options.year !== undefined ? { years: new Set([options.year]) } : {}, { latestOnly: true });
  const analysis = analyse(graph, { importer: options.importer, materials: [material], ...(options.year !== undefined ? { year: options.year } : {}) });
  const stages = analysis.materials[0]?.stages ?? {};
  const stage: Stage = options.stage ?? (stages.refining?.importer ? 'refining' : 'mining');
  const block = stages[stage]?.importer;
  if (!block) {
    const has = STAGES.filter((s) => stages[s]?.importer);
    const hint = has.length > 0 ? `; try --stage ${has.join(' or --stage ')}` : '';
    throw new UsageError(
      `${options.importer} has no ${material} supply at the ${stage} stage${options.year !== undefined ? ` in ${options.year}` : ''}${hint}`,
    );
  }
  if (!block.low) {
    throw new UsageError(`${options.importer}'s ${material} supply at the ${stage} stage is unknown in ${block.year}: ${block.reasons.join('; ')}`);
  }
  const result = trace({ index: sliceIndex(graph), material, stage, importer: options.importer, block, exposure: block.low, minShare: options.minShare });
  const names = countryNamer(dataset);
  let text: string;
  if (format === 'json') text = renderJson(traceEnvelope(result, toolInfo(), dataset.warnings));
  else if (format === 'dot') text = renderTraceDot(result, names);
  else if (format === 'mermaid') text = renderTraceMermaid(result, names);
  else text = renderTraceTable(result, { chalk: await chalkFor(io, options, format !== 'table'), countryName: names, width: terminalWidth(io, options) });
  await emit(io, options, text);
  return 0;
}
