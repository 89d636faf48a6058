/**
 * Options shared by the analysis commands and the few steps every command takes with them: parse
 * and check them, load the data folder into the supplier graph, decide on colour, and write the
 * report to stdout or atomically to a file.
 */
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChalkInstance } from 'chalk';
import { InvalidArgumentError, type Command } from 'commander';
import { writeFailure, writeFileAtomically } from '../input/atomic-write.js';
import { builtInCountries } from '../input/countries.js';
import { loadDataset, TRADE_SPEC, type Dataset, type LoadFilter } from '../input/dataset.js';
import { UsageError } from '../input/problems.js';
import { buildSupplyGraph, type SupplyGraph } from '../graph/supply-graph.js';
import { tradeSlicesForLatestYears } from '../metrics/years.js';
import type { ToolInfo } from '../report/json.js';
import { conventionalName } from '../report/short-names.js';
import type { CliIo } from './io.js';
import { progressReporter } from './progress.js';

export const DEFAULT_IMPORTER = 'JPN';

export interface CommonOptions {
  data?: string;
  importer: string;
  year?: number;
  material?: string[];
  format?: string;
  json?: boolean;
  output?: string;
  color: boolean;
  quiet?: boolean;
}

export function defaultDataDir(): string {
  return fileURLToPath(new URL('../../data/', import.meta.url));
}

export function toolInfo(): ToolInfo {
  const require = createRequire(import.meta.url);
  const pkg = require('../../package.json') as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

export function parseYearOption(value: string): number {
  if (!/^\d{4}$/.test(value.trim())) throw new InvalidArgumentError('expected a four-digit year such as 2023.');
  return Number(value);
}

export function parseCountryOption(value: string): string {
  const code = value.trim();
  if (/^[A-Z][A-Z0-9]{2}$/.test(code)) return code;
  if (/^[a-z][a-z0-9]{2}$/.test(code)) throw new InvalidArgumentError(`country codes are upper-case: ${code.toUpperCase()}.`);
  throw new InvalidArgumentError('expected an ISO 3166-1 alpha-3 code such as JPN.');
}

export function parseListOption(value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list.');
  return items;
}

export function choice(allowed: readonly string[]) {
  return (value: string): string => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}.`);
    return value;
  };
}

/** The options of every analysis command. */
export function addDataOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data folder with production.csv, trade.csv and optional countries.csv (default: the embedded dataset)')
    .option('--importer <iso3>', 'importing country, ISO 3166-1 alpha-3', parseCountryOption, DEFAULT_IMPORTER)
    .option('--year <yyyy>', 'use this year for every block (default: the latest year of each source)', parseYearOption)
    .option('--material <list>', 'only these materials, comma-separated', parseListOption)
    .option('--output <file>', 'write the report to this file instead of stdout')
    .option('--no-color', 'no colour in the table (also NO_COLOR=1, or when stdout is not a terminal)')
    .option('--quiet', 'no warnings on stderr');
}

export interface LoadedData {
  dataset: Dataset;
  graph: SupplyGraph;
  dataDir: string;
}

/**
 * Loads the data folder, checks the importer against it and prints the data's warnings. With
 * `latestOnly`, for commands that analyse one year per block, trade of years no block reads is left
 * out of the graph (see tradeSlicesForLatestYears); every row is still read and checked.
 */
export async function loadGraph(
  options: CommonOptions,
  io: CliIo,
  filter: LoadFilter = {},
  { latestOnly = false }: { latestOnly?: boolean } = {},
): Promise<LoadedData> {
  const dataDir = options.data ? resolve(io.cwd, options.data) : defaultDataDir();
  const latest = latestOnly && options.year === undefined;
  const progress = progressReporter(io, options);
  let loaded: { dataset: Dataset; tradeSlices?: Set<string> };
  try {
    const withProgress = { ...filter, threads: readerThreads(io), ...(progress.listener ? { progress: progress.listener } : {}) };
    if (!latest) loaded = { dataset: await loadDataset(dataDir, withProgress) };
    else loaded = await loadLatestYears(dataDir, withProgress, options.importer, isLarge(join(dataDir, TRADE_SPEC.label)));
  } finally {
    progress.done();
  }
  const { dataset, tradeSlices } = loaded;
  if (!dataset.countries.has(options.importer)) {
    throw new UsageError(`--importer ${options.importer} is not an ISO 3166-1 alpha-3 code or a country of countries.csv`);
  }
  warn(io, options, dataset.warnings);
  const graph = buildSupplyGraph(dataset, tradeSlices ? { tradeSlices } : {});
  return { dataset, graph, dataDir };
}

/**
 * The data an analysis of the latest years reads, and the trade slices it needs. With `twoPass` (a
 * large trade history) a first pass checks every row and finds those years; the second keeps only
 * them, so memory follows the result, not the file. Both ways give the same dataset for the graph.
 */
export async function loadLatestYears(
  dataDir: string,
  filter: LoadFilter,
  importer: string,
  twoPass: boolean,
): Promise<{ dataset: Dataset; tradeSlices: Set<string> }> {
  if (!twoPass) {
    const dataset = await loadDataset(dataDir, filter);
    return { dataset, tradeSlices: tradeSlicesForLatestYears(dataset, importer) };
  }
  const survey = await loadDataset(dataDir, { ...filter, tradeSummaryOnly: true });
  const tradeSlices = tradeSlicesForLatestYears(survey, importer);
  const tradeYears = new Set([...tradeSlices].map((key) => Number(key.split('|')[2])));
  // The survey's years with trade stand for the whole file: they name the stages and years the data has.
  return { dataset: { ...(await loadDataset(dataDir, { ...filter, tradeYears })), importYears: survey.importYears, units: survey.units, coverage: survey.coverage, warnings: survey.warnings }, tradeSlices };
}

/** Threads for reading a large trade file: SUPPLY_RISK_THREADS, else one per core (at most 4). */
export function readerThreads(io: CliIo): number {
  const asked = Number(io.env.SUPPLY_RISK_THREADS);
  if (Number.isInteger(asked) && asked >= 1) return asked;
  return Math.min(4, availableParallelism());
}

/** Above this size a trade file is read in two passes (see loadGraph); below, one pass is quicker. */
const TWO_PASS_BYTES = 16 << 20;

function isLarge(path: string): boolean {
  try {
    return statSync(path).size > TWO_PASS_BYTES;
  } catch {
    return false;
  }
}

export function warn(io: CliIo, options: { quiet?: boolean }, warnings: readonly string[]): void {
  if (options.quiet) return;
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
}

/** Colour only for people: not with NO_COLOR, --no-color, TERM=dumb, a non-terminal stdout or a machine format. */
export async function chalkFor(io: CliIo, options: { color: boolean; output?: string }, machineFormat: boolean): Promise<ChalkInstance> {
  // Loaded here, not at start-up: machine formats never colour anything.
  const { Chalk } = await import('chalk');
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const toTerminal = io.stdoutIsTTY && !options.output;
  const enabled = !noColor && options.color && io.env.TERM !== 'dumb' && toTerminal && !machineFormat;
  return new Chalk({ level: enabled ? 1 : 0 });
}

/** Writes the report to stdout, or to --output through a temporary file and a rename. */
export async function emit(io: CliIo, options: { output?: string }, text: string): Promise<void> {
  if (!options.output) {
    io.stdout.write(text);
    return;
  }
  try {
    await writeFileAtomically(resolve(io.cwd, options.output), text);
  } catch (error) {
    throw new UsageError(`cannot write --output ${options.output} (${writeFailure(error)})`);
  }
}

export function resolveFormat(options: { format?: string; json?: boolean }, fallback = 'table'): string {
  if (options.json && options.format && options.format !== 'json') {
    throw new UsageError(`--json conflicts with --format ${options.format}`);
  }
  return options.json ? 'json' : (options.format ?? fallback);
}

/**
 * Country names for people (tables, markdown): the conventional short form of a long official name
 * ("Russian Federation" -> "Russia"); a name the data's countries.csv chose itself is kept as it is.
 */
export function countryNamer(dataset: Dataset): (code: string) => string {
  const official = builtInCountries();
  return (code) => {
    const name = dataset.countries.get(code)?.name ?? code;
    return name === official.get(code)?.name ? conventionalName(code, name) : name;
  };
}
