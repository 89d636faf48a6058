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
import { isStdoutName, SafeWriteError, writeFailure, writeFileSafely } from '../io/safe-write.js';
import { builtInCountries } from '../domain/countries.js';
import type { Dataset } from '../input/dataset.js';
import { PRODUCTION_SPEC, TRADE_SPEC, type LoadFilter } from '../input/loading.js';
import { isEmbeddedDataDir, prebuiltDataset } from '../input/prebuilt.js';
import { groupTagError } from '../domain/fields.js';
import { closestName, didYouMean } from '../policy/policy.js';
import { UsageError } from '../domain/problems.js';
import { buildSupplyGraph, type SupplyGraph } from '../graph/supply-graph.js';
import { sliceIndex } from '../graph/slices.js';
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
  /** trace's <material> argument, checked against the data like --material (not an option). */
  materialArgument?: string;
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
  const text = value.trim();
  if (/^\d{4}$/.test(text)) return Number(text);
  // 2021.0 (a spreadsheet's number), 2021.00: the year is plain, only written as a decimal.
  if (/^\d{4}\.0*$/.test(text)) throw new InvalidArgumentError(`expected a four-digit year: write ${text.slice(0, 4)}.`);
  throw new InvalidArgumentError('expected a four-digit year such as 2023.');
}

export function parseCountryOption(value: string): string {
  const code = value.trim();
  if (/^[A-Z][A-Z0-9]{2}$/.test(code)) return code;
  if (/^[A-Za-z][A-Za-z0-9]{2}$/.test(code)) throw new InvalidArgumentError(`country codes are upper-case: ${code.toUpperCase()}.`);
  const named = countryByName(code);
  if (named) throw new InvalidArgumentError(`expected an ISO 3166-1 alpha-3 code, not a country name (did you mean ${named.code} for ${named.name}?).`);
  throw new InvalidArgumentError('expected an ISO 3166-1 alpha-3 code such as JPN.');
}

/**
 * --importer: a country code as above, or a group tag of the data as written in countries.csv (`EU`,
 * `G7`, `Quad`, `like-minded`), which loadGraph checks once the data is read. A country name is never
 * taken for a tag, and three letters are always a country code.
 */
export function parseImporterOption(value: string): string {
  const code = value.trim();
  if (/^[A-Z][A-Z0-9]{2}$/.test(code)) return code;
  if (code.length !== 3 && groupTagError(code) === undefined && countryByName(code, { exact: true }) === undefined) return code;
  return parseCountryOption(code);
}

/**
 * The built-in country whose English name (or its conventional short form) is closest to `name`, or
 * with `exact` the one whose name it is, whatever the case.
 */
export function countryByName(name: string, { exact = false }: { exact?: boolean } = {}): { code: string; name: string } | undefined {
  if (name.length < 3) return undefined;
  const byName = new Map<string, { code: string; name: string }>();
  for (const [code, country] of builtInCountries()) {
    for (const known of [country.name, conventionalName(code, country.name)]) {
      if (!byName.has(known)) byName.set(known, { code, name: conventionalName(code, country.name) });
    }
  }
  const best = exact ? [...byName.keys()].find((known) => known.toLowerCase() === name.toLowerCase()) : closestName(name, byName.keys());
  return best === undefined ? undefined : byName.get(best);
}

export function parseListOption(value: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list.');
  return items;
}

/** A repeatable list option: `--material a --material b,c` gives [a, b, c] (duplicates dropped). */
export function collectListOption(value: string, previous: string[] | undefined): string[] {
  return [...new Set([...(previous ?? []), ...parseListOption(value)])];
}

export function choice(allowed: readonly string[]) {
  return (value: string): string => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}.`);
    return value;
  };
}

/**
 * The options of the analysis commands, in pieces, so that each command declares only what it
 * accepts (trace takes its material as an argument, trend its years as --from/--to).
 */
export function addSourceOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data folder with production.csv, trade.csv and optional countries.csv (default: the embedded dataset)')
    .option('--importer <iso3>', 'importing country, ISO 3166-1 alpha-3 (or a group tag of the data, such as EU)', parseImporterOption, DEFAULT_IMPORTER);
}

export function addYearOption(command: Command): Command {
  return command.option('--year <yyyy>', 'use this year for every block (default: the latest year of each source)', parseYearOption);
}

export function addMaterialOption(command: Command): Command {
  return command.option('--material <list>', 'only these materials, comma-separated; repeatable (default: all)', collectListOption);
}

export function addOutputOptions(command: Command, what = 'the report'): Command {
  return command
    .option('--output <file>', `write ${what} to this file instead of stdout ("-": stdout)`)
    .option('--no-color', 'no colour in the table (also NO_COLOR=1, or when stdout is not a terminal)')
    .option('--quiet', 'no warnings on stderr');
}

/** Every data option: --data, --importer, --year, --material, --output, --no-color, --quiet. */
export function addDataOptions(command: Command): Command {
  return addOutputOptions(addMaterialOption(addYearOption(addSourceOptions(command))));
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
    const withProgress = { ...filter, ...readerOptions(io), ...(progress.listener ? { progress: progress.listener } : {}) };
    if (!latest) loaded = { dataset: await readDataset(dataDir, withProgress) };
    else loaded = await loadLatestYears(dataDir, withProgress, options.importer, isLarge(join(dataDir, TRADE_SPEC.label)));
  } finally {
    progress.done();
  }
  const { dataset, tradeSlices } = loaded;
  const isGroup = (tag: string): boolean => [...dataset.countries.values()].some((country) => country.groups.includes(tag));
  if (!dataset.countries.has(options.importer) && !isGroup(options.importer)) {
    if (options.importer.length !== 3) {
      // Taken as a group tag while parsing (EU, G7): no group of the data carries it.
      const groups = [...new Set([...dataset.countries.values()].flatMap((country) => country.groups))].sort();
      const known = groups.length > 0 ? `; groups in the data: ${groups.join(', ')}` : '; the data defines no groups (countries.csv `groups`)';
      const named = countryByName(options.importer);
      const hint = didYouMean(options.importer, groups) || (named ? ` (did you mean ${named.code} for ${named.name}?)` : '');
      throw new UsageError(`--importer ${options.importer} is neither a country code nor a group of the data${hint}${known}`);
    }
    const named = countryByName(options.importer);
    const hint = named ? ` (did you mean ${named.code} for ${named.name}?)` : '';
    throw new UsageError(`--importer ${options.importer} is not an ISO 3166-1 alpha-3 code or a country of countries.csv${hint}`);
  }
  if (filter.years) await assertYearsHaveData(dataset, dataDir, filter, options, io);
  const graph = buildSupplyGraph(dataset, tradeSlices ? { tradeSlices } : {});
  assertMaterialsKnown(graph, options);
  // After the checks of the command line: a usage error is not buried under the data's warnings.
  warn(io, options, dataset.warnings);
  return { dataset, graph, dataDir };
}

/**
 * A year filter that matched no row of a folder that has rows: a usage error naming the years the
 * data does have (found by a second, summary-only read; this happens only on the error path).
 */
async function assertYearsHaveData(dataset: Dataset, dataDir: string, filter: LoadFilter, options: CommonOptions, io: CliIo): Promise<void> {
  const facts = dataset.stats.filter((file) => file.file === PRODUCTION_SPEC.label || file.file === TRADE_SPEC.label);
  const used = facts.reduce((total, file) => total + file.rowsUsed, 0);
  const skipped = facts.reduce((total, file) => total + file.rowsSkipped, 0);
  if (used > 0 || skipped === 0) return;
  const { years: _ignored, ...rest } = filter;
  const survey = await readDataset(dataDir, { ...rest, tradeSummaryOnly: true, ...readerOptions(io) });
  const production = new Set(survey.production.map((fact) => fact.year));
  const trade = new Set([...survey.importYears.values()].flatMap((years) => [...years]));
  const all = new Set([...production, ...trade]);
  const asked = [...(filter.years ?? [])].sort((a, b) => a - b);
  const wanted = options.year !== undefined ? `--year ${options.year}` : `the years ${yearList(asked)}`;
  if (all.size === 0) return;
  const parts = [production.size > 0 ? `production ${yearList([...production])}` : '', trade.size > 0 ? `trade ${yearList([...trade])}` : ''].filter(Boolean);
  throw new UsageError(`no data for ${wanted}; the data has years ${yearList([...all])} (${parts.join(', ')})`);
}

/** 2015, 2017-2019, 2021: a sorted list of years with runs folded. */
export function yearList(years: readonly number[]): string {
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j += 1;
    runs.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return runs.join(', ');
}

/** --material (and trace's argument) against the data, with the closest known id for a typo or a wrong case. */
function assertMaterialsKnown(graph: SupplyGraph, options: CommonOptions): void {
  const asked = [...(options.material ?? []), ...(options.materialArgument !== undefined ? [options.materialArgument] : [])];
  if (asked.length === 0) return;
  const available = sliceIndex(graph).materials();
  const unknown = asked.filter((material) => !available.includes(material));
  if (unknown.length === 0) return;
  const named = unknown.map((material) => `${material}${didYouMean(material, available)}`).join(', ');
  const year = options.year !== undefined ? ` in ${options.year}` : '';
  throw new UsageError(`no data for material ${named}${year}; the data has: ${available.join(', ') || '(none)'}`);
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
    const dataset = await readDataset(dataDir, filter);
    return { dataset, tradeSlices: tradeSlicesForLatestYears(dataset, importer, importerMembers(dataset, importer)) };
  }
  const survey = await readDataset(dataDir, { ...filter, tradeSummaryOnly: true });
  const tradeSlices = tradeSlicesForLatestYears(survey, importer, importerMembers(survey, importer));
  const tradeYears = new Set([...tradeSlices].map((key) => Number(key.split('|')[2])));
  // The survey's years with trade stand for the whole file: they name the stages and years the data has.
  return {
    dataset: {
      ...(await readDataset(dataDir, { ...filter, tradeYears })),
      importYears: survey.importYears,
      units: survey.units,
      coverage: survey.coverage,
      warnings: survey.warnings,
    },
    tradeSlices,
  };
}

/**
 * loadDataset (input/dataset.ts), except that the embedded data read in full comes from its copy
 * prebuilt by `npm run build` while that is what data/ holds (input/prebuilt.ts). The CSV readers
 * are loaded only when files are read.
 */
async function readDataset(dataDir: string, filter: LoadFilter): Promise<Dataset> {
  const whole = !filter.years && !filter.materials && !filter.tradeYears && !filter.tradeSummaryOnly;
  const prebuilt = whole && filter.fastPath !== false && isEmbeddedDataDir(dataDir) ? prebuiltDataset(dataDir) : null;
  if (prebuilt) return prebuilt;
  const { loadDataset } = await import('../input/dataset.js');
  return loadDataset(dataDir, filter);
}

/** The countries an --importer stands for: itself, or the members of the group it names. */
function importerMembers(dataset: Dataset, importer: string): string[] {
  if (dataset.countries.has(importer)) return [importer];
  return [...dataset.countries.values()].filter((country) => country.groups.includes(importer)).map((country) => country.code);
}

/**
 * How the data folder is read: the threads below, and SUPPLY_RISK_FAST_PATH=0 to read every line
 * through csv-parse (no byte-level reader, no threads, no prebuilt embedded data). Both ways give
 * the same bytes out; the switch is there to show it and to rule the fast path out when in doubt.
 */
export function readerOptions(io: CliIo): { threads: number; fastPath: boolean } {
  const raw = io.env.SUPPLY_RISK_FAST_PATH;
  if (raw !== undefined && !['', '0', '1'].includes(raw.trim())) {
    throw new UsageError(`SUPPLY_RISK_FAST_PATH=${JSON.stringify(raw).slice(1, -1)} must be 0 (off) or 1 (on, the default)`);
  }
  const fastPath = raw?.trim() !== '0';
  return { threads: fastPath ? readerThreads(io) : 1, fastPath };
}

/**
 * Threads for reading a large trade file: SUPPLY_RISK_THREADS (a whole number >= 1; unset or empty
 * means the default), else one per core (at most 4). Anything else is a usage error naming it.
 */
export function readerThreads(io: CliIo): number {
  const raw = io.env.SUPPLY_RISK_THREADS;
  if (raw === undefined || raw.trim() === '') return Math.min(4, availableParallelism());
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`SUPPLY_RISK_THREADS=${JSON.stringify(raw).slice(1, -1)} is not a whole number of threads (1 or more; 1 turns worker threads off)`);
  }
  return Number(raw);
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
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const toTerminal = io.stdoutIsTTY && (!options.output || isStdoutName(options.output));
  const enabled = !noColor && options.color && io.env.TERM !== 'dumb' && toTerminal && !machineFormat;
  if (!enabled) return plainChalk();
  // Loaded here, and only for colour: output to a file, a pipe or a machine format never needs it.
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

/**
 * What chalk at level 0 is, without loading chalk: every style gives its text unchanged (one
 * argument as '' + it, several joined by a space), `visible` gives '', styles chain, and the
 * colour-model functions (hex, rgb, ...) give a style. Anything else is the plain function's own.
 */
function plainChalk(): ChalkInstance {
  const make = (empty: boolean): unknown => {
    const style = (...texts: unknown[]): string => (empty ? '' : texts.length === 1 ? '' + texts[0] : texts.join(' '));
    const chained: unknown = new Proxy(style, {
      get: (target, property, receiver) => {
        if (property === 'level') return 0;
        if (property === 'visible') return make(true);
        if (typeof property === 'string' && CHALK_STYLES.has(property)) return chained;
        if (typeof property === 'string' && CHALK_MODELS.has(property)) return () => chained;
        return Reflect.get(target, property, receiver);
      },
    });
    return chained;
  };
  return make(false) as ChalkInstance;
}

/** chalk's style names (its modifierNames, foregroundColorNames and backgroundColorNames) and colour-model functions. */
const CHALK_STYLES = new Set([
  ...['reset', 'bold', 'dim', 'italic', 'underline', 'overline', 'inverse', 'hidden', 'strikethrough'],
  ...['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'blackBright', 'gray', 'grey'],
  ...['redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright'],
  ...['bgBlack', 'bgRed', 'bgGreen', 'bgYellow', 'bgBlue', 'bgMagenta', 'bgCyan', 'bgWhite', 'bgBlackBright', 'bgGray', 'bgGrey'],
  ...['bgRedBright', 'bgGreenBright', 'bgYellowBright', 'bgBlueBright', 'bgMagentaBright', 'bgCyanBright', 'bgWhiteBright'],
]);
const CHALK_MODELS = new Set(['rgb', 'hex', 'ansi256', 'bgRgb', 'bgHex', 'bgAnsi256']);

/**
 * Writes the report to stdout (no --output, or `--output -`), or to the --output file by the rules
 * of src/io/safe-write.ts: a regular file is replaced atomically, keeping its mode; a symbolic link
 * is followed; a device, FIFO or socket is written to in place; a read-only file or a directory is
 * refused (exit 2) and left as it is.
 */
export async function emit(io: CliIo, options: { output?: string }, text: string): Promise<void> {
  if (!options.output || isStdoutName(options.output)) {
    io.stdout.write(text);
    return;
  }
  try {
    await writeFileSafely(resolve(io.cwd, options.output), text);
  } catch (error) {
    // A pipe named as the output (--output /dev/stdout | head) whose reader left: as for stdout.
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'EPIPE') return;
    if (error instanceof SafeWriteError && error.code === 'EREADONLY') {
      throw new UsageError(`--output ${options.output} is ${writeFailure(error)}; it was left as it is (make it writable, or choose another file)`);
    }
    if (error instanceof SafeWriteError && error.code === 'EISDIR') {
      throw new UsageError(`--output ${options.output} is a directory; name a file in it, or "-" for stdout`);
    }
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
    if (!dataset.countries.has(code)) {
      // A group importer (--importer EU) names its size: "group of 27 countries (EU)".
      const members = [...dataset.countries.values()].filter((country) => country.groups.includes(code)).length;
      if (members > 0) return `group of ${members} ${members === 1 ? 'country' : 'countries'}`;
    }
    const name = dataset.countries.get(code)?.name ?? code;
    return name === official.get(code)?.name ? conventionalName(code, name) : name;
  };
}
