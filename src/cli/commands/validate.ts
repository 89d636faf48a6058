/** `supply-risk validate`: checks a data folder and accounts for every row of every file. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { inspectDataset, type FileStats } from '../../input/dataset.js';
import { formatProblem } from '../../input/problems.js';
import { renderJson } from '../../report/json.js';
import { defaultDataDir, emit, readerThreads, warn } from '../common.js';
import type { CliIo } from '../io.js';
import { progressReporter } from '../progress.js';

export interface ValidateOptions {
  data?: string;
  format: string;
  output?: string;
  quiet?: boolean;
}

export async function runValidate(options: ValidateOptions, io: CliIo): Promise<number> {
  const dataDir = options.data ? resolve(io.cwd, options.data) : defaultDataDir();
  // Every row is checked and counted; the facts themselves are not needed, so they are not kept.
  const progress = progressReporter(io, options);
  let dataset;
  try {
    dataset = await inspectDataset(dataDir, {
      tradeSummaryOnly: true,
      threads: readerThreads(io),
      ...(progress.listener ? { progress: progress.listener } : {}),
    });
  } finally {
    progress.done();
  }
  const problems = dataset.stats.flatMap((file) => file.problems);
  const omitted = dataset.stats.reduce((total, file) => total + file.problemsOmitted, 0);
  for (const problem of problems) io.stderr.write(`error: ${formatProblem(problem)}\n`);
  if (omitted > 0) io.stderr.write(`error: ... and ${omitted} more problems (only the first 50 of each file are listed)\n`);
  warn(io, options, dataset.warnings);
  if (!options.quiet) await noteConversions(dataDir, io);
  const valid = problems.length === 0;
  const text =
    options.format === 'json'
      ? renderJson({ schemaVersion: 1, valid, files: dataset.stats.map(fileJson), warnings: dataset.warnings })
      : statsTable(dataset.stats, valid);
  await emit(io, options, text);
  return valid ? 0 : 2;
}

/**
 * One line on stderr when the folder has the importers' audit file trade-gross.csv (which the
 * analysis does not read): how many trade flows were converted from gross weight by a content factor.
 */
async function noteConversions(dataDir: string, io: CliIo): Promise<void> {
  const text = await readFile(join(dataDir, 'trade-gross.csv'), 'utf8').catch(() => null);
  if (text === null) return;
  const rows = text.split('\n').filter((line) => line.trim() !== '').length - 1;
  io.stderr.write(`note: trade-gross.csv: ${Math.max(rows, 0)} trade rows were converted from gross weight to contained element by a content factor (audit only, not read)\n`);
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

function statsTable(stats: readonly FileStats[], valid: boolean): string {
  const header = ['file', 'rows read', 'used', 'rejected', 'blank', 'problems'];
  const rows = stats.map((file) =>
    file.present
      ? [file.file, file.rowsRead, file.rowsUsed, file.rowsRejected, file.rowsBlank, file.problems.length + file.problemsOmitted].map(String)
      : [file.file, 'absent (optional)', '', '', '', '0'],
  );
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const verdict = valid ? 'valid' : 'INVALID: the problems are listed on stderr';
  return `${[line(header), ...rows.map(line)].join('\n')}\n${verdict}\n`;
}
