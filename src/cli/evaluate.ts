/**
 * The steps `gaps`, `check`, `diff` and `report` share: load the policy (defaults < file < flags),
 * settle the importer, load the data, run the analysis and the gap assessment, and decide which day
 * "today" is for accept expiry (SUPPLY_RISK_TODAY=YYYY-MM-DD, for tests and reproducible CI runs).
 */
import { relative, resolve } from 'node:path';
import { isIsoDate, loadPolicy, type Policy, type PolicyOverrides } from '../input/policy.js';
import { UsageError } from '../input/problems.js';
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
  const assessment = assess(analysis, { policy: effective, country: (code) => index.country(code), today: day });
  return { ...loaded, policy: effective, analysis, assessment, today: day };
}

/** A data file's path as CI annotations want it: relative to the working directory, forward slashes. */
export function dataFilePath(io: CliIo, dataDir: string, file: string): string {
  return relative(io.cwd, resolve(dataDir, file)).split('\\').join('/');
}
