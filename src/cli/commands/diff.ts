/**
 * `supply-risk diff --base DIR`: what changed between a base data folder (e.g. the previous version
 * of the data) and --data, block by block: years, volumes, shares, stages and gaps. With --fail-on
 * LIST (or --fail-on-increase POINTS, the same as --fail-on hhi-up:POINTS) it exits 1 when a listed
 * condition holds, so that CI fails only on new risk. The comparison is metrics/diff.ts, the same
 * one `check --baseline` gates on.
 */
import { isAbsolute, join } from 'node:path';
import type { Policy } from '../../policy/policy.js';
import { InputError } from '../../domain/problems.js';
import { diffAnalyses, LIST_ONLY, type GateRules } from '../../metrics/diff.js';
import { renderDiffMarkdown, renderDiffTable, diffEnvelope } from '../../report/diff-render.js';
import { renderJson } from '../../report/json.js';
import { chalkFor, emit, resolveFormat, toolInfo } from '../common.js';
import type { CliIo } from '../io.js';
import { evaluate, resolvePolicy, type Evaluation } from '../evaluate.js';
import type { PolicyOptions } from '../policy-options.js';

export const DIFF_FORMATS = ['table', 'json', 'markdown'] as const;

export interface DiffOptions extends PolicyOptions {
  base: string;
  failOnIncrease?: number;
  /** Parsed --fail-on (metrics/diff.ts parseConditions). */
  failOn?: GateRules;
}

/**
 * The analysis of a base data folder with the same options and policy as the current one (each
 * folder at its own default years, or both at --year). Its problems name the folder: both folders
 * have files called production.csv.
 */
export async function evaluateBase(options: PolicyOptions, baseDir: string, io: CliIo, policy: Policy): Promise<Evaluation> {
  return evaluate({ ...options, data: baseDir, quiet: true }, io, policy).catch((error: unknown) => {
    if (!(error instanceof InputError)) throw error;
    const policyFile = options.policy ?? 'policy';
    throw new InputError(
      error.problems.map((problem) => ({
        ...problem,
        file: isAbsolute(problem.file) || problem.file === policyFile ? problem.file : join(baseDir, problem.file),
      })),
      error.omitted,
    );
  });
}

export async function runDiff(options: DiffOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  const policy = await resolvePolicy(options, io);
  const base = await evaluateBase(options, options.base, io, policy);
  const current = await evaluate(options, io, policy);
  let rules: GateRules = options.failOn ?? LIST_ONLY;
  if (options.failOnIncrease !== undefined) rules = { ...rules, hhiUp: options.failOnIncrease };
  const diff = diffAnalyses(base, current, rules);
  const labels = { base: options.base, data: options.data ?? 'the embedded data' };
  let text: string;
  if (format === 'json') {
    text = renderJson(diffEnvelope(diff, { importer: policy.importer, ...labels, tool: toolInfo(), warnings: current.dataset.warnings }));
  } else if (format === 'markdown') text = renderDiffMarkdown(diff, labels);
  else text = renderDiffTable(diff, { chalk: await chalkFor(io, options, false), ...labels });
  await emit(io, options, text);
  return diff.failing > 0 ? 1 : 0;
}
