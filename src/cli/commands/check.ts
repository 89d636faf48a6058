/**
 * `supply-risk check`: the CI gate. Validates the data and the policy (exit 2 when either is
 * invalid), evaluates the gaps and exits 1 when any gap is not accepted, 0 otherwise.
 */
import { checkEnvelope } from '../../report/gaps-json.js';
import { isOpen } from '../../metrics/gaps.js';
import { acceptWarnings, renderCheckTable, renderGapsMarkdown, renderGithub } from '../../report/gaps-render.js';
import { renderJson } from '../../report/json.js';
import { chalkFor, countryNamer, emit, resolveFormat, toolInfo, warn } from '../common.js';
import type { CliIo } from '../io.js';
import { dataFilePath, evaluate } from '../evaluate.js';
import type { PolicyOptions } from '../policy-options.js';

export const CHECK_FORMATS = ['table', 'json', 'markdown', 'github'] as const;

export interface CheckOptions extends PolicyOptions {
  /** False with --no-exit-code: report, but exit 0 even when gaps are open. */
  exitCode: boolean;
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  const { dataset, dataDir, policy, analysis, assessment, today } = await evaluate(options, io);
  warn(io, options, [...analysis.notes, ...assessment.warnings, ...acceptWarnings(assessment)]);
  const context = { chalk: await chalkFor(io, options, format !== 'table'), countryName: countryNamer(dataset), importer: policy.importer, policy };
  let text: string;
  if (format === 'json') text = renderJson(checkEnvelope(policy.importer, analysis.year, policy, assessment, toolInfo(), dataset.warnings, today));
  else if (format === 'markdown') text = renderGapsMarkdown(assessment, context, true);
  else if (format === 'github') {
    const policyFile = options.policy === undefined ? null : dataFilePath(io, io.cwd, options.policy);
    text = renderGithub(assessment, context, { trade: dataFilePath(io, dataDir, 'trade.csv'), policy: policyFile });
  } else text = renderCheckTable(assessment, context);
  await emit(io, options, text);
  const open = assessment.gaps.some(isOpen);
  return open && options.exitCode ? 1 : 0;
}
