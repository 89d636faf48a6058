/**
 * Command-line wiring: declares the commands, loads each one's module only when it runs, and is the
 * single place that maps errors to exit codes (0 ok, 1 policy breach, 2 usage, input or internal
 * error). It never ends the process itself: the exit code is returned so piped output is never cut.
 */
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { formatProblem, InputError, UsageError, type Problem } from '../domain/problems.js';
import {
  addDataOptions,
  addMaterialOption,
  addOutputOptions,
  addSourceOptions,
  addYearOption,
  choice,
  parseCountryOption,
  parseYearOption,
  toolInfo,
  type CommonOptions,
} from './common.js';
import { outputFailed, processIo, type CliIo } from './io.js';
import { declareImportCommand } from './commands/import.js';
import { addPolicyOptions, explicit, parsePoints, type PolicyOptions } from './policy-options.js';
import type { GateRules } from '../metrics/diff.js';
import { STAGES, type Stage } from '../domain/fields.js';

export const EXIT = { ok: 0, breach: 1, error: 2 } as const;

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  tuneV8(argv);
  // Only `diff` parses --fail-on, and commander parses synchronously: its module is loaded before parsing, for diff only.
  if (argv.includes('diff')) gateConditions = (await import('../metrics/diff.js')).parseConditions;
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const github = error instanceof InputError && githubFormat(argv);
    return reportError(error, io, github ? (await import('../report/gaps-render.js')).problemAnnotation : undefined);
  }
  return outputFailed() ? EXIT.error : exitCode;
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('supply-risk')
    .description('Supply-chain dependency risk of critical minerals: concentration, import exposure, traced origins.')
    .version(toolInfo().version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  addDataOptions(program.command('report'))
    .description("concentration of world production and the importer's exposure, per material and stage")
    .addOption(new Option('--format <format>', 'table, json, csv or markdown').argParser(choice(['table', 'json', 'csv', 'markdown'])))
    .option('--json', 'same as --format json')
    .option('--policy <file>', 'policy file (JSON) for the gaps and risk levels in the JSON report')
    .action(async (options: CommonOptions & { policy?: string }, command: Command) => {
      const { runReport } = await import('./commands/report.js');
      setExitCode(await runReport({ ...options, importerExplicit: explicit(command, 'importer') }, io));
    });

  addPolicyOptions(addDataOptions(program.command('gaps')))
    .description('diversification gaps against the policy, most severe first: volume to move, proposed suppliers, what stays unfilled')
    .addOption(new Option('--format <format>', 'table, json or markdown').argParser(choice(['table', 'json', 'markdown'])))
    .option('--json', 'same as --format json')
    .action(async (options: PolicyOptions, command: Command) => {
      const { runGaps } = await import('./commands/gaps.js');
      setExitCode(await runGaps({ ...options, importerExplicit: explicit(command, 'importer') }, io));
    });

  addPolicyOptions(addDataOptions(program.command('check')))
    .description('CI gate: exit 1 when any gap is not accepted by the policy, 0 otherwise, 2 on invalid data or policy')
    .addOption(new Option('--format <format>', 'table, json, markdown or github').argParser(choice(['table', 'json', 'markdown', 'github'])))
    .option('--json', 'same as --format json')
    .option('--no-exit-code', 'report open gaps but exit 0')
    .option('--baseline <dir>', "fail only on what is new or worse than the same check on this data folder (e.g. the base branch's data/)")
    .option('--tolerance <pp>', "with --baseline: share points of supply a gap's excess may grow before it counts as worse (default 1)", parsePercentagePoints)
    .option('--reliance-up <pp>', 'with --baseline: also fail when import reliance rose by more than PP percentage points', parsePercentagePoints)
    .option('--geopol-up <x>', 'with --baseline: also fail when GeoPolRisk rose by more than X', parseFraction)
    .action(
      async (
        options: PolicyOptions & { exitCode: boolean; baseline?: string; tolerance?: number; relianceUp?: number; geopolUp?: number },
        command: Command,
      ) => {
        const { runCheck } = await import('./commands/check.js');
        setExitCode(await runCheck({ ...options, importerExplicit: explicit(command, 'importer') }, io));
      },
    );

  addPolicyOptions(addDataOptions(program.command('diff')))
    .description('changes between the report on --base DIR and on --data: concentration, reliance, shares, gaps')
    .requiredOption('--base <dir>', 'the data folder to compare with (e.g. the previous version of data/)')
    .option('--fail-on-increase <points>', 'exit 1 when any supplier HHI rose by more than POINTS (same as --fail-on hhi-up:POINTS)', parsePoints)
    .option(
      '--fail-on <conditions>',
      'exit 1 when any of these holds, comma-separated: new-gap, worse-gap[:PP], risk-up, unknown, reliance-up:PP, hhi-up:POINTS, geopol-up:X, all',
      parseFailOn,
    )
    .addOption(new Option('--format <format>', 'table, json or markdown').argParser(choice(['table', 'json', 'markdown'])))
    .option('--json', 'same as --format json')
    .action(async (options: PolicyOptions & { base: string; failOnIncrease?: number; failOn?: GateRules }, command: Command) => {
      const { runDiff } = await import('./commands/diff.js');
      setExitCode(await runDiff({ ...options, importerExplicit: explicit(command, 'importer') }, io));
    });

  addPolicyOptions(addDataOptions(program.command('shock')))
    .description(
      "what-if: a country's supply falls by --fraction; the importer's lost share (direct, via third countries), what candidates could replace, the shortfall",
    )
    .requiredOption('--country <iso3>', 'the country whose supply falls, ISO 3166-1 alpha-3', parseCountryOption)
    .option('--fraction <f>', 'share of its supply that stops, 0..1', parseFraction, 1)
    .addOption(new Option('--stage <stage>', `${STAGES.join(', ')} or all`).argParser(choice([...STAGES, 'all'])).default('all'))
    .addOption(new Option('--format <format>', 'table, json or markdown').argParser(choice(['table', 'json', 'markdown'])))
    .option('--json', 'same as --format json')
    .action(async (options: PolicyOptions & { country: string; fraction: number; stage: Stage | 'all' }, command: Command) => {
      const { runShock } = await import('./commands/shock.js');
      setExitCode(await runShock({ ...options, importerExplicit: explicit(command, 'importer') }, io));
    });

  addOutputOptions(addYearOption(addSourceOptions(program.command('trace'))))
    .addOption(refusedOption('--material <list>', 'trace takes the material as its argument, not --material'))
    .description("the chain behind the importer's supply of one material: mine origins -> refiners (magnet makers, or shippers) -> importer")
    .argument('<material>', 'material id, e.g. cobalt')
    .addOption(new Option('--stage <stage>', `${STAGES.join(', ')} (default: refining when the importer has refining data)`).argParser(choice(STAGES)))
    .option('--min-share <fraction>', 'fold links below this share of supply into "other"', parseFraction, 0.01)
    .addOption(new Option('--format <format>', 'table, json, dot or mermaid').argParser(choice(['table', 'json', 'dot', 'mermaid'])))
    .option('--json', 'same as --format json')
    .action(async (material: string, options: CommonOptions & { stage?: Stage; minShare: number }) => {
      const { runTrace } = await import('./commands/trace.js');
      setExitCode(await runTrace(material, { ...options, materialArgument: material }, io));
    });

  addOutputOptions(addMaterialOption(addSourceOptions(program.command('trend'))))
    .addOption(refusedOption('--year <yyyy>', 'trend covers many years: use --from and --to instead of --year'))
    .description('per year: world HHI, top producer, import reliance, top supplier and top origin shares, with sparklines')
    .option('--from <yyyy>', 'first year (default: the first year of the data)', parseYearOption)
    .option('--to <yyyy>', 'last year (default: the last year of the data)', parseYearOption)
    .option('--average <n>', 'N-year rolling means (the EU criticality method uses 5)', parseWindow, 1)
    .addOption(new Option('--format <format>', 'table, json or csv').argParser(choice(['table', 'json', 'csv'])))
    .option('--json', 'same as --format json')
    .action(async (options: CommonOptions & { from?: number; to?: number; average: number }) => {
      const { runTrend } = await import('./commands/trend.js');
      setExitCode(await runTrend(options, io));
    });

  program
    .command('validate')
    .description('check a data folder: rows read, used and rejected per file, every problem found, and data-sanity warnings')
    .option('--data <dir>', 'data folder (default: the embedded dataset)')
    .addOption(new Option('--format <format>', 'table or json').argParser(choice(['table', 'json'])).default('table'))
    .option('--json', 'same as --format json')
    .option('--output <file>', 'write the summary to this file instead of stdout ("-": stdout)')
    .option('--quiet', 'no warnings on stderr')
    .option('--strict', 'exit 1 on data-integrity warnings (duplicate rows, implausible year-to-year jumps): a CI gate')
    .action(async (options: { data?: string; format: string; json?: boolean; output?: string; quiet?: boolean; strict?: boolean }, command: Command) => {
      const { runValidate } = await import('./commands/validate.js');
      const { json, ...rest } = options;
      if (json && explicit(command, 'format') && options.format !== 'json') throw new UsageError(`--json conflicts with --format ${options.format}`);
      setExitCode(await runValidate({ ...rest, format: json ? 'json' : options.format }, io));
    });

  program
    .command('schema')
    .description("print the JSON Schema of a command's JSON output (default: report)")
    .argument('[command]', 'report, gaps, check, diff, shock, trace, trend, validate or import')
    .option('--output <file>', 'write it to this file instead of stdout ("-": stdout)')
    .option('--out-dir <dir>', "write every command's schema to DIR/<command>.schema.json")
    .action(async (command: string | undefined, options: { output?: string; outDir?: string }) => {
      const { runSchema } = await import('./commands/schema.js');
      setExitCode(await runSchema(command, options, io));
    });

  declareImportCommand(program, io, setExitCode);

  for (const command of program.commands) {
    command.exitOverride().configureOutput(program.configureOutput());
    // --format has no commander default (an explicit one is told apart from --json by its absence),
    // so its help names the default in words: every command falls back to the table.
    const format = command.options.find((option) => option.long === '--format');
    if (format && format.defaultValue === undefined && !format.description.includes('default')) format.description += ' (default: table)';
    // Examples after the options; a declaration that brings its own keeps them.
    const examples = EXAMPLES[command.name()];
    const ownHelpText = (command as unknown as NodeJS.EventEmitter).listenerCount('afterHelp') > 0;
    if (examples && !ownHelpText) command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  $ ${line}`).join('\n')}`);
  }
  program.addHelpText('after', '\nRun `supply-risk COMMAND --help` for the options and examples of a command.');
  return program;
}

/** Whether the command line asks for --format github (its input problems then become annotations). */
function githubFormat(argv: readonly string[]): boolean {
  return argv.some((arg, i) => arg === '--format=github' || (arg === '--format' && argv[i + 1] === 'github'));
}

function reportError(error: unknown, io: CliIo, annotate?: (problem: Problem) => string): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message; help and version are not errors. Help printed
    // because no command was given (to stderr, exit code 1 from commander) is a usage error.
    const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return benign.includes(error.code) && error.exitCode === 0 ? EXIT.ok : EXIT.error;
  }
  if (error instanceof InputError) {
    for (const problem of error.problems) io.stderr.write(annotate ? `${annotate(problem)}\n` : `error: ${formatProblem(problem)}\n`);
    if (error.omitted > 0) io.stderr.write(`error: ... and ${error.omitted} more problems (only the first 50 of each file are listed)\n`);
    const count = error.problems.length + error.omitted;
    const inData = error.problems.some((problem) => problem.file.endsWith('.csv'));
    const hint = inData ? ' Run `supply-risk validate` for a per-file summary.' : '';
    if (count > 1) io.stderr.write(`${count} problems found; nothing was reported.${hint}\n`);
    return EXIT.error;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT.error;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`internal error: ${message}\n`);
  if (io.env.SUPPLY_RISK_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('This is a bug in supply-risk; set SUPPLY_RISK_DEBUG=1 for details.\n');
  return EXIT.error;
}

/**
 * An option a command does not take but that users reach for (trace --material, trend --year):
 * hidden from --help, and refused while parsing with the way to say it instead.
 */
function refusedOption(flags: string, why: string): Option {
  return new Option(flags).hideHelp().argParser(() => {
    throw new InvalidArgumentError(`${why}.`);
  });
}

/** One or two typical runs per command, shown at the end of its --help. */
const EXAMPLES: Record<string, string[]> = {
  report: ['supply-risk report --material cobalt,graphite', 'supply-risk report --json --output report.json'],
  gaps: ['supply-risk gaps --partner-groups like-minded,G7', 'supply-risk gaps --policy policy.json --format markdown'],
  check: ['supply-risk check --policy policy.json', 'supply-risk check --policy policy.json --format github'],
  diff: ['supply-risk diff --base ../previous/data', 'supply-risk diff --base ../previous/data --fail-on-increase 100'],
  shock: ['supply-risk shock --country CHN', 'supply-risk shock --country COD --fraction 0.5 --material cobalt'],
  trace: ['supply-risk trace cobalt', 'supply-risk trace graphite --stage mining --format mermaid'],
  trend: ['supply-risk trend --material lithium', 'supply-risk trend --from 2015 --to 2023 --average 5 --format csv'],
  validate: ['supply-risk validate --data ./data', 'supply-risk validate --data ./data --json'],
  schema: ['supply-risk schema', 'supply-risk schema --output report.schema.json'],
  import: ['supply-risk import usgs-mcs mcs2024.csv --out ./data', 'supply-risk import comtrade comtrade.csv --country JPN --years 2019-2021 --out ./data'],
};

/** A fraction 0..1 (shock --fraction, trace --min-share). */
function parseFraction(value: string): number {
  const number = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1)
    throw new InvalidArgumentError('expected a fraction from 0 to 1, such as 0.5.');
  return number;
}

/** Percentage points 0..100, returned as a fraction (check --tolerance, --reliance-up). */
function parsePercentagePoints(value: string): number {
  const number = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 100)
    throw new InvalidArgumentError('expected percentage points from 0 to 100, such as 1 or 2.5.');
  return number / 100;
}

/** metrics/diff.ts's parseConditions, loaded by main() when the command line names diff. */
let gateConditions: ((value: string) => GateRules) | undefined;

/** diff --fail-on: the conditions of metrics/diff.ts (loaded by main: commander parses synchronously). */
function parseFailOn(value: string): GateRules {
  if (!gateConditions) throw new Error('diff --fail-on parsed before metrics/diff.js was loaded');
  try {
    return gateConditions(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

/** A rolling-mean window in years (trend --average). */
function parseWindow(value: string): number {
  if (!/^\d{1,2}$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of years from 1 to 99.');
  return Number(value);
}

/**
 * A run is short, and what it keeps (the trade table, the graph) is small or off the JavaScript
 * heap. Two V8 settings follow from that, set at run time (each applies from its next use on):
 *
 * - Left alone, V8 grows its young generation up to 16 MiB semi-spaces as soon as a run allocates
 *   briskly, which on a large file cost 25 to 30 MB of memory and no speed (report --year on 2M
 *   rows: 80 MB instead of about 108 MB, as fast or faster; trend within noise). So the young
 *   generation keeps its starting size.
 * - On the embedded data (no --data), V8 considers optimizing a function only after 500 KB of its
 *   bytecode has run instead of about 66 KB (its interrupt budget). Such a run calls hundreds of
 *   functions just past the usual point, once each material: much of what the optimizing compiler
 *   built was used briefly or not at all, and its work touched a quarter of the run's new memory
 *   pages (3,200 of 12,700 page faults; a fresh page costs about 10 microseconds on these
 *   machines). With the larger budget the embedded report takes about 400 ms instead of 460
 *   (docs/design.md). A folder given with --data may be large: there the default stays, since
 *   trend on 2M rows took 4.6-4.9 s with the larger budget against 4.3 s without.
 */
function tuneV8(argv: readonly string[]): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  const ownData = argv.some((arg) => arg === '--data' || arg.startsWith('--data='));
  if (!ownData) setFlagsFromString('--interrupt-budget=500000');
}
