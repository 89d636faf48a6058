/** `supply-risk gaps`: the diversification gaps only, most severe first. */
import { gapsEnvelope } from '../../report/gaps-json.js';
import { renderGapsMarkdown, renderGapsTable, type GapsContext } from '../../report/gaps-render.js';
import type { Policy } from '../../policy/policy.js';
import { renderJson } from '../../report/json.js';
import { terminalWidth } from '../../report/fit.js';
import { chalkFor, countryNamer, emit, resolveFormat, toolInfo, warn } from '../common.js';
import type { CliIo } from '../io.js';
import { evaluate } from '../evaluate.js';
import type { PolicyOptions } from '../policy-options.js';

export const GAPS_FORMATS = ['table', 'json', 'markdown'] as const;

export async function runGaps(options: PolicyOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  const { dataset, policy, analysis, assessment } = await evaluate(options, io);
  warn(io, options, [...analysis.notes, ...assessment.warnings]);
  const context = await gapsContext(io, options, format, dataset, policy);
  let text: string;
  if (format === 'json') text = renderJson(gapsEnvelope(policy.importer, analysis.year, policy, assessment, toolInfo(), dataset.warnings));
  else if (format === 'markdown') text = renderGapsMarkdown(assessment, context);
  else text = renderGapsTable(assessment, context);
  await emit(io, options, text);
  return 0;
}

/** What the gaps renderers (gaps, check) need besides the assessment: colour, names, the policy, the width. */
export async function gapsContext(
  io: CliIo,
  options: PolicyOptions,
  format: string,
  dataset: Parameters<typeof countryNamer>[0],
  policy: Policy,
): Promise<GapsContext> {
  return {
    chalk: await chalkFor(io, options, format !== 'table'),
    countryName: countryNamer(dataset),
    importer: policy.importer,
    policy,
    width: terminalWidth(io, options),
  };
}
