/**
 * `supply-risk validate`: checks a data folder and accounts for every row of every file, then runs
 * the data-sanity checks (sanity.ts: duplicate rows, implausible year-to-year jumps). Problems make
 * the folder invalid (exit 2); sanity findings are warnings, which `--strict` turns into exit 1.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { inspectDataset } from '../../input/dataset.js';
import type { FileStats } from '../../input/loading.js';
import { escapeControls, formatProblem } from '../../domain/problems.js';
import { checkSanity, INTEGRITY_CLASSES, WARNING_CLASSES, type DataWarning, type WarningList } from '../../input/sanity.js';
import { renderJson } from '../../report/json.js';
import { defaultDataDir, emit, readerOptions } from '../common.js';
import type { CliIo } from '../io.js';
import { progressReporter } from '../progress.js';

/** The validate JSON contract; 2 since warnings carry a class, a file and lines. */
export const VALIDATE_SCHEMA_VERSION = 2;

export interface ValidateOptions {
  data?: string;
  format: string;
  output?: string;
  quiet?: boolean;
  /** Exit 1 when the folder is valid but has data-integrity warnings. */
  strict?: boolean;
}

export async function runValidate(options: ValidateOptions, io: CliIo): Promise<number> {
  const dataDir = options.data ? resolve(io.cwd, options.data) : defaultDataDir();
  // Every row is checked and counted; the facts themselves are not needed, so they are not kept.
  const progress = progressReporter(io, options);
  let dataset;
  try {
    dataset = await inspectDataset(dataDir, {
      tradeSummaryOnly: true,
      ...readerOptions(io),
      ...(progress.listener ? { progress: progress.listener } : {}),
    });
  } finally {
    progress.done();
  }
  const sanity = await checkSanity(dataDir);
  const list = sanity.warnings;
  for (const message of dataset.warnings) list.add({ class: 'coverage', file: null, lines: [], message });
  const conversions = await conversionNote(dataDir);
  if (conversions) list.add(conversions);
  const warnings = byClass(list.kept);

  const problems = dataset.stats.flatMap((file) => file.problems);
  const omitted = dataset.stats.reduce((total, file) => total + file.problemsOmitted, 0);
  for (const problem of problems) io.stderr.write(`error: ${formatProblem(problem)}\n`);
  if (omitted > 0) io.stderr.write(`error: ... and ${omitted} more problems (only the first 50 of each file are listed)\n`);
  if (!options.quiet) {
    for (const warning of warnings) io.stderr.write(`${warningLine(warning)}\n`);
    if (list.omitted > 0) io.stderr.write(`warning: ... and ${list.omitted} more warnings (only the first 50 of each class and file are listed)\n`);
  }
  const valid = problems.length === 0;
  const integrity = list.integrity;
  const text =
    options.format === 'json'
      ? renderJson({
          schemaVersion: VALIDATE_SCHEMA_VERSION,
          valid,
          strict: options.strict === true,
          files: dataset.stats.map(fileJson),
          warningCounts: Object.fromEntries(WARNING_CLASSES.map((name) => [name, list.counts.get(name) ?? 0])),
          warnings: warnings.map(warningJson),
          warningsOmitted: list.omitted,
        })
      : statsTable(dataset.stats, valid, list, options.strict === true);
  await emit(io, options, text);
  if (!valid) return 2;
  return options.strict && integrity > 0 ? 1 : 0;
}

/** Integrity classes first (duplicates, then jumps), then the notes; within a class the order found. */
function byClass(warnings: readonly DataWarning[]): DataWarning[] {
  const rank = (warning: DataWarning): number => WARNING_CLASSES.indexOf(warning.class);
  return [...warnings].sort((a, b) => rank(a) - rank(b));
}

/** `warning: trade.csv:120: [jump] ...`; the notes keep their earlier form (`warning: ...`, `note: ...`). */
function warningLine(warning: DataWarning): string {
  if (warning.class === 'note') return escapeControls(`note: ${warning.file ? `${warning.file}: ` : ''}${warning.message}`);
  if (warning.class === 'coverage') return escapeControls(`warning: ${warning.message}`);
  const line = warning.lines[warning.lines.length - 1];
  const where = `${warning.file ?? ''}${line !== undefined ? `:${line}` : ''}`;
  return escapeControls(`warning: ${where}: [${warning.class}] ${warning.message}`);
}

function warningJson(warning: DataWarning): Record<string, unknown> {
  return {
    class: warning.class,
    integrity: INTEGRITY_CLASSES.includes(warning.class),
    file: warning.file,
    lines: warning.lines,
    message: warning.message,
  };
}

/**
 * A note (class `note`) when the folder has the importers' audit file trade-gross.csv (which the
 * analysis reads only for prices per kg of product): how many trade flows were converted from gross
 * weight by a content factor.
 */
async function conversionNote(dataDir: string): Promise<DataWarning | null> {
  const text = await readFile(join(dataDir, 'trade-gross.csv'), 'utf8').catch(() => null);
  if (text === null) return null;
  const rows = text.split('\n').filter((line) => line.trim() !== '').length - 1;
  return {
    class: 'note',
    file: 'trade-gross.csv',
    lines: [],
    message: `${Math.max(rows, 0)} trade rows were converted from gross weight to contained element by a content factor (read only for prices per kg of traded product)`,
  };
}

function fileJson(stats: FileStats): Record<string, unknown> {
  return {
    file: stats.file,
    present: stats.present,
    rowsRead: stats.rowsRead,
    rowsUsed: stats.rowsUsed,
    rowsRejected: stats.rowsRejected,
    rowsBlank: stats.rowsBlank,
    rowsSkipped: stats.rowsSkipped,
    problems: stats.problems.map((problem) => ({
      line: problem.line ?? null,
      column: problem.column ?? null,
      message: problem.message,
    })),
    problemsOmitted: stats.problemsOmitted,
  };
}

function statsTable(stats: readonly FileStats[], valid: boolean, warnings: WarningList, strict: boolean): string {
  const header = ['file', 'rows read', 'used', 'rejected', 'blank', 'problems'];
  const rows = stats.map((file) =>
    file.present
      ? [file.file, file.rowsRead, file.rowsUsed, file.rowsRejected, file.rowsBlank, file.problems.length + file.problemsOmitted].map(String)
      : [file.file, 'absent (optional)', '', '', '', '0'],
  );
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const counted = WARNING_CLASSES.filter((name) => (warnings.counts.get(name) ?? 0) > 0).map((name) => `${warnings.counts.get(name)} ${name}`);
  const summary = counted.length > 0 ? `warnings: ${counted.join(', ')} (listed on stderr)\n` : '';
  const integrity = warnings.integrity;
  let verdict = valid ? 'valid' : 'INVALID: the problems are listed on stderr';
  if (valid && strict && integrity > 0) verdict = `valid, but --strict fails: ${integrity} data-integrity warning${integrity === 1 ? '' : 's'}`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n${summary}${verdict}\n`;
}
