/** `supply-risk report`: the full concentration and exposure report. */
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
  // Only the chosen format's renderer is loaded: start-up time is mostly module loading.
  let text: string;
  if (format === 'json') {
    const { renderJson, reportEnvelope } = await import('../../report/json.js');
    text = renderJson(reportEnvelope(analysis, toolInfo(), [...dataset.warnings, ...analysis.notes], { policy, assessment }));
  } else if (format === 'csv') {
    const { renderCsv } = await import('../../report/csv.js');
    text = renderCsv(analysis);
  } else if (format === 'markdown') {
    const { renderMarkdown } = await import('../../report/markdown.js');
    text = renderMarkdown(analysis, names);
  } else {
    const [{ renderTable }, { terminalWidth }] = await Promise.all([import('../../report/table.js'), import('../../report/fit.js')]);
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
