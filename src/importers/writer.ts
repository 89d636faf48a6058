/**
 * Writing an import into a data folder: the contract files (their CSV text from contract-csv.ts and
 * trade-csv.ts) merged with what the folder holds, and replaced atomically (a temporary file renamed
 * over the old one) so a failed import never leaves half a file.
 *
 * Importing into a folder that already has a file merges: rows of the same source, material,
 * stage and year are replaced (re-running an import is idempotent), everything else is kept. Two
 * sources that give the same fact (e.g. USGS and IEA copper refining 2023) would be added up by the
 * loader, so that is refused and the user is asked to narrow one import. Two editions of one
 * publication (same publisher name, then the edition year: "IEA Critical Minerals Data Explorer
 * 2024" and "... 2025"; "USGS MCS 2024", "USGS MCS 2025" and "USGS MCS 2026") are not two
 * publishers: the newer edition's rows replace the older one's for each material, stage and year it
 * gives (all its countries, withheld rows too); an older edition is refused where a newer one is.
 * A production figure the source withholds is a row like any other, with `W` as its quantity.
 *
 * Two publications of production figures are ranked (PRODUCTION_PRECEDENCE: USGS MCS, then World
 * Mining Data): where both give a material, stage and year, the first that gives a figure there
 * keeps it and the other's rows for it are set aside, whichever was imported first.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeFailure, writeFileSafely as writeFileAtomically } from '../io/safe-write.js';
import { COUNTRIES_SPEC, GOVERNANCE_SPEC, PRODUCTION_SPEC, TRADE_SPEC } from '../input/loading.js';
import { columnAt, COVERAGE_FILE as CONTRACT_COVERAGE, GROSS_FILE as CONTRACT_GROSS, TRADE_FILE as CONTRACT_TRADE } from '../input/contract.js';
import { WITHHELD } from '../domain/fields.js';
import { InputError, type Problem } from '../domain/problems.js';
import { countCoverageRows, countGrossRows, tradeRows, type ImportResult } from './types.js';
import type { GovernanceRow } from './wgi.js';
import {
  countriesCsv,
  COVERAGE_FILE,
  COVERAGE_HEADER,
  COVERAGE_ORDER,
  coverageFields,
  csvText,
  governanceCsv,
  GROSS_FILE,
  GROSS_HEADER,
  GROSS_ORDER,
  grossFields,
  PRODUCTION_HEADER,
  PRODUCTION_ORDER,
  productionCsv,
  productionFields,
  TRADE_HEADER,
  TRADE_ORDER,
  tradeFields,
} from './contract-csv.js';
import { partText, tradeCsvParts } from './trade-csv.js';

/** Where the merge finds a written row's source, material, stage and year. */
function positions(file: typeof CONTRACT_TRADE | typeof CONTRACT_COVERAGE | typeof CONTRACT_GROSS): {
  source: number;
  material: number;
  stage: number;
  year: number;
} {
  const at = (name: 'source' | 'material' | 'stage' | 'year'): number => columnAt(file, name);
  return { source: at('source'), material: at('material'), stage: at('stage'), year: at('year') };
}

/** A result with the governance.csv rows of the wgi import. */
type WithGovernance = ImportResult & { governance?: readonly GovernanceRow[] };

/** The CSV texts of a result, one per contract file it has rows for (for stdout). */
export function resultCsvs(result: WithGovernance): { file: string; text: string }[] {
  return resultCsvParts(result).map(({ file, parts }) => ({ file, text: [...parts].map(partText).join('') }));
}

/**
 * resultCsvs with each text in parts, made as they are taken: a large trade.csv is written part by
 * part (or in the blocks of bytes its threads wrote ahead) and never held as one string.
 */
export function resultCsvParts(result: WithGovernance): { file: string; parts: Iterable<string | Uint8Array> }[] {
  const out: { file: string; parts: Iterable<string | Uint8Array> }[] = [];
  if (result.production.length > 0) out.push({ file: PRODUCTION_SPEC.label, parts: [productionCsv(result.production)] });
  const trade = tradeRows(result);
  if (trade.length > 0) out.push({ file: TRADE_SPEC.label, parts: tradeCsvParts(trade) });
  if (result.countries.length > 0) out.push({ file: COUNTRIES_SPEC.label, parts: [countriesCsv(result.countries)] });
  if (result.governance && result.governance.length > 0) out.push({ file: GOVERNANCE_SPEC.label, parts: [governanceCsv(result.governance)] });
  return out;
}

export interface WriteReport {
  file: string;
  written: number;
  replaced: number;
  keptFromBefore: number;
  /** Rows (this import's or earlier ones') left out by the production precedence rule. */
  setAside?: number;
}

/** Merges the result into the contract files of `dir` and writes them atomically. */
export async function writeResult(dir: string, result: WithGovernance): Promise<WriteReport[]> {
  const reports: WriteReport[] = [];
  if (result.production.length > 0) {
    reports.push(
      await mergeInto(dir, PRODUCTION_SPEC.label, PRODUCTION_HEADER, result.production.map(productionFields), PRODUCTION_ORDER, {
        source: 6,
        material: 0,
        stage: 1,
        year: 3,
        fact: [0, 1, 2, 3],
        quantity: 4,
      }),
    );
  }
  if (result.trade.length > 0 || countCoverageRows(result) > 0 || countGrossRows(result) > 0) reports.push(...(await mergeTradeFiles(dir, result)));
  reports.push(...(await ensureContractFiles(dir)));
  if (result.countries.length > 0) {
    // countries.csv has one writer (the wgi importer), which builds the whole table: replaced whole.
    const path = join(dir, COUNTRIES_SPEC.label);
    await writeAtomically(path, countriesCsv(result.countries));
    reports.push({ file: COUNTRIES_SPEC.label, written: result.countries.length, replaced: 0, keptFromBefore: 0 });
  }
  if (result.governance && result.governance.length > 0) {
    // governance.csv likewise (one score per country and year, from the same import).
    await writeAtomically(join(dir, GOVERNANCE_SPEC.label), governanceCsv(result.governance));
    reports.push({ file: GOVERNANCE_SPEC.label, written: result.governance.length, replaced: 0, keptFromBefore: 0 });
  }
  return reports;
}

/**
 * A data folder needs both production.csv and trade.csv: the one an import did not write is
 * created with its header only, so the folder validates after the first import.
 */
async function ensureContractFiles(dir: string): Promise<WriteReport[]> {
  const created: WriteReport[] = [];
  for (const [file, header] of [
    [PRODUCTION_SPEC.label, PRODUCTION_HEADER],
    [TRADE_SPEC.label, TRADE_HEADER],
  ] as const) {
    const path = join(dir, file);
    if (await exists(path)) continue;
    await writeAtomically(path, csvText(header, []));
    created.push({ file, written: 0, replaced: 0, keptFromBefore: 0 });
  }
  return created;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

interface Positions {
  source: number;
  material: number;
  stage: number;
  year: number;
  /**
   * The fields that identify one fact (the loader adds up rows with equal facts); null for files
   * that are not summed (coverage, audit), where two sources may say the same thing.
   */
  fact: number[] | null;
  /** The quantity field (production.csv: `W` marks a withheld figure); set where a precedence among publications applies. */
  quantity?: number;
}

async function mergeInto(
  dir: string,
  file: string,
  header: readonly string[],
  given: string[][],
  order: (a: readonly string[], b: readonly string[]) => number,
  at: Positions,
): Promise<WriteReport> {
  const path = join(dir, file);
  const existing = await readExisting(path, file, header);
  const scope = (fields: readonly string[]): string => [at.source, at.material, at.stage, at.year].map((i) => fields[i] ?? '').join('|');
  const newer = newerEditions(given, at);
  // Rows of an older edition of the same publication for a material, stage and year this import
  // gives (in the folder, or in this import when it reads two editions) are replaced.
  const fresh = given.filter((fields) => !newer.supersedes(fields));
  const replacedScopes = new Set(fresh.map(scope));
  const candidates = existing.filter((fields) => !replacedScopes.has(scope(fields)) && !newer.supersedes(fields));
  // Of two ranked publications for one material, stage and year, the lower one's rows are set aside.
  const setAside = at.quantity === undefined ? () => false : productionSetAside([...candidates, ...fresh], at);
  const kept = candidates.filter((fields) => !setAside(fields));
  const written = fresh.filter((fields) => !setAside(fields));
  assertNoOverlap(file, kept, written, at);
  const merged = [...kept, ...written].sort(order);
  await writeAtomically(path, csvText(header, merged));
  const aside = candidates.length - kept.length + fresh.length - written.length;
  return {
    file,
    written: written.length,
    replaced: existing.length - candidates.length,
    keptFromBefore: kept.length,
    ...(aside > 0 ? { setAside: aside } : {}),
  };
}

/**
 * The publications of production figures in order of precedence (the source's publisher part,
 * edition year left out). Where two of them give one material, stage and year, the first of them
 * that gives a figure there (a row that is not `W`) keeps it; the other's rows for it, withheld rows
 * too, are set aside, so two estimates of one country's output are never added and one year of a
 * world series never mixes two sources. USGS MCS first: it is the newer publication (its editions
 * revise the latest years) and the one the rest of the data uses; World Mining Data fills the years
 * USGS does not give (2018-2021) and those where USGS gives no figure (germanium 2022, every country
 * withheld or not available). Publications outside this list are refused where they give the same
 * fact, as before.
 */
export const PRODUCTION_PRECEDENCE = ['USGS MCS', 'World Mining Data'] as const;

/** The publication a source belongs to: its publisher part without the edition year. */
export function publicationOf(source: string): string {
  return sourceEdition(source)?.publication ?? sourceFamily(source);
}

/** Which rows the precedence rule sets aside (see PRODUCTION_PRECEDENCE), for rows of production.csv. */
export function productionSetAside(rows: readonly (readonly string[])[], at: Positions): (fields: readonly string[]) => boolean {
  const rank = (fields: readonly string[]): number => (PRODUCTION_PRECEDENCE as readonly string[]).indexOf(publicationOf(fields[at.source] ?? ''));
  const scope = (fields: readonly string[]): string => [fields[at.material], fields[at.stage], fields[at.year]].join('|');
  const present = new Map<string, Set<number>>();
  const withFigures = new Map<string, Set<number>>();
  for (const fields of rows) {
    const r = rank(fields);
    if (r < 0) continue;
    const key = scope(fields);
    present.set(key, (present.get(key) ?? new Set()).add(r));
    if (fields[at.quantity ?? -1] !== WITHHELD) withFigures.set(key, (withFigures.get(key) ?? new Set()).add(r));
  }
  const winners = new Map<string, number>();
  for (const [key, ranks] of present) {
    if (ranks.size < 2) continue;
    const figures = withFigures.get(key);
    winners.set(key, Math.min(...(figures && figures.size > 0 ? figures : ranks)));
  }
  return (fields) => {
    const r = rank(fields);
    const winner = r < 0 ? undefined : winners.get(scope(fields));
    return winner !== undefined && winner !== r;
  };
}

/**
 * The trade sources in order of precedence. Where two of them give the trade of one importer in one
 * material, stage and year (BACI and UN Comtrade both give 2024), the first one in this list is used
 * for all of it and the other's rows for that key are set aside: two estimates of one flow are never
 * added, and one importer's block never mixes sources. CEPII BACI first (it reconciles the
 * importer's and the exporter's declarations of every flow), then ITC Trade Map (UN Comtrade with
 * national statistics added), then UN Comtrade (the importer's own declarations).
 */
export const TRADE_PRECEDENCE = ['CEPII BACI', 'ITC Trade Map', 'UN Comtrade'] as const;

function precedenceOf(source: string): number {
  const at = (TRADE_PRECEDENCE as readonly string[]).indexOf(sourceFamily(source));
  return at < 0 ? TRADE_PRECEDENCE.length : at;
}

/**
 * Which source family gives each material, stage, importer and year: among the families with an
 * import coverage row for it (a source that read the importer's imports), else among those with
 * trade rows into it, the one first in TRADE_PRECEDENCE. Two families outside that list for one key
 * are refused, as before (nothing says which to take).
 */
export function tradeWinners(trade: readonly string[][], coverage: readonly string[][]): Map<string, string> {
  const covered = new Map<string, Set<string>>();
  const traded = new Map<string, Set<string>>();
  const add = (into: Map<string, Set<string>>, key: string, source: string): void => {
    const families = into.get(key) ?? new Set<string>();
    families.add(sourceFamily(source));
    into.set(key, families);
  };
  for (const fields of coverage) {
    if (fields[4] !== 'import') continue;
    add(covered, [fields[0], fields[1], fields[2], fields[3]].join('|'), fields[6] ?? '');
  }
  for (const fields of trade) add(traded, [fields[0], fields[1], fields[3], fields[4]].join('|'), fields[8] ?? '');
  const winners = new Map<string, string>();
  const problems = new Map<string, Problem>();
  for (const key of new Set([...covered.keys(), ...traded.keys()])) {
    const families = [...(covered.get(key) ?? traded.get(key) ?? [])].sort((a, b) => precedenceOf(a) - precedenceOf(b) || a.localeCompare(b));
    const [first, second] = families;
    if (first === undefined) continue;
    if (second !== undefined && precedenceOf(first) === TRADE_PRECEDENCE.length) {
      const [material, stage, importer, year] = key.split('|');
      problems.set(key, {
        file: TRADE_SPEC.label,
        message: `${material} ${stage} ${year} into ${importer} is given by "${first}" and "${second}", neither of them a source of the precedence rule (${TRADE_PRECEDENCE.join(', ')}); importing both would add the two up`,
      });
    }
    winners.set(key, first);
  }
  if (problems.size > 0) throw new InputError([...problems.values()]);
  return winners;
}

/**
 * Merges trade.csv, coverage.csv and trade-gross.csv together: rows of the same source, material,
 * stage and year are replaced in each, then the precedence rule (TRADE_PRECEDENCE) keeps, for each
 * material, stage, importer and year, the trade rows, import coverage rows and gross-weight rows of
 * one source family only. Export coverage rows (what a reporter's export tables hold) are kept.
 */
async function mergeTradeFiles(dir: string, result: WithGovernance): Promise<WriteReport[]> {
  const files = [
    {
      file: TRADE_SPEC.label,
      header: TRADE_HEADER,
      given: result.trade.map(tradeFields),
      order: TRADE_ORDER,
      at: { ...positions(CONTRACT_TRADE), fact: null },
    },
    {
      file: COVERAGE_FILE,
      header: COVERAGE_HEADER,
      given: result.coverage.map(coverageFields),
      order: COVERAGE_ORDER,
      at: { ...positions(CONTRACT_COVERAGE), fact: null },
    },
    { file: GROSS_FILE, header: GROSS_HEADER, given: result.gross.map(grossFields), order: GROSS_ORDER, at: { ...positions(CONTRACT_GROSS), fact: null } },
  ];
  const merged = [];
  for (const spec of files) {
    const existing = await readExisting(join(dir, spec.file), spec.file, spec.header);
    merged.push({ ...spec, existing, ...replaceScopes(existing, spec.given, spec.at) });
  }
  const [trade, coverage, gross] = merged as [(typeof merged)[0], (typeof merged)[0], (typeof merged)[0]];
  const winners = tradeWinners([...trade.kept, ...trade.fresh], [...coverage.kept, ...coverage.fresh]);
  const wins = (key: string, source: string): boolean => {
    const winner = winners.get(key);
    return winner === undefined || winner === sourceFamily(source);
  };
  const keepTrade = (fields: readonly string[]): boolean => wins([fields[0], fields[1], fields[3], fields[4]].join('|'), fields[8] ?? '');
  const keepCoverage = (fields: readonly string[]): boolean =>
    fields[4] !== 'import' || wins([fields[0], fields[1], fields[2], fields[3]].join('|'), fields[6] ?? '');
  const keepGross = (fields: readonly string[]): boolean => wins([fields[1], fields[2], fields[4], fields[5]].join('|'), fields[9] ?? '');
  const keep = [keepTrade, keepCoverage, keepGross];
  const reports: WriteReport[] = [];
  for (const [i, spec] of [trade, coverage, gross].entries()) {
    const test = keep[i] ?? (() => true);
    const kept = spec.kept.filter(test);
    const fresh = spec.fresh.filter(test);
    if (spec.existing.length === 0 && fresh.length === 0 && spec.given.length === 0) continue;
    const rows = [...kept, ...fresh].sort(spec.order);
    await writeAtomically(join(dir, spec.file), csvText(spec.header, rows));
    reports.push({ file: spec.file, written: fresh.length, replaced: spec.existing.length - kept.length, keptFromBefore: kept.length });
  }
  return reports;
}

/** The existing rows not replaced by the given ones (same source, material, stage and year), and the given ones. */
function replaceScopes(existing: readonly string[][], given: readonly string[][], at: Positions): { kept: string[][]; fresh: string[][] } {
  const scope = (fields: readonly string[]): string => [at.source, at.material, at.stage, at.year].map((i) => fields[i] ?? '').join('|');
  const newer = newerEditions(given, at);
  const fresh = given.filter((fields) => !newer.supersedes(fields));
  const replacedScopes = new Set(fresh.map(scope));
  const kept = existing.filter((fields) => !replacedScopes.has(scope(fields)) && !newer.supersedes(fields));
  return { kept, fresh };
}

async function readExisting(path: string, file: string, header: readonly string[]): Promise<string[][]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  const found = (records[0] ?? []).map((name) => name.trim().toLowerCase());
  if (found.join(',') !== header.join(',')) {
    throw new InputError([{ file, line: 1, message: `the existing file's header is not ${header.join(',')}; import into an empty folder or fix the file` }]);
  }
  return records.slice(1);
}

/**
 * The publisher part of a source, the text before its first comma ("ITC Trade Map, HS 283691,
 * imports of JPN" -> "ITC Trade Map"). Rows of one publisher for one fact are parts of one total
 * (two HS codes of lithium); rows of two publishers are two estimates of the same thing.
 */
export function sourceFamily(source: string): string {
  return source.split(',')[0]?.trim() ?? '';
}

/**
 * A source family that ends in a year ("IEA Critical Minerals Data Explorer 2025", "USGS MCS
 * 2024"): the publication and its edition. Of two editions of one publication (same name), the
 * higher edition year wins for the material, stage and year both give.
 */
export function sourceEdition(source: string): { publication: string; edition: number } | null {
  const match = /^(.*\S)\s+((?:19|20)\d{2})$/.exec(sourceFamily(source));
  return match ? { publication: match[1] ?? '', edition: Number(match[2]) } : null;
}

/** Which existing rows the fresh rows' newer edition of the same publication replaces. */
function newerEditions(fresh: readonly string[][], at: Positions): { supersedes: (fields: readonly string[]) => boolean } {
  const slice = (publication: string, fields: readonly string[]): string => [publication, fields[at.material], fields[at.stage], fields[at.year]].join('|');
  const editions = new Map<string, number>();
  for (const fields of fresh) {
    const edition = sourceEdition(fields[at.source] ?? '');
    if (!edition) continue;
    const key = slice(edition.publication, fields);
    editions.set(key, Math.max(editions.get(key) ?? edition.edition, edition.edition));
  }
  return {
    supersedes(fields) {
      const edition = editions.size > 0 ? sourceEdition(fields[at.source] ?? '') : null;
      return edition !== null && edition.edition < (editions.get(slice(edition.publication, fields)) ?? -Infinity);
    },
  };
}

/**
 * Refuses two publishers for one fact: the loader would add them up and double count. An older
 * edition of a publication whose newer edition is already there is refused too: the newer one wins.
 */
function assertNoOverlap(file: string, kept: readonly string[][], fresh: readonly string[][], at: Positions): void {
  const facts = at.fact;
  if (facts === null) return;
  const fact = (fields: readonly string[]): string => facts.map((i) => fields[i] ?? '').join('|');
  const keptSources = new Map<string, string>();
  for (const fields of kept) keptSources.set(fact(fields), fields[at.source] ?? '');
  const clashes = new Map<string, Problem>();
  for (const fields of fresh) {
    const other = keptSources.get(fact(fields));
    if (other === undefined || sourceFamily(other) === sourceFamily(fields[at.source] ?? '')) continue;
    const what = `${fields[at.material]} ${fields[at.stage]} ${fields[at.year]}`;
    const mine = sourceEdition(fields[at.source] ?? '');
    const theirs = sourceEdition(other);
    const newerThere = mine && theirs && mine.publication === theirs.publication && theirs.edition > mine.edition;
    clashes.set(`${what}|${other}`, {
      file,
      message: newerThere
        ? `${what} is already given by "${other}", a newer edition, which wins over "${fields[at.source]}". ` +
          'Import the older edition first, or leave this year out (--years)'
        : `${what} is already given by "${other}"; importing "${fields[at.source]}" as well would add the two up. ` +
          'Narrow one import (--materials, --years) or remove the other rows first',
    });
  }
  if (clashes.size > 0) throw new InputError([...clashes.values()]);
}

/** Writes through a temporary file in the same folder and renames it over the target. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomically(path, text);
  } catch (error) {
    throw new InputError([{ file: path, message: `cannot be written (${writeFailure(error)})` }]);
  }
}
