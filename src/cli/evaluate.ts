/**
 * The steps `gaps`, `check`, `diff` and `report` share: load the policy (defaults < file < flags),
 * settle the importer, load the data, run the analysis and the gap assessment, and decide which day
 * "today" is for accept expiry (SUPPLY_RISK_TODAY=YYYY-MM-DD, for tests and reproducible CI runs).
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { checkPolicyAgainstData, isIsoDate, loadPolicy, type Policy, type PolicyDataIssue, type PolicyOverrides } from '../policy/policy.js';
import { InputError, UsageError, type Problem } from '../domain/problems.js';
import { sliceIndex } from '../graph/slices.js';
import { analyse, type Analysis } from '../metrics/analysis.js';
import { assess, type Assessment } from '../metrics/gaps.js';
import { loadGraph, type LoadedData } from './common.js';
import type { CliIo } from './io.js';
import type { PolicyOptions } from './policy-options.js';

export async function resolvePolicy(options: PolicyOptions, io: CliIo): Promise<Policy> {
  const overrides: PolicyOverrides = {
    ...(options.importerExplicit ? { importer: options.importer } : {}),
    ...(options.maxShare !== undefined ? { maxSingleCountryShare: options.maxShare } : {}),
    ...(options.maxHhi !== undefined ? { maxSupplierHhi: options.maxHhi } : {}),
    ...(options.maxRedirect !== undefined ? { maxRedirectShare: options.maxRedirect } : {}),
    ...(options.minGovernance !== undefined ? { minGovernance: options.minGovernance } : {}),
    ...(options.partnerGroups !== undefined ? { partnerGroups: options.partnerGroups } : {}),
  };
  const path = options.policy === undefined ? undefined : resolve(io.cwd, options.policy);
  return loadPolicy(path, options.policy, overrides);
}

/** The day accept entries are compared with: SUPPLY_RISK_TODAY=YYYY-MM-DD, else the local date. */
export function today(io: CliIo): string {
  const injected = io.env.SUPPLY_RISK_TODAY;
  if (injected !== undefined && injected !== '') {
    if (!isIsoDate(injected)) throw new UsageError(`SUPPLY_RISK_TODAY=${injected} is not a date written YYYY-MM-DD`);
    return injected;
  }
  const now = new Date();
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export interface Evaluation extends LoadedData {
  policy: Policy;
  analysis: Analysis;
  assessment: Assessment;
  today: string;
}

/** Policy, data, analysis and gaps: what `gaps`, `check`, `diff` and `report` all need. */
export async function evaluate(options: PolicyOptions, io: CliIo, policy?: Policy): Promise<Evaluation> {
  const effective = policy ?? (await resolvePolicy(options, io));
  const day = today(io);
  const withImporter = { ...options, importer: effective.importer };
  const loaded = await loadGraph(withImporter, io, options.year !== undefined ? { years: new Set([options.year]) } : {}, { latestOnly: true });
  const analysis = analyse(loaded.graph, {
    importer: effective.importer,
    ...(options.year !== undefined ? { year: options.year } : {}),
    ...(options.material ? { materials: options.material } : {}),
  });
  const index = sliceIndex(loaded.graph);
  const warnings = await checkPolicyNames(effective, loaded, options, io);
  const assessed = assess(analysis, { policy: effective, country: (code, year) => index.countryIn(code, year), today: day });
  const assessment = { ...assessed, warnings: [...assessed.warnings, ...warnings] };
  return { ...loaded, policy: effective, analysis, assessment, today: day };
}

/**
 * The policy's names against the whole data set (not only the materials analysed): an unknown
 * partner group is an error (exit 2) pointing at the policy file's line:column or at
 * --partner-groups; a `materials` entry the data lacks is returned as a warning. Both suggest the
 * closest known name.
 */
export async function checkPolicyNames(policy: Policy, loaded: LoadedData, options: PolicyOptions, io: CliIo): Promise<string[]> {
  const groups = new Set([...loaded.dataset.countries.values()].flatMap((country) => country.groups));
  const materials = new Set([...sliceIndex(loaded.graph).materials(), ...[...loaded.dataset.units.keys()].map((key) => key.split('|')[0] ?? key)]);
  const { errors, warnings } = checkPolicyAgainstData(policy, { groups, materials });
  if (errors.length === 0) return warnings;
  // A flag replaces the file's partner groups everywhere, so with --partner-groups every error is the flag's.
  if (options.partnerGroups !== undefined) throw new UsageError(`--partner-groups: ${errors.map((error) => error.message).join('; ')}`);
  throw new InputError(await locate(errors, options, io));
}

/** Where each issue sits in the policy file (read again: this is the error path only). */
async function locate(errors: readonly PolicyDataIssue[], options: PolicyOptions, io: CliIo): Promise<Problem[]> {
  const file = options.policy ?? 'policy';
  const path = options.policy === undefined ? undefined : resolve(io.cwd, options.policy);
  const text = path === undefined ? undefined : await readFile(path, 'utf8').catch(() => undefined);
  const { scanJson } = await import('../policy/policy-file.js');
  const scan = text === undefined ? undefined : scanJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  return errors.map((error) => ({
    file,
    ...(scan?.at(error.path) ?? {}),
    message: `${error.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('')}: ${error.message}`,
  }));
}

/** A data file's path as CI annotations want it: relative to the working directory, forward slashes. */
export function dataFilePath(io: CliIo, dataDir: string, file: string): string {
  return relative(io.cwd, resolve(dataDir, file)).split('\\').join('/');
}
