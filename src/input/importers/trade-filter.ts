/**
 * What the bilateral-trade importers (Comtrade, BACI) share: the choice of flows to keep and the
 * conversion of one flow into a trade row through the HS map.
 */
import type { HsEntry, HsMap } from './hs-map.js';
import { convertTonnes } from './hs-map.js';
import type { CodeMatch } from './numeric-codes.js';
import type { Selection, Tally, TradeRow } from './types.js';
import { inYears, roundQuantity, type YearRange } from './values.js';

export interface TradeOptions {
  hsMap: HsMap;
  years?: YearRange;
  /** Keep only flows into or out of this country (ISO3), e.g. JPN. */
  country?: string;
  select?: Selection;
}

export interface Flow {
  hs6: string;
  exporter: CodeMatch;
  importer: CodeMatch;
  year: number;
  /** Tonnes of product; null when the source gives none. */
  tonnes: number | null;
  valueUsd: number | null;
}

/**
 * Checks one flow in order of cost and either returns its row or counts why it was skipped. `where`
 * names the record for the skip examples; it is a function so that kept rows never build it.
 */
export function flowToRow(flow: Flow, options: TradeOptions, tally: Tally, source: string, where: () => string): TradeRow | null {
  const entry: HsEntry | undefined = options.hsMap.get(flow.hs6);
  if (!entry) return skip(tally, 'HS code not in the HS map');
  const unwanted = options.select?.(entry.material, entry.stage);
  if (unwanted) return skip(tally, unwanted);
  if (!inYears(options.years, flow.year)) return skip(tally, 'year outside --years');
  const { exporter, importer } = flow;
  if (exporter.kind === 'world' || importer.kind === 'world') return skip(tally, 'partner is the World (a total, not a flow)');
  if (exporter.kind === 'unknown' || importer.kind === 'unknown') return skip(tally, 'country code not recognised (aggregate or former country)', where);
  if (options.country && exporter.code !== options.country && importer.code !== options.country) {
    return skip(tally, `neither exporter nor importer is ${options.country} (--country)`);
  }
  if (exporter.code === importer.code) return skip(tally, 'exporter and importer are the same country (re-imports)', where);
  if (flow.tonnes === null) return skip(tally, 'no quantity (net weight missing)', where);
  if (flow.tonnes === 0) return skip(tally, 'zero quantity (no row needed)');
  tally.keep();
  return {
    material: entry.material,
    stage: entry.stage,
    exporter: exporter.code,
    importer: importer.code,
    year: flow.year,
    quantity: roundQuantity(convertTonnes(entry, flow.tonnes)),
    unit: entry.unit,
    valueUsd: flow.valueUsd === null ? null : Math.round(flow.valueUsd),
    source,
  };
}

function skip(tally: Tally, reason: string, example?: () => string): null {
  tally.skip(reason, example?.());
  return null;
}

/**
 * Adds up rows of one flow and source (a reporter may file one flow in several records, e.g. by
 * customs procedure); rows of different sources stay apart so each can be traced.
 */
export function aggregateTrade(rows: readonly TradeRow[]): TradeRow[] {
  const sum = new TradeSum();
  for (const row of rows) sum.add(row);
  return sum.rows();
}

/** The same sums kept as rows arrive, so a large file's memory follows its distinct flows, not its rows. */
export class TradeSum {
  /** Source -> flow key -> row: the source (one per file) stays out of the per-row key. */
  private readonly bySource = new Map<string, Map<string, TradeRow>>();

  add(row: TradeRow): void {
    let merged = this.bySource.get(row.source);
    if (!merged) this.bySource.set(row.source, (merged = new Map()));
    const key = `${row.material}|${row.stage}|${row.exporter}|${row.importer}|${row.year}`;
    const existing = merged.get(key);
    if (!existing) merged.set(key, row);
    else {
      existing.quantity = roundQuantity(existing.quantity + row.quantity);
      if (row.valueUsd !== null) existing.valueUsd = (existing.valueUsd ?? 0) + row.valueUsd;
    }
  }

  /** The summed rows, in the order their flows first appeared. */
  rows(): TradeRow[] {
    const rows: TradeRow[] = [];
    // A loop, not push(...values): a spread of a million arguments overflows the call stack.
    for (const merged of this.bySource.values()) for (const row of merged.values()) rows.push(row);
    return rows;
  }
}
