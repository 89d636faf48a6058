/**
 * Command-line wiring: declares the commands, loads each one's module only when it runs, and is the
 * single place that maps errors to exit codes (0 ok, 1 policy breach, 2 usage, input or internal
 * error). It never calls process.exit(): the exit code is returned so piped output is never cut.
 */
import { Command, CommanderError, Option } from 'commander';
import { formatProblem, InputError, UsageError } from '../input/problems.js';
import { addDataOptions, choice, toolInfo, type CommonOptions } from './common.js';
import { processIo, type CliIo } from './io.js';

export const EXIT = { ok: 0, breach: 1, error: 2 } as const;

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
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
    .action(async (options: CommonOptions) => {
      const { runReport } = await import('./commands/report.js');
      setExitCode(await runReport(options, io));
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
    if (count > 1) io.stderr.write(`${count} problems found; nothing was reported. Run \`supply-risk validate\` for a per-file summary.\n`);
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
