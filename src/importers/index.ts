/**
 * The importers by source name, with the options they share: the one entry point the `import`
 * command calls.
 */
import type { Stage } from '../domain/fields.js';
import { UsageError } from '../domain/problems.js';
import { importBaci } from './baci.js';
import { importComtrade } from './comtrade.js';
import { loadHsMap } from './hs-map.js';
import { importIea } from './iea.js';
import { importItcTradeMap } from './itc-trademap.js';
import { selection, type ImportResult } from './types.js';
import { importUsgsMcs } from './usgs-mcs.js';
import type { YearRange } from './values.js';
import { importWgi } from './wgi.js';
import { importWmd } from './wmd.js';

export const IMPORT_SOURCES = ['usgs-mcs', 'wgi', 'itc-trademap', 'comtrade', 'baci', 'iea', 'wmd'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export interface ImportOptions {
  years?: YearRange;
  /** Path of the HS map (hs-codes.csv); the trade importers need it. */
  hsMap: string;
  /** A `country,group` CSV merged into countries.csv by the wgi importer. */
  groups?: string;
  /** Trade importers: keep only flows into or out of this ISO3 country. */
  country?: string;
  /** Keep only these materials / stages (rows of others are counted as skipped). */
  materials?: readonly string[];
  stages?: readonly Stage[];
}

export function isImportSource(name: string): name is ImportSource {
  return (IMPORT_SOURCES as readonly string[]).includes(name);
}

export async function runImporter(source: ImportSource, files: readonly string[], options: ImportOptions): Promise<ImportResult> {
  if (options.groups && source !== 'wgi') throw new UsageError('--groups goes with the wgi importer (it writes countries.csv)');
  if (options.country && source !== 'comtrade' && source !== 'baci') throw new UsageError('--country goes with the comtrade and baci importers');
  if ((options.materials || options.stages) && source === 'wgi') throw new UsageError('--materials and --stages do not apply to the wgi importer');
  return dispatch(source, files, options);
}

async function dispatch(source: ImportSource, files: readonly string[], options: ImportOptions): Promise<ImportResult> {
  const select = selection(options.materials, options.stages);
  const common = { ...(options.years ? { years: options.years } : {}), ...(select ? { select } : {}) };
  switch (source) {
    case 'usgs-mcs':
      return importUsgsMcs(files, common);
    case 'wgi':
      return importWgi(files, { ...common, ...(options.groups ? { groups: options.groups } : {}) });
    case 'iea':
      return importIea(files, common);
    case 'wmd':
      return importWmd(files, common);
    case 'itc-trademap':
      return importItcTradeMap(files, { ...common, hsMap: await loadHsMap(options.hsMap) });
    case 'comtrade':
    case 'baci': {
      const tradeOptions = { ...common, hsMap: await loadHsMap(options.hsMap), ...(options.country ? { country: options.country } : {}) };
      return source === 'comtrade' ? importComtrade(files, tradeOptions) : importBaci(files, tradeOptions);
    }
  }
}
