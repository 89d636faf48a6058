/**
 * `supply-risk import <source> FILE... [--out DIR] [--hs-map FILE] [--years A-B] [--groups FILE]
 * [--country ISO3] [--materials LIST] [--stages LIST]`: runs one importer (src/importers)
 * and writes the data contract files. The summary (read, kept, skipped and why) goes to stderr;
 * with no --out the CSV goes to stdout.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { STAGES, type Stage } from '../../domain/fields.js';
import type { ImportOptions } from '../../importers/index.js';
import { summaryLines } from '../../importers/types.js';
import type { YearRange } from '../../importers/values.js';
import { UsageError } from '../../domain/problems.js';
import { defaultDataDir, parseCountryOption, parseListOption, toolInfo } from '../common.js';
import type { CliIo } from '../io.js';

const SOURCES_TEXT = 'usgs-mcs, wgi, itc-trademap, comtrade, baci, iea or wmd';

/** Declares the command on the program; main.ts calls this once. */
export function declareImportCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('import')
    .description(
      'convert public source files (USGS MCS, WGI, ITC Trade Map, UN Comtrade, BACI, IEA, World Mining Data) to production.csv, trade.csv or countries.csv',
    )
    .argument('<source>', SOURCES_TEXT)
    .argument('<files...>', 'the source files')
    .option('--out <dir>', 'merge into the contract files of this folder (default: CSV to stdout)')
    .option('--hs-map <file>', 'HS code map hs6,material,stage,content_factor,description (default: the embedded data/hs-codes.csv)')
    .option('--years <range>', 'only these years, e.g. 2017-2021 or 2024 (also the year of a Comtrade file without a year column)', parseYearRange)
    .option('--groups <file>', 'wgi: country,group memberships to merge into countries.csv')
    .option('--country <iso3>', 'comtrade, baci: only flows into or out of this country', parseCountryOption)
    .option('--materials <list>', 'only these materials, comma-separated', parseListOption)
    .option('--stages <list>', `only these stages (${STAGES.join(', ')}), comma-separated`, parseListOption)
    .option('--quiet', 'no summary on stderr (errors are still printed)')
    .option('--json', 'print what was read, kept, skipped and written as JSON on stdout (needs --out; schema: supply-risk schema import)')
    .action(async (source: string, files: string[], options: ImportCommandOptions) => {
      setExitCode(await runImport(source, files, options, io));
    });
}

export interface ImportCommandOptions {
  out?: string;
  hsMap?: string;
  years?: YearRange;
  groups?: string;
  country?: string;
  materials?: string[];
  stages?: string[];
  json?: boolean;
  quiet?: boolean;
}

/** "2017-2021" or "2022" -> an inclusive range (commander argument parser). */
export function parseYearRange(value: string): YearRange {
  const match = /^\s*(\d{4})(?:\s*-\s*(\d{4}))?\s*$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected a year or a range such as 2017-2021.');
  const from = Number(match[1]);
  const to = Number(match[2] ?? match[1]);
  if (to < from) throw new InvalidArgumentError(`the range ${value} ends before it starts.`);
  return { from, to };
}

export async function runImport(source: string, files: string[], options: ImportCommandOptions, io: CliIo): Promise<number> {
  // The importers (and their xlsx and Parquet readers) are loaded only when an import runs.
  // The importers (and the CSV writer) load only when `import` runs: main.ts declares this command eagerly.
  const { isImportSource, runImporter } = await import('../../importers/index.js');
  const { resultCsvParts, writeResult } = await import('../../importers/writer.js');
  if (!isImportSource(source)) throw new UsageError(`unknown source "${source}"; expected ${SOURCES_TEXT}`);
  // The CSV of an import without --out goes to stdout, where the JSON would go.
  if (options.json && !options.out) throw new UsageError('--json prints the summary on stdout, where the CSV would go: give --out DIR too');
  const stages = options.stages?.map(checkStage);
  const importOptions: ImportOptions = {
    hsMap: options.hsMap ? resolve(io.cwd, options.hsMap) : join(defaultDataDir(), 'hs-codes.csv'),
    ...(options.years ? { years: options.years } : {}),
    ...(options.groups ? { groups: resolve(io.cwd, options.groups) } : {}),
    ...(options.country ? { country: options.country } : {}),
    ...(options.materials ? { materials: options.materials } : {}),
    ...(stages ? { stages } : {}),
  };
  const stdinCopy = files.includes('-') ? await copyStdin(files, io) : null;
  let result;
  try {
    const paths = files.map((file) => (file === '-' && stdinCopy ? stdinCopy.path : resolve(io.cwd, file)));
    result = await runImporter(source, paths, importOptions);
  } finally {
    if (stdinCopy) await rm(stdinCopy.dir, { recursive: true, force: true });
  }
  const quiet = options.quiet === true || options.json === true;
  if (!quiet) for (const line of summaryLines(source, result)) io.stderr.write(`${line}\n`);
  if (options.out) {
    const dir = resolve(io.cwd, options.out);
    await assertFolder(dir, options.out);
    const reports = await writeResult(dir, result);
    if (options.json) {
      const { importJson } = await import('../../report/import-json.js');
      const { renderJson } = await import('../../report/json.js');
      io.stdout.write(renderJson(importJson({ source, files, out: options.out, result, written: reports }, toolInfo())));
      return 0;
    }
    for (const report of reports) {
      if (quiet) break;
      if (report.written === 0 && report.keptFromBefore === 0) {
        io.stderr.write(`created ${join(options.out, report.file)} with its header only, so the folder is a complete data folder\n`);
        continue;
      }
      io.stderr.write(
        `wrote ${join(options.out, report.file)}: ${report.written} rows from this import` +
          (report.replaced > 0 ? `, replacing ${report.replaced} from an earlier run of it` : '') +
          (report.keptFromBefore > 0 ? `, keeping ${report.keptFromBefore} from other imports` : '') +
          (report.setAside ? `; ${report.setAside} set aside by the production precedence rule (USGS MCS over World Mining Data for a year both give)` : '') +
          '\n',
      );
    }
    return 0;
  }
  const csvs = resultCsvParts(result);
  if (csvs.length > 1) throw new UsageError('this import writes several files; give --out DIR');
  // In parts: a BACI year's trade.csv is tens of megabytes, never made into one string.
  for (const part of csvs[0]?.parts ?? []) io.stdout.write(part);
  return 0;
}

/**
 * `-` reads standard input (a filter's output, e.g. DuckDB's over the full BACI: docs/data.md). The
 * readers need a file (several passes, worker threads, a Parquet footer), so stdin is copied to a
 * temporary `stdin.csv` first, which the rows' `source` then names; it is removed afterwards.
 */
async function copyStdin(files: readonly string[], io: CliIo): Promise<{ dir: string; path: string }> {
  if (files.filter((file) => file === '-').length > 1) throw new UsageError('"-" (standard input) can be given once');
  if (!io.stdin) throw new UsageError('"-" reads standard input, which this run does not have');
  if (io.stdin.isTTY) throw new UsageError('"-" reads standard input, but it is a terminal: pipe a file into it');
  const dir = await mkdtemp(join(tmpdir(), 'supply-risk-stdin-'));
  const path = join(dir, 'stdin.csv');
  await pipeline(io.stdin, createWriteStream(path));
  return { dir, path };
}

function checkStage(stage: string): Stage {
  if ((STAGES as readonly string[]).includes(stage)) return stage as Stage;
  throw new UsageError(`--stages: "${stage}" is not one of ${STAGES.join(', ')}`);
}

async function assertFolder(dir: string, shown: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new UsageError(`--out ${shown}: folder not found`);
  if (!info.isDirectory()) throw new UsageError(`--out ${shown}: not a folder`);
}
