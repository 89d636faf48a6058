/**
 * `supply-risk diff --base DIR`: what changed between a base data folder (e.g. the previous version
 * of the data) and --data. With --fail-on-increase POINTS it exits 1 when any supplier HHI rose by
 * more than POINTS, so CI fails only on new risk.
 */
import { isAbsolute, join } from 'node:path';
import { InputError } from '../../input/problems.js';
import { diffAnalyses } from '../../metrics/diff.js';
import { renderDiffMarkdown, renderDiffTable, diffEnvelope } from '../../report/diff-render.js';
import { renderJson } from '../../report/json.js';
import { chalkFor, emit, resolveFormat, toolInfo } from '../common.js';
import type { CliIo } from '../io.js';
import { evaluate, resolvePolicy } from '../evaluate.js';
import type { PolicyOptions } from '../policy-options.js';

export const DIFF_FORMATS = ['table', 'json', 'markdown'] as const;

export interface DiffOptions extends PolicyOptions {
  base: string;
  failOnIncrease?: number;
}

export async function runDiff(options: DiffOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  const policy = await resolvePolicy(options, io);
  const base = await evaluate({ ...options, data: options.base, quiet: true }, io, policy).catch((error: unknown) => {
    // Name the base folder in its problems: both folders have files called production.csv.
    if (!(error instanceof InputError)) throw error;
    throw new InputError(error.problems.map((problem) => ({ ...problem, file: isAbsolute(problem.file) ? problem.file : join(options.base, problem.file) })), error.omitted);
  });
  const current = await evaluate(options, io, policy);
  const diff = diffAnalyses(base, current, options.failOnIncrease ?? null);
  const labels = { base: options.base, data: options.data ?? 'the embedded data' };
  let text: string;
  if (format === 'json') {
    text = renderJson(diffEnvelope(diff, { importer: policy.importer, ...labels, tool: toolInfo(), warnings: current.dataset.warnings }));
  } else if (format === 'markdown') text = renderDiffMarkdown(diff, labels);
  else text = renderDiffTable(diff, { chalk: await chalkFor(io, options, false), ...labels });
  await emit(io, options, text);
  return diff.exceeded > 0 ? 1 : 0;
}
