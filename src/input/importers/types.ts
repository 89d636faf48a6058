/**
 * What every importer produces: rows of the data contract (production.csv, trade.csv, countries.csv)
 * and a tally of what it read, kept and skipped, with the reason for every skipped row.
 */
import type { ProductionFact, TradeFact } from '../dataset.js';

/** A production.csv row: the fact plus the publisher and table it came from. */
export interface ProductionRow extends ProductionFact {
  source: string;
}

/** A trade.csv row; `valueUsd` is null when the source gives no value. */
export interface TradeRow extends TradeFact {
  source: string;
}

export interface CountryRow {
  country: string;
  name: string;
  governance: number | null;
  groups: string[];
}

export interface ImportResult {
  production: ProductionRow[];
  trade: TradeRow[];
  countries: CountryRow[];
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

  get skippedTotal(): number {
    let total = 0;
    for (const count of this.skipped.values()) total += count;
    return total;
  }
}

const MAX_EXAMPLES = 3;

export function emptyResult(): ImportResult {
  return { production: [], trade: [], countries: [], tally: new Tally(), notes: [] };
}

/** Summary lines for stderr: totals, then one line per skip reason (largest first) with examples. */
export function summaryLines(source: string, result: ImportResult): string[] {
  const { tally } = result;
  const lines = [
    `${source}: read ${tally.read} records, kept ${tally.kept}, skipped ${tally.skippedTotal}; ` +
      `wrote ${result.production.length} production, ${result.trade.length} trade, ${result.countries.length} country rows`,
  ];
  const reasons = [...tally.skipped.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [reason, count] of reasons) {
    const examples = tally.examples.get(reason) ?? [];
    lines.push(`  skipped ${count}: ${reason}${examples.length > 0 ? ` (e.g. ${examples.join('; ')})` : ''}`);
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
