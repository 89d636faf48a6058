/** The JSON of `import --json` (schema: schemas/import.ts). */
import { countCoverageRows, countGrossRows, type ImportResult } from '../importers/types.js';
import type { WriteReport } from '../importers/writer.js';
import { envelopeHead, type ToolInfo } from './envelope.js';

export interface ImportRun {
  source: string;
  files: readonly string[];
  out: string | null;
  result: ImportResult;
  written: readonly WriteReport[];
}

export function importJson(run: ImportRun, tool: ToolInfo): Record<string, unknown> {
  const { tally } = run.result;
  const skipped = [...tally.skipped.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, count]) => ({ reason, count, examples: [...(tally.examples.get(reason) ?? [])] }));
  return {
    ...envelopeHead(tool),
    source: run.source,
    files: [...run.files],
    out: run.out,
    read: tally.read,
    kept: tally.kept,
    skipped,
    rows: {
      production: run.result.production.length,
      trade: run.result.tradeColumns?.length ?? run.result.trade.length,
      countries: run.result.countries.length,
      coverage: countCoverageRows(run.result),
      gross: countGrossRows(run.result),
    },
    notes: [...run.result.notes],
    written: run.written.map((report) => ({
      file: report.file,
      written: report.written,
      replaced: report.replaced,
      keptFromBefore: report.keptFromBefore,
      setAside: report.setAside ?? 0,
    })),
  };
}
