/**
 * `supply-risk check`: the CI gate. Validates the data and the policy (exit 2 when either is
 * invalid), evaluates the gaps and exits 1 when any gap is open (certain, not accepted), 0 otherwise.
 * With --baseline DIR it runs the same analysis on DIR and exits 1 only for what is new or worse
 * there (metrics/diff.ts, the comparison `diff` uses too). With nothing to check (no importer block
 * whose trade the data covers) it exits 2 and says what is missing: never a pass.
 */
import { isAbsolute, resolve } from 'node:path';
import { checkEnvelope } from '../../report/gaps-json.js';
import { isOpen } from '../../metrics/gaps.js';
import { baselineRules, diffAnalyses, type Diff } from '../../metrics/diff.js';
import type { Analysis } from '../../metrics/analysis.js';
import { acceptWarnings, policyLine, renderCheckTable, renderGapsMarkdown, renderGithub } from '../../report/gaps-render.js';
import { findingJson, renderGateGithub, renderGateMarkdown, renderGateTable } from '../../report/diff-render.js';
import { renderJson } from '../../report/json.js';
import { InputError, UsageError } from '../../domain/problems.js';
import { defaultDataDir, emit, resolveFormat, toolInfo, warn } from '../common.js';
import type { CliIo } from '../io.js';
import { dataFilePath, evaluate, resolvePolicy } from '../evaluate.js';
import type { PolicyOptions } from '../policy-options.js';
import { evaluateBase } from './diff.js';
import { gapsContext } from './gaps.js';

export const CHECK_FORMATS = ['table', 'json', 'markdown', 'github'] as const;

export interface CheckOptions extends PolicyOptions {
  /** False with --no-exit-code: report, but exit 0 even when gaps are open. */
  exitCode: boolean;
  /** Data folder to compare with: fail only on what is new or worse. */
  baseline?: string;
  /** Fractions (the CLI takes percentage points). */
  tolerance?: number;
  relianceUp?: number;
  geopolUp?: number;
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  const github = format === 'github';
  if (options.baseline === undefined && (options.tolerance !== undefined || options.relianceUp !== undefined || options.geopolUp !== undefined)) {
    throw new UsageError('--tolerance, --reliance-up and --geopol-up compare with a baseline: give --baseline DIR too');
  }
  const policy = await resolvePolicy(options, io);
  // Under --format github, warnings become annotations in the report instead of lines on stderr.
  const quietly = github ? { ...options, quiet: true } : options;
  const base = options.baseline === undefined ? undefined : await evaluateBase(options, options.baseline, io, policy);
  const current = await evaluate(quietly, io, policy).catch((error: unknown) => {
    throw github ? locateProblems(error, io, options) : error;
  });
  const { dataset, dataDir, analysis, assessment, today } = current;
  const missing = nothingToCheck(analysis, options, dataDir);
  // Under --format github an annotation on the data's trade.csv; otherwise one error line.
  if (missing) throw github ? new InputError([{ file: dataFilePath(io, dataDir, 'trade.csv'), message: missing }]) : new UsageError(missing);
  const warnings = [...(github ? dataset.warnings : []), ...analysis.notes, ...assessment.warnings, ...acceptWarnings(assessment)];
  if (!github) warn(io, options, warnings);
  const context = await gapsContext(io, options, format, dataset, policy);
  const trade = dataFilePath(io, dataDir, 'trade.csv');

  if (base) {
    const rules = baselineRules(options);
    const diff = diffAnalyses(base, current, rules);
    const baseline = options.baseline ?? '';
    const gate = {
      baseline,
      importer: policy.importer,
      importerName: context.countryName(policy.importer),
      unchangedOpen: carriedOpenGaps(diff),
      policyLine: policyLine(policy),
    };
    let text: string;
    if (format === 'json') {
      const findings = diff.stages.flatMap((entry) => entry.findings.map((finding) => findingJson(finding, rules)));
      text = renderJson(
        checkEnvelope(policy.importer, analysis.year, policy, assessment, toolInfo(), dataset.warnings, today, {
          baseline,
          tolerance: rules.tolerance,
          relianceUp: rules.relianceUp,
          geopolUp: rules.geopolUp,
          failing: diff.failing,
          unchangedOpen: gate.unchangedOpen,
          findings,
        }),
      );
    } else if (format === 'markdown') text = renderGateMarkdown(diff, gate);
    else if (github) text = renderGateGithub(diff, { ...gate, trade, warnings: options.quiet ? [] : warnings });
    else text = renderGateTable(diff, { ...gate, chalk: context.chalk });
    await emit(io, options, text);
    return diff.failing > 0 && options.exitCode ? 1 : 0;
  }

  let text: string;
  if (format === 'json') text = renderJson(checkEnvelope(policy.importer, analysis.year, policy, assessment, toolInfo(), dataset.warnings, today));
  else if (format === 'markdown') text = renderGapsMarkdown(assessment, context, true);
  else if (github) {
    const policyFile = options.policy === undefined ? null : dataFilePath(io, io.cwd, options.policy);
    text = renderGithub(assessment, context, { trade, policy: policyFile }, options.quiet ? [] : warnings);
  } else text = renderCheckTable(assessment, context);
  await emit(io, options, text);
  const open = assessment.gaps.some(isOpen);
  return open && options.exitCode ? 1 : 0;
}

/**
 * Why there is nothing to check, or null: no material or stage with an importer block (no data for
 * the importer, the year or the materials asked), or no block whose trade the data covers.
 */
export function nothingToCheck(analysis: Analysis, options: Pick<CheckOptions, 'year' | 'material'>, dataDir: string): string | null {
  const importer = analysis.importer;
  const blocks = analysis.materials.flatMap((material) =>
    Object.entries(material.stages).flatMap(([stage, entry]) => (entry.importer ? [{ name: `${material.material} ${stage}`, block: entry.importer }] : [])),
  );
  const scope = [options.material ? `material ${options.material.join(', ')}` : '', options.year !== undefined ? `year ${options.year}` : '']
    .filter((part) => part !== '')
    .join(', ');
  const asked = scope === '' ? '' : ` (${scope})`;
  if (blocks.length === 0) {
    const what = options.year !== undefined ? `no production or trade data for ${options.year}` : 'no production or trade data';
    return `nothing to check: ${dataDir} has ${what}${options.material ? ` of ${options.material.join(', ')}` : ''}, so no ${importer} block can be assessed${asked}; check --year, --material and --data`;
  }
  if (blocks.every((entry) => entry.block.unknown.includes('trade'))) {
    return (
      `nothing to check: the data covers none of ${importer}'s imports${asked} (no trade rows into ${importer} and no coverage.csv entry for it), ` +
      `so no gap can be found or ruled out in ${listed(blocks.map((entry) => `${entry.name} ${entry.block.year}`))}; check --importer, --year and trade.csv`
    );
  }
  return null;
}

/** The first few names and a count of the rest. */
function listed(names: readonly string[], max = 6): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Open gaps now that were certain gaps in the baseline too (they fail only when they grew). */
function carriedOpenGaps(diff: Diff): number {
  return diff.stages.reduce(
    (sum, entry) => sum + entry.gaps.filter((gap) => gap.current?.certainty === 'certain' && !gap.current.accepted && gap.base?.certainty === 'certain').length,
    0,
  );
}

/** Data problems named by their path from the working directory, as annotations want them. */
function locateProblems(error: unknown, io: CliIo, options: CheckOptions): unknown {
  if (!(error instanceof InputError)) return error;
  const policyFile = options.policy ?? 'policy';
  const dataDir = options.data ? resolve(io.cwd, options.data) : defaultDataDir();
  const located = error.problems.map((problem) =>
    isAbsolute(problem.file) || problem.file === policyFile ? problem : { ...problem, file: dataFilePath(io, dataDir, problem.file) },
  );
  return new InputError(located, error.omitted);
}
