/**
 * World Bank WGI bulk CSV (`API_PV.EST_DS2_en_csv_v2_*.csv`): Political Stability and Absence of
 * Violence/Terrorism, estimate (PV.EST) -> governance.csv (one score per country and year) and
 * countries.csv (names and groups).
 *
 * The file has a four-line preamble, then `Country Name, Country Code, Indicator Name, Indicator
 * Code, 1960, ..., 2024`. Every finite estimate of every year (within --years) becomes a
 * governance.csv row, written as the file prints it (no rounding, no range check: estimates are
 * standard-normal units and real ones fall outside -2.5..2.5, e.g. Syria 2022). countries.csv lists
 * the economies with a value and leaves its governance column empty: governance.csv is the
 * authority. Regional and income aggregates (AFE, EAS, WLD, ...) are skipped: by the companion
 * Metadata_Country file (aggregates have no Region) when it is given, and in any case by not being
 * ISO 3166 codes. With a groups file (`country,group`, one membership per row), the groups are
 * merged in.
 */
import { basename } from 'node:path';
import { builtInCountries, isIsoAlpha3 } from '../domain/countries.js';
import { groupTagError } from '../domain/fields.js';
import { InputError } from '../domain/problems.js';
import { isBlank, parseDelimited, readTextFile } from './read-text.js';
import { emptyResult, type CountryRow, type ImportResult } from './types.js';
import { inYears, type YearRange } from './values.js';

const INDICATOR = 'PV.EST';

/** A governance.csv row: the estimate as the source file prints it. */
export interface GovernanceRow {
  country: string;
  year: number;
  governance: string;
  source: string;
}

export interface WgiOptions {
  years?: YearRange;
  /** A `country,group` CSV whose memberships go into the groups column. */
  groups?: string;
}

export async function importWgi(paths: readonly string[], options: WgiOptions = {}): Promise<ImportResult & { governance: GovernanceRow[] }> {
  const result = emptyResult();
  const tables = await Promise.all(paths.map(async (path) => ({ path, records: parseDelimited(await readTextFile(path), basename(path)) })));
  const metadata = tables.filter((table) => isMetadata(table.records));
  const data = tables.filter((table) => !isMetadata(table.records));
  if (data.length === 0) throw new InputError([{ file: basename(paths[0] ?? 'wgi'), message: 'no WGI data file among the files given' }]);
  const aggregates = aggregateCodes(metadata.flatMap((table) => table.records));
  const rows = new Map<string, CountryRow>();
  const governance: GovernanceRow[] = [];
  for (const table of data) readData(basename(table.path), table.records, aggregates, options, result, rows, governance);
  result.notes.push(...governanceNotes(governance));
  if (options.groups) await mergeGroups(options.groups, rows, result);
  result.countries = [...rows.values()];
  return { ...result, governance };
}

/** What governance.csv holds: rows, economies, years, and the estimates outside -2.5..2.5. */
function governanceNotes(rows: readonly GovernanceRow[]): string[] {
  if (rows.length === 0) return ['governance.csv: no estimate in the years read'];
  const years = rows.map((row) => row.year);
  const latest = new Map<string, number>();
  for (const row of rows) latest.set(row.country, Math.max(latest.get(row.country) ?? row.year, row.year));
  const byLatest = new Map<number, number>();
  for (const year of latest.values()) byLatest.set(year, (byLatest.get(year) ?? 0) + 1);
  const outside = rows.filter((row) => Math.abs(Number(row.governance)) > 2.5);
  return [
    `governance.csv: ${rows.length} estimates for ${latest.size} economies, ${Math.min(...years)}-${Math.max(...years)}, ` +
      `as printed in the file (not rounded); countries.csv leaves its governance column empty`,
    `latest year with an estimate: ${[...byLatest.entries()]
      .sort((a, b) => b[0] - a[0])
      .map(([year, count]) => `${year} for ${count}`)
      .join(', ')}`,
    ...(outside.length > 0
      ? [
          `${outside.length} estimates outside -2.5..2.5 kept as published (e.g. ${outside
            .slice(-3)
            .map((row) => `${row.country} ${row.year} ${row.governance}`)
            .join('; ')})`,
        ]
      : []),
  ];
}

function isMetadata(records: readonly string[][]): boolean {
  const header = (records[0] ?? []).map((name) => name.trim().toLowerCase());
  return header.includes('country code') && header.includes('region');
}

/** Codes whose Region is empty in Metadata_Country: the World Bank's own aggregates. */
function aggregateCodes(records: readonly string[][]): Set<string> {
  const codes = new Set<string>();
  let header: string[] | undefined;
  for (const record of records) {
    const lower = record.map((name) => name.trim().toLowerCase());
    if (lower.includes('country code') && lower.includes('region')) {
      header = lower;
      continue;
    }
    if (!header) continue;
    const code = record[header.indexOf('country code')]?.trim() ?? '';
    const region = record[header.indexOf('region')]?.trim() ?? '';
    if (code !== '' && region === '') codes.add(code);
  }
  return codes;
}

function readData(
  label: string,
  records: readonly string[][],
  aggregates: ReadonlySet<string>,
  options: WgiOptions,
  result: ImportResult,
  rows: Map<string, CountryRow>,
  governance: GovernanceRow[],
): void {
  const headerAt = records.findIndex((record) => record[0]?.trim() === 'Country Name' && record[1]?.trim() === 'Country Code');
  if (headerAt < 0) throw new InputError([{ file: label, message: 'no "Country Name","Country Code" header line: not a World Bank indicator CSV' }]);
  const header = records[headerAt] ?? [];
  const yearColumns = header
    .map((name, index) => ({ index, year: /^\d{4}$/.test(name.trim()) ? Number(name.trim()) : NaN }))
    .filter((column) => !Number.isNaN(column.year) && inYears(options.years, column.year))
    .sort((a, b) => a.year - b.year);
  const source = `World Bank WGI ${INDICATOR}, ${label}`;
  const { tally } = result;
  for (const record of records.slice(headerAt + 1)) {
    if (isBlank(record)) continue;
    const code = record[1]?.trim() ?? '';
    const where = `${label} ${code}`;
    if ((record[3]?.trim() ?? '') !== INDICATOR) tally.skip(`indicator is not ${INDICATOR}`, where);
    else if (aggregates.has(code)) tally.skip('regional or income aggregate (no Region in the metadata)', code);
    else if (!isIsoAlpha3(code)) tally.skip('not an ISO 3166-1 alpha-3 code (World Bank aggregate or special code)', code);
    else if (rows.has(code)) tally.skip('economy listed twice (the first is kept)', where);
    else {
      const estimates = yearEstimates(record, yearColumns, where, result);
      if (estimates.length === 0) {
        tally.skip('no value in any year', code);
        continue;
      }
      // The score of each year goes to governance.csv; countries.csv keeps the name (and groups).
      rows.set(code, { country: code, name: builtInCountries().get(code)?.name ?? code, governance: null, groups: [] });
      for (const estimate of estimates) governance.push({ country: code, year: estimate.year, governance: estimate.text, source });
      tally.keep();
    }
  }
}

/** Every year's estimate of one economy, as printed (a plain decimal number); other text is noted. */
function yearEstimates(
  record: readonly string[],
  columns: readonly { index: number; year: number }[],
  where: string,
  result: ImportResult,
): { year: number; text: string }[] {
  const estimates: { year: number; text: string }[] = [];
  for (const column of columns) {
    const text = record[column.index]?.trim() ?? '';
    if (text === '') continue;
    if (/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) && Number.isFinite(Number(text))) estimates.push({ year: column.year, text });
    else result.notes.push(`${where} ${column.year}: "${text}" is not a number; left out`);
  }
  return estimates;
}

/** Adds `country,group` memberships; a country with groups but no WGI value gets an empty governance. */
async function mergeGroups(path: string, rows: Map<string, CountryRow>, result: ImportResult): Promise<void> {
  const label = basename(path);
  const records = parseDelimited(await readTextFile(path), label);
  const header = (records[0] ?? []).map((name) => name.trim().toLowerCase());
  const countryAt = header.indexOf('country');
  const groupAt = header.indexOf('group');
  if (countryAt < 0 || groupAt < 0) throw new InputError([{ file: label, line: 1, message: 'expected the columns country,group' }]);
  const problems = [];
  let memberships = 0;
  for (const [i, record] of records.slice(1).entries()) {
    if (isBlank(record)) continue;
    const code = record[countryAt]?.trim() ?? '';
    const group = record[groupAt]?.trim() ?? '';
    const tagError = groupTagError(group);
    if (!isIsoAlpha3(code)) problems.push({ file: label, line: i + 2, message: `country "${code}" is not an ISO 3166-1 alpha-3 code` });
    else if (tagError !== undefined) problems.push({ file: label, line: i + 2, message: tagError });
    else {
      const row = rows.get(code) ?? { country: code, name: builtInCountries().get(code)?.name ?? code, governance: null, groups: [] };
      if (!row.groups.includes(group)) row.groups = [...row.groups, group].sort();
      rows.set(code, row);
      memberships += 1;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  result.notes.push(`${label}: ${memberships} group memberships merged`);
}
