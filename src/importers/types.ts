/**
 * What every importer produces: rows of the data contract (production.csv, trade.csv, countries.csv)
 * and a tally of what it read, kept and skipped, with the reason for every skipped row.
 */
import type { ProductionFact, TradeFact } from '../input/dataset.js';

/** A production.csv row: the fact plus the publisher and table it came from. */
export interface ProductionRow extends ProductionFact {
  source: string;
}

/** A trade.csv row; `valueUsd` is null when the source gives no value. */
export interface TradeRow extends TradeFact {
  source: string;
}

/**
 * A coverage.csv row: the importer's imports (flow `import`) or exports (`export`) of a material
 * and stage were read from the source for that year. `full` when every HS code mapped to the
 * material and stage was read and every flow could be converted; else `partial`.
 */
export interface CoverageRow {
  material: string;
  stage: TradeRow['stage'];
  importer: string;
  year: number;
  flow: 'import' | 'export';
  extent: 'full' | 'partial';
  source: string;
}

/**
 * A trade-gross.csv row (an audit file the analysis does not read): a flow of one HS code whose
 * weight was converted by a content factor other than 1, with both weights.
 */
export interface GrossRow {
  hs6: string;
  material: string;
  stage: TradeRow['stage'];
  exporter: string;
  importer: string;
  year: number;
  grossQuantity: number;
  factor: number;
  containedQuantity: number;
  source: string;
}

export interface CountryRow {
  country: string;
  name: string;
  governance: number | null;
  groups: string[];
}

/**
 * Trade rows read by position, without an object per row: how an import of a large file hands its
 * rows to the writer (a BACI year has hundreds of thousands; making them objects took longer than
 * writing them).
 */
export interface TradeRowColumns {
  readonly length: number;
  material(row: number): string;
  stage(row: number): TradeRow['stage'];
  exporter(row: number): string;
  importer(row: number): string;
  year(row: number): number;
  quantity(row: number): number;
  unit(row: number): string;
  valueUsd(row: number): number | null;
  source(row: number): string;
}

/** An array of rows read through TradeRowColumns. */
export function rowColumns(rows: readonly TradeRow[]): TradeRowColumns {
  const at = (row: number): TradeRow => rows[row] as TradeRow;
  return {
    length: rows.length,
    material: (row) => at(row).material,
    stage: (row) => at(row).stage,
    exporter: (row) => at(row).exporter,
    importer: (row) => at(row).importer,
    year: (row) => at(row).year,
    quantity: (row) => at(row).quantity,
    unit: (row) => at(row).unit,
    valueUsd: (row) => at(row).valueUsd,
    source: (row) => at(row).source,
  };
}

/** The rows read by position as row objects (rowColumns' inverse). */
export function columnRows(columns: TradeRowColumns): TradeRow[] {
  const rows: TradeRow[] = [];
  for (let row = 0; row < columns.length; row++) {
    rows.push({
      material: columns.material(row),
      stage: columns.stage(row),
      exporter: columns.exporter(row),
      importer: columns.importer(row),
      year: columns.year(row),
      quantity: columns.quantity(row),
      unit: columns.unit(row),
      valueUsd: columns.valueUsd(row),
      source: columns.source(row),
    });
  }
  return rows;
}

export interface ImportResult {
  production: ProductionRow[];
  trade: TradeRow[];
  /**
   * The same rows as `trade`, by position, when the importer has them so (`trade` is then made only
   * when read). Writers read this when present.
   */
  tradeColumns?: TradeRowColumns;
  countries: CountryRow[];
  /** Trade importers: what the source covers (coverage.csv). */
  coverage: CoverageRow[];
  /** The number of `coverage` rows, when the importer makes them only once read (see countCoverageRows). */
  coverageCount?: number;
  /** Trade importers: the converted flows with their gross weight (trade-gross.csv). */
  gross: GrossRow[];
  /** The number of `gross` rows, when the importer makes them only once read (see countGrossRows). */
  grossCount?: number;
  tally: Tally;
  /** Facts about the input a reader should know that are not about one row (assumptions made). */
  notes: string[];
}

/**
 * Counts the records of the input files: each one is either kept (turned into at least one output
 * row) or skipped for a named reason. Nothing is dropped without a reason.
 */
export class Tally {
  read = 0;
  kept = 0;
  readonly skipped = new Map<string, number>();
  /** A few examples per reason, so a user can find the lines in question. */
  readonly examples = new Map<string, string[]>();

  keep(): void {
    this.read += 1;
    this.kept += 1;
  }

  skip(reason: string, example?: string): void {
    this.read += 1;
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    if (example === undefined) return;
    const list = this.examples.get(reason) ?? [];
    if (list.length < MAX_EXAMPLES && !list.includes(example)) list.push(example);
    this.examples.set(reason, list);
  }

  /** Whether skip() would keep an example for this reason (it keeps the first few): else none need be made. */
  wantsExample(reason: string): boolean {
    return (this.examples.get(reason)?.length ?? 0) < MAX_EXAMPLES;
  }

  get skippedTotal(): number {
    let total = 0;
    for (const count of this.skipped.values()) total += count;
    return total;
  }
}

const MAX_EXAMPLES = 3;

export function emptyResult(): ImportResult {
  return { production: [], trade: [], countries: [], coverage: [], gross: [], tally: new Tally(), notes: [] };
}

/** The trade rows of a result by position, without making row objects where the importer has none. */
export function tradeRows(result: ImportResult): TradeRowColumns {
  return result.tradeColumns ?? rowColumns(result.trade);
}

/** How many gross-weight rows a result has, without making them where the importer has not. */
export function countGrossRows(result: ImportResult): number {
  return result.grossCount ?? result.gross.length;
}

/** How many coverage rows a result has, without making them where the importer has not. */
export function countCoverageRows(result: ImportResult): number {
  return result.coverageCount ?? result.coverage.length;
}

/** Summary lines for stderr: totals, then one line per skip reason (largest first) with examples. */
export function summaryLines(source: string, result: ImportResult): string[] {
  const { tally } = result;
  const lines = [
    `${source}: read ${tally.read} records, kept ${tally.kept}, skipped ${tally.skippedTotal}; ` +
      `wrote ${result.production.length} production, ${tradeRows(result).length} trade, ${result.countries.length} country rows`,
  ];
  const reasons = [...tally.skipped.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [reason, count] of reasons) {
    const examples = tally.examples.get(reason) ?? [];
    lines.push(`  skipped ${count}: ${reason}${examples.length > 0 ? ` (e.g. ${examples.join('; ')})` : ''}`);
  }
  const [coverage, gross] = [countCoverageRows(result), countGrossRows(result)];
  if (coverage > 0 || gross > 0) {
    lines.push(`  also ${coverage} coverage rows and ${gross} gross-weight audit rows (flows converted by a content factor)`);
  }
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines;
}

/**
 * A choice of materials and stages (--materials, --stages): returns why a material and stage is
 * left out, or null when it is wanted. Importers ask it before they keep a record.
 */
export type Selection = (material: string, stage: string) => string | null;

export function selection(materials?: readonly string[], stages?: readonly string[]): Selection | undefined {
  if (!materials && !stages) return undefined;
  return (material, stage) => {
    if (materials && !materials.includes(material)) return 'material not in --materials';
    if (stages && !stages.includes(stage)) return 'stage not in --stages';
    return null;
  };
}
