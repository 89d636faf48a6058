/**
 * Command-line wiring: declares the commands, loads each one's module only when it runs, and is the
 * single place that maps errors to exit codes (0 ok, 1 policy breach, 2 usage, input or internal
 * error). It never ends the process itself: the exit code is returned so piped output is never cut.
 */
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { formatProblem, InputError, UsageError } from '../input/problems.js';
import { addDataOptions, choice, parseCountryOption, parseYearOption, toolInfo, type CommonOptions } from './common.js';
import { processIo, type CliIo } from './io.js';
import { declareImportCommand } from './commands/import.js';
import { addPolicyOptions, explicit, parsePoints, type PolicyOptions } from './policy-options.js';

export const EXIT = { ok: 0, breach: 1, error: 2 } as const;

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  keepYoungGenerationSmall();
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    return reportError(error, io);
  }
  return exitCode;
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
    .description('concentration of world production and the importer\'s exposure, per material and stage')
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
    .action(async (options: PolicyOptions & { exitCode: boolean }, command: Command) => {
      const { runCheck } = await import('./commands/check.js');
      setExitCode(await runCheck({ ...options, importerExplicit: explicit(command, 'importer') }, io));
    });

  addPolicyOptions(addDataOptions(program.command('diff')))
    .description('changes between the report on --base DIR and on --data: concentration, reliance, shares, gaps')
    .requiredOption('--base <dir>', 'the data folder to compare with (e.g. the previous version of data/)')
    .option('--fail-on-increase <points>', 'exit 1 when any supplier HHI rose by more than POINTS', parsePoints)
    .addOption(new Option('--format <format>', 'table, json or markdown').argParser(choice(['table', 'json', 'markdown'])))
    .option('--json', 'same as --format json')
    .action(async (options: PolicyOptions & { base: string; failOnIncrease?: number }, command: Command) => {
      const { runDiff } = await import('./commands/diff.js');
      setExitCode(await runDiff({ ...options, importerExplicit: explicit(command, 'importer') }, io));
    });

  addPolicyOptions(addDataOptions(program.command('shock')))
    .description("what-if: a country's supply falls by --fraction; the importer's lost share (direct, via third countries), what candidates could replace, the shortfall")
    .requiredOption('--country <iso3>', 'the country whose supply falls, ISO 3166-1 alpha-3', parseCountryOption)
    .option('--fraction <f>', 'share of its supply that stops, 0..1', parseFraction, 1)
    .addOption(new Option('--stage <stage>', 'mining, refining or all').argParser(choice(['mining', 'refining', 'all'])).default('all'))
    .addOption(new Option('--format <format>', 'table, json or markdown').argParser(choice(['table', 'json', 'markdown'])))
    .option('--json', 'same as --format json')
    .action(async (options: PolicyOptions & { country: string; fraction: number; stage: 'mining' | 'refining' | 'all' }, command: Command) => {
      const { runShock } = await import('./commands/shock.js');
      setExitCode(await runShock({ ...options, importerExplicit: explicit(command, 'importer') }, io));
    });

  addDataOptions(program.command('trace'))
    .description('the chain behind the importer\'s supply of one material: mine origins -> refiners (or shippers) -> importer')
    .argument('<material>', 'material id, e.g. cobalt')
    .addOption(new Option('--stage <stage>', 'mining or refining (default: refining when the importer has refining data)').argParser(choice(['mining', 'refining'])))
    .option('--min-share <fraction>', 'fold links below this share of supply into "other"', parseFraction, 0.01)
    .addOption(new Option('--format <format>', 'table, json, dot or mermaid').argParser(choice(['table', 'json', 'dot', 'mermaid'])))
    .option('--json', 'same as --format json')
    .action(async (material: string, options: CommonOptions & { stage?: 'mining' | 'refining'; minShare: number }) => {
      const { runTrace } = await import('./commands/trace.js');
      setExitCode(await runTrace(material, options, io));
    });

  addDataOptions(program.command('trend'))
    .description('per year: world HHI, top producer, import reliance, top supplier and top origin shares, with sparklines')
    .option('--from <yyyy>', 'first year', parseYearOption)
    .option('--to <yyyy>', 'last year', parseYearOption)
    .option('--average <n>', 'N-year rolling means (the EU criticality method uses 5)', parseWindow, 1)
    .addOption(new Option('--format <format>', 'table, json or csv').argParser(choice(['table', 'json', 'csv'])))
    .option('--json', 'same as --format json')
    .action(async (options: CommonOptions & { from?: number; to?: number; average: number }) => {
      const { runTrend } = await import('./commands/trend.js');
      setExitCode(await runTrend(options, io));
    });

  program
    .command('validate')
    .description('check a data folder: rows read, used and rejected per file, and every problem found')
    .option('--data <dir>', 'data folder (default: the embedded dataset)')
    .addOption(new Option('--format <format>', 'table or json').argParser(choice(['table', 'json'])).default('table'))
    .option('--output <file>', 'write the summary to this file instead of stdout')
    .option('--quiet', 'no warnings on stderr')
    .action(async (options: { data?: string; format: string; output?: string; quiet?: boolean }) => {
      const { runValidate } = await import('./commands/validate.js');
      setExitCode(await runValidate(options, io));
    });

  program
    .command('schema')
    .description('print the JSON Schema of the report (`report --format json`)')
    .option('--output <file>', 'write it to this file instead of stdout')
    .action(async (options: { output?: string }) => {
      const { runSchema } = await import('./commands/schema.js');
      setExitCode(await runSchema(options, io));
    });

  declareImportCommand(program, io, setExitCode);

  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message; help and version are not errors.
    const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return benign.includes(error.code) ? EXIT.ok : EXIT.error;
  }
  if (error instanceof InputError) {
    for (const problem of error.problems) io.stderr.write(`error: ${formatProblem(problem)}\n`);
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

/** A fraction 0..1 (shock --fraction, trace --min-share). */
function parseFraction(value: string): number {
  const number = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) throw new InvalidArgumentError('expected a fraction from 0 to 1, such as 0.5.');
  return number;
}

/** A rolling-mean window in years (trend --average). */
function parseWindow(value: string): number {
  if (!/^\d{1,2}$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of years from 1 to 99.');
  return Number(value);
}

/**
 * A run is short, and what it keeps (the trade table, the graph) is small or off the JavaScript
 * heap. Left alone, V8 grows its young generation up to 16 MiB semi-spaces as soon as a run
 * allocates briskly, which on a large file cost 25 to 30 MB of memory and no speed (report --year
 * on 2M rows: 80 MB instead of about 108 MB, as fast or faster; trend within noise). So the young
 * generation keeps its starting size. Set at run time, the flag applies from the next growth on.
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
