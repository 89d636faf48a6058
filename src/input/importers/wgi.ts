/**
 * World Bank WGI bulk CSV (`API_PV.EST_DS2_en_csv_v2_*.csv`): Political Stability and Absence of
 * Violence/Terrorism, estimate (PV.EST) -> countries.csv governance.
 *
 * The file has a four-line preamble, then `Country Name, Country Code, Indicator Name, Indicator
 * Code, 1960, ..., 2024`. For each economy the latest year with a value is used. Regional and
 * income aggregates (AFE, EAS, WLD, ...) are skipped: by the companion Metadata_Country file
 * (aggregates have no Region) when it is given, and in any case by not being ISO 3166 codes.
 * With a groups file (`country,group`, one membership per row), the groups are merged in.
 */
import { basename } from 'node:path';
import { builtInCountries, isIsoAlpha3 } from '../countries.js';
import { InputError } from '../problems.js';
import { isBlank, parseDelimited, readTextFile } from './read-text.js';
import { emptyResult, type CountryRow, type ImportResult } from './types.js';
import { inYears, type YearRange } from './values.js';

const INDICATOR = 'PV.EST';
const GROUP_TAG = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export interface WgiOptions {
  years?: YearRange;
  /** A `country,group` CSV whose memberships go into the groups column. */
  groups?: string;
}

export async function importWgi(paths: readonly string[], options: WgiOptions = {}): Promise<ImportResult> {
  const result = emptyResult();
  const tables = await Promise.all(paths.map(async (path) => ({ path, records: parseDelimited(await readTextFile(path), basename(path)) })));
  const metadata = tables.filter((table) => isMetadata(table.records));
  const data = tables.filter((table) => !isMetadata(table.records));
  if (data.length === 0) throw new InputError([{ file: basename(paths[0] ?? 'wgi'), message: 'no WGI data file among the files given' }]);
  const aggregates = aggregateCodes(metadata.flatMap((table) => table.records));
  const rows = new Map<string, CountryRow>();
  const yearsUsed = new Map<number, number>();
  for (const table of data) readData(basename(table.path), table.records, aggregates, options, result, rows, yearsUsed);
  const summary = [...yearsUsed.entries()].sort((a, b) => b[0] - a[0]).map(([year, count]) => `${year} for ${count}`);
  result.notes.push(`governance year used (the latest with a value): ${summary.join(', ')}`);
  if (options.groups) await mergeGroups(options.groups, rows, result);
  result.countries = [...rows.values()];
  return result;
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
  yearsUsed: Map<number, number>,
): void {
  const headerAt = records.findIndex((record) => record[0]?.trim() === 'Country Name' && record[1]?.trim() === 'Country Code');
  if (headerAt < 0) throw new InputError([{ file: label, message: 'no "Country Name","Country Code" header line: not a World Bank indicator CSV' }]);
  const header = records[headerAt] ?? [];
  const yearColumns = header
    .map((name, index) => ({ index, year: /^\d{4}$/.test(name.trim()) ? Number(name.trim()) : NaN }))
    .filter((column) => !Number.isNaN(column.year) && inYears(options.years, column.year))
    .sort((a, b) => b.year - a.year);
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
      const latest = latestValue(record, yearColumns);
      if (!latest) {
        tally.skip('no value in any year', code);
        continue;
      }
      rows.set(code, { country: code, name: builtInCountries().get(code)?.name ?? code, governance: latest.value, groups: [] });
      yearsUsed.set(latest.year, (yearsUsed.get(latest.year) ?? 0) + 1);
      tally.keep();
    }
  }
}

function latestValue(record: readonly string[], columns: readonly { index: number; year: number }[]): { year: number; value: number } | null {
  for (const column of columns) {
    const text = record[column.index]?.trim() ?? '';
    if (text === '') continue;
    const value = Number(text);
    // Rounded to the three decimals WGI publishes in its tables; clamped estimates never occur, but
    // a value outside the scale would be a wrong column, so it is not written.
    if (Number.isFinite(value) && value >= -2.5 && value <= 2.5) return { year: column.year, value: Math.round(value * 1000) / 1000 };
  }
  return null;
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
    if (!isIsoAlpha3(code)) problems.push({ file: label, line: i + 2, message: `country "${code}" is not an ISO 3166-1 alpha-3 code` });
    else if (!GROUP_TAG.test(group)) problems.push({ file: label, line: i + 2, message: `group "${group}" may hold only letters, digits, "-" and "_"` });
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
