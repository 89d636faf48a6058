/**
 * What the loader (dataset.ts) and the threaded trade reader (parallel.ts) share: the read filter,
 * the counts of one file, the result of a trade read and the unit registry. In a module of its own
 * so that neither of the two imports the other.
 */
import type { ProgressListener } from './csv.js';
import { FieldError, type Stage } from '../domain/fields.js';
import type { Problem } from '../domain/problems.js';
import type { TradeTable } from './trade-table.js';
import { COUNTRIES_FILE, COVERAGE_FILE, GOVERNANCE_FILE, GROSS_FILE, PRODUCTION_FILE, specOf, TRADE_FILE } from './contract.js';

/* The files of a data folder and their columns (re-exported by dataset.ts), from the contract. */
export const PRODUCTION_SPEC = specOf(PRODUCTION_FILE);
export const TRADE_SPEC = specOf(TRADE_FILE);
export const GOVERNANCE_SPEC = specOf(GOVERNANCE_FILE);
export const COVERAGE_SPEC = specOf(COVERAGE_FILE);
export const GROSS_SPEC = specOf(GROSS_FILE);
export const COUNTRIES_SPEC = specOf(COUNTRIES_FILE);

export interface FileStats {
  file: string;
  present: boolean;
  rowsRead: number;
  rowsUsed: number;
  rowsRejected: number;
  rowsBlank: number;
  /** Valid rows outside the requested years or materials. */
  rowsSkipped: number;
  problems: Problem[];
  /** Problems beyond the per-file cap, counted but not listed. */
  problemsOmitted: number;
}

export interface LoadFilter {
  years?: ReadonlySet<number>;
  materials?: ReadonlySet<string>;
  /** Told how far the reading of each file has got (for a progress line on a terminal). */
  progress?: ProgressListener;
  /** Years of trade.csv to read (production.csv is read in full): the second pass over a large file. */
  tradeYears?: ReadonlySet<number>;
  /**
   * Check and count every trade row but keep only which years hold trade into which importer: the
   * first pass over a large file, and `validate`, whose memory then does not grow with the file.
   */
  tradeSummaryOnly?: boolean;
  /** Threads that may share the reading of a large, quote-free trade.csv (default 1). */
  threads?: number;
  /**
   * false: every line goes through csv-parse, without the byte-level reader and threads of
   * src/input/fast (default true). The two give identical results; this is the switch that proves it.
   */
  fastPath?: boolean;
}

export interface TradeRead {
  facts: TradeTable;
  stats: FileStats;
  importYears: Map<string, Set<number>>;
  countries: Set<string>;
}

/** One unit per material and stage, across both files; the first row seen sets it. */
export class UnitRegistry {
  readonly units = new Map<string, string>();
  readonly firstSeen = new Map<string, string>();

  check(material: string, stage: Stage, unit: string, file: string, line: number): void {
    const key = `${material}|${stage}`;
    const known = this.units.get(key);
    if (known === undefined) {
      this.units.set(key, unit);
      this.firstSeen.set(key, `${file}:${line}`);
    } else if (known !== unit) {
      throw new FieldError(
        `unit "${unit}" differs from "${known}" used for ${material} ${stage} at ${this.firstSeen.get(key)}; ` +
          'every row of one material and stage must use the same unit',
      );
    }
  }
}
