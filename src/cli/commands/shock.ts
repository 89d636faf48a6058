/** `supply-risk shock --country ISO3`: what the importer loses if one country's supply falls, and what could replace it. */
import { UsageError } from '../../domain/problems.js';
import { sliceIndex } from '../../graph/slices.js';
import { analyse } from '../../metrics/analysis.js';
import { shock, type ShockStage } from '../../metrics/shock.js';
import { renderJson } from '../../report/json.js';
import { shockEnvelope } from '../../report/shock-json.js';
import { renderShockMarkdown, renderShockTable } from '../../report/shock-render.js';
import { terminalWidth } from '../../report/fit.js';
import { chalkFor, countryNamer, emit, loadGraph, resolveFormat, toolInfo, warn } from '../common.js';
import { checkPolicyNames, resolvePolicy } from '../evaluate.js';
import type { CliIo } from '../io.js';
import type { PolicyOptions } from '../policy-options.js';

export const SHOCK_FORMATS = ['table', 'json', 'markdown'] as const;

export interface ShockOptions extends PolicyOptions {
  country: string;
  fraction: number;
  stage: ShockStage;
}

export async function runShock(options: ShockOptions, io: CliIo): Promise<number> {
  const format = resolveFormat(options);
  const policy = await resolvePolicy(options, io);
  const importer = policy.importer;
  const loaded = await loadGraph({ ...options, importer }, io, options.year !== undefined ? { years: new Set([options.year]) } : {}, { latestOnly: true });
  const { dataset, graph } = loaded;
  warn(io, options, await checkPolicyNames(policy, loaded, options, io));
  if (!dataset.countries.has(options.country)) {
    throw new UsageError(`--country ${options.country} is not an ISO 3166-1 alpha-3 code or a country of countries.csv`);
  }
  if (options.country === importer) {
    throw new UsageError(`--country ${options.country} is the importer; a shock applies to a supplier country`);
  }
  const analysis = analyse(graph, {
    importer,
    ...(options.year !== undefined ? { year: options.year } : {}),
    ...(options.material ? { materials: options.material } : {}),
  });
  warn(io, options, analysis.notes);
  const index = sliceIndex(graph);
  const result = shock(
    analysis,
    { country: options.country, fraction: options.fraction, stage: options.stage },
    { index, policy, country: (code, year) => index.countryIn(code, year) },
  );
  const context = { chalk: await chalkFor(io, options, format !== 'table'), countryName: countryNamer(dataset), policy, width: terminalWidth(io, options) };
  let text: string;
  if (format === 'json') text = renderJson(shockEnvelope(result, analysis, policy, toolInfo(), [...dataset.warnings, ...analysis.notes]));
  else if (format === 'markdown') text = renderShockMarkdown(result, context);
  else text = renderShockTable(result, context);
  await emit(io, options, text);
  return 0;
}
