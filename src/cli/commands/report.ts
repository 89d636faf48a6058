/** `supply-risk report`: the full concentration and exposure report. */
import { renderCsv } from '../../report/csv.js';
import { renderJson, reportEnvelope } from '../../report/json.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderTable } from '../../report/table.js';
import { terminalWidth } from '../../report/fit.js';
import { chalkFor, countryNamer, emit, resolveFormat, toolInfo, warn, type CommonOptions } from '../common.js';
import { evaluate } from '../evaluate.js';
import type { CliIo } from '../io.js';
import type { PolicyOptions } from '../policy-options.js';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'markdown'] as const;

export async function runReport(options: CommonOptions & Pick<PolicyOptions, 'policy' | 'importerExplicit'>, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  // The JSON report carries each stage's gaps and risk level, against the default policy or --policy.
  const { dataset, analysis, policy, assessment } = await evaluate(options, io);
  const names = countryNamer(dataset);
  warn(io, options, analysis.notes);
  let text: string;
  if (format === 'json') text = renderJson(reportEnvelope(analysis, toolInfo(), [...dataset.warnings, ...analysis.notes], { policy, assessment }));
  else if (format === 'csv') text = renderCsv(analysis);
  else if (format === 'markdown') text = renderMarkdown(analysis, names);
  else {
    const risk = (material: string, stage: string) => {
      const assessed = assessment.stages.find((entry) => entry.material === material && entry.stage === stage);
      return assessed
        ? { level: assessed.risk, gaps: assessed.gaps.length, possible: assessed.gaps.filter((gap) => gap.certainty === 'possible').length }
        : undefined;
    };
    text = renderTable(analysis, { chalk: await chalkFor(io, options, false), countryName: names, risk, width: terminalWidth(io, options) });
  }
  await emit(io, options, text);
  return 0;
}
