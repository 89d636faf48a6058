/**
 * USGS Mineral Commodity Summaries world tables (`mcs20XX-<code>_world.csv`): one file per
 * commodity, columns `Source, Country, Type, Prod_<unit>_<year>, Prod_<unit>_est_<year>, ...`.
 *
 * The commodity comes from the file name and the stage from the Type column (mine production ->
 * mining; refinery, smelter or primary metal production -> refining). Units are read from the
 * column names and converted to tonnes. "World total" rows are not countries: they are skipped and
 * used only to check that the country rows plus "Other countries" (ZZZ) add up to the published total.
 */
import { basename } from 'node:path';
import type { Stage } from '../fields.js';
import { InputError } from '../problems.js';
import { cleanName, resolveCountryName } from './country-names.js';
import { isBlank, parseDelimited, readTextFile } from './read-text.js';
import { emptyResult, type ImportResult, type ProductionRow, type Selection } from './types.js';
import { formatQuantity, inYears, parseUsgsCell, roundQuantity, TONNES_PER_UNIT, type YearRange } from './values.js';

interface TypeRule {
  type: RegExp;
  material: string;
  stage: Stage;
}

const MINE = /mine production/i;
const REFINERY = /refinery production|smelter production|primary production|sponge/i;

/** USGS commodity code (file name) -> material and stage by the text of the Type column. */
const COMMODITIES: Readonly<Record<string, readonly TypeRule[]>> = {
  alumi: [{ type: /smelter production, aluminum/i, material: 'aluminium', stage: 'refining' }],
  antim: [{ type: MINE, material: 'antimony', stage: 'mining' }],
  barit: [{ type: MINE, material: 'barite', stage: 'mining' }],
  bauxi: [
    { type: /mine production, bauxite/i, material: 'bauxite', stage: 'mining' },
    { type: /refinery production, alumina/i, material: 'alumina', stage: 'refining' },
  ],
  beryl: [{ type: MINE, material: 'beryllium', stage: 'mining' }],
  bismu: [{ type: REFINERY, material: 'bismuth', stage: 'refining' }],
  cobal: [{ type: MINE, material: 'cobalt', stage: 'mining' }],
  coppe: [
    { type: /mine production/i, material: 'copper', stage: 'mining' },
    { type: /refinery production/i, material: 'copper', stage: 'refining' },
  ],
  fluor: [{ type: MINE, material: 'fluorspar', stage: 'mining' }],
  galli: [{ type: REFINERY, material: 'gallium', stage: 'refining' }],
  germa: [{ type: REFINERY, material: 'germanium', stage: 'refining' }],
  graph: [{ type: MINE, material: 'graphite', stage: 'mining' }],
  indiu: [{ type: REFINERY, material: 'indium', stage: 'refining' }],
  lithi: [{ type: MINE, material: 'lithium', stage: 'mining' }],
  manga: [{ type: MINE, material: 'manganese', stage: 'mining' }],
  mgmet: [{ type: /magnesium smelter production/i, material: 'magnesium', stage: 'refining' }],
  molyb: [{ type: MINE, material: 'molybdenum', stage: 'mining' }],
  nicke: [{ type: MINE, material: 'nickel', stage: 'mining' }],
  niobi: [{ type: MINE, material: 'niobium', stage: 'mining' }],
  plati: [
    // "World mine production: Palladium" (the world total row) matches too, so its total is checked.
    { type: /mine production: palladium/i, material: 'palladium', stage: 'mining' },
    { type: /mine production: platinum/i, material: 'platinum', stage: 'mining' },
  ],
  raree: [{ type: MINE, material: 'rare-earths', stage: 'mining' }],
  rheni: [{ type: MINE, material: 'rhenium', stage: 'mining' }],
  tanta: [{ type: MINE, material: 'tantalum', stage: 'mining' }],
  tellu: [{ type: REFINERY, material: 'tellurium', stage: 'refining' }],
  tin: [{ type: MINE, material: 'tin', stage: 'mining' }],
  titan: [{ type: REFINERY, material: 'titanium', stage: 'refining' }],
  tungs: [{ type: MINE, material: 'tungsten', stage: 'mining' }],
  vanad: [{ type: MINE, material: 'vanadium', stage: 'mining' }],
  zinc: [{ type: MINE, material: 'zinc', stage: 'mining' }],
};

/** The materials the USGS importer can produce (for documentation and tests). */
export function usgsMaterials(): string[] {
  const materials = new Set<string>();
  for (const rules of Object.values(COMMODITIES)) for (const rule of rules) materials.add(rule.material);
  return [...materials].sort();
}

const FILE_NAME = /^mcs(\d{4})-([a-z]+)_world\.csv$/i;
/** Prod_t_2022, Prod_kt_est_2023, Prod_kt_Est_2023, Prod_Sponge_t_Est_2022 */
const PROD_COLUMN = /^prod_(?:[a-z]+_)*?([a-z]+)_(?:est_)?(\d{4})$/i;

interface ProdColumn {
  index: number;
  unit: string;
  year: number;
}

export interface UsgsOptions {
  years?: YearRange;
  select?: Selection;
}

export async function importUsgsMcs(paths: readonly string[], options: UsgsOptions = {}): Promise<ImportResult> {
  const result = emptyResult();
  for (const path of paths) await importFile(path, options, result);
  return result;
}

async function importFile(path: string, options: UsgsOptions, result: ImportResult): Promise<void> {
  const label = basename(path);
  const match = FILE_NAME.exec(label);
  if (!match) {
    throw new InputError([{ file: label, message: 'is not a USGS MCS world table (expected a name like mcs2024-cobal_world.csv)' }]);
  }
  const edition = `USGS MCS ${match[1]}`;
  const code = (match[2] ?? '').toLowerCase();
  const records = parseDelimited(await readTextFile(path), label);
  const header = (records[0] ?? []).map((name) => name.trim());
  const body = records.slice(1).filter((record) => !isBlank(record));
  const padding = records.length - 1 - body.length;
  if (padding > 0) result.notes.push(`${label}: ${padding} empty padding rows ignored`);

  const rules = COMMODITIES[code];
  const columns = prodColumns(header);
  const { tally } = result;
  if (!rules) {
    for (let i = 0; i < body.length; i += 1) tally.skip(`commodity "${code}" is not mapped to a material`, label);
    return;
  }
  if (columns.length === 0) {
    for (let i = 0; i < body.length; i += 1) tally.skip('table has no production columns', label);
    return;
  }
  const file: FileContext = { label, source: `${edition}, ${label}`, columns, rules, options };
  const rows = new Map<string, ProductionRow>();
  const worlds = new Map<string, number>();
  body.forEach((record, i) => importRecord(record, i + 2, file, result, rows, worlds));
  result.production.push(...rows.values());
  checkWorldTotals(label, [...rows.values()], worlds, result.notes);
}

interface FileContext {
  label: string;
  source: string;
  columns: ProdColumn[];
  rules: readonly TypeRule[];
  options: UsgsOptions;
}

function prodColumns(header: readonly string[]): ProdColumn[] {
  const columns: ProdColumn[] = [];
  header.forEach((name, index) => {
    const match = PROD_COLUMN.exec(name);
    if (match) columns.push({ index, unit: (match[1] ?? '').toLowerCase(), year: Number(match[2]) });
  });
  return columns;
}

/** One table row: every production column of it is a value kept or skipped for a reason. */
function importRecord(
  record: readonly string[],
  line: number,
  file: FileContext,
  result: ImportResult,
  rows: Map<string, ProductionRow>,
  worlds: Map<string, number>,
): void {
  const { tally } = result;
  // Country is always the second column and Type the third (mcs2024-fluor names its Type column
  // "Mine production, fluorspar"), so they are read by position.
  const written = cleanName(record[1] ?? '');
  const typeText = record[2] ?? '';
  const where = `${file.label}:${line} ${written}`;
  const rule = file.rules.find((candidate) => candidate.type.test(typeText));
  const { name, qualifier } = splitQualifier(written);
  const place = resolveCountryName(name);
  if (qualifier && place.kind === 'country') {
    result.notes.push(`${where}: the figure is for ${qualifier} as USGS gives it (and counts it in the world total); kept as ${place.code}`);
  }
  for (const column of file.columns) {
    if (!inYears(file.options.years, column.year)) {
      tally.skip('year outside --years');
      continue;
    }
    if (!rule) {
      tally.skip(`Type not mapped to a material and stage: "${typeText.trim()}"`, where);
      continue;
    }
    const unwanted = file.options.select?.(rule.material, rule.stage);
    if (unwanted) {
      tally.skip(unwanted);
      continue;
    }
    const factor = TONNES_PER_UNIT[column.unit];
    if (factor === undefined) {
      tally.skip(`unit "${column.unit}" in the column name is not a mass unit convertible to tonnes`, where);
      continue;
    }
    const cell = parseUsgsCell(record[column.index] ?? '');
    if (place.kind === 'world') {
      if (cell.kind === 'value') worlds.set(`${rule.material}|${rule.stage}|${column.year}`, roundQuantity(cell.value * factor));
      tally.skip('world total row (not a country; used to check the sums)');
      continue;
    }
    if (place.kind === 'unknown') {
      tally.skip('country name not recognised', where);
      continue;
    }
    if (cell.kind === 'skip') {
      tally.skip(cell.reason, `${where} ${column.year}`);
      continue;
    }
    if (cell.value === 0) {
      tally.skip('zero production (no row needed)');
      continue;
    }
    addRow(rows, result.notes, {
      material: rule.material,
      stage: rule.stage,
      country: place.code,
      year: column.year,
      quantity: roundQuantity(cell.value * factor),
      unit: 't',
      source: file.source,
    });
    tally.keep();
  }
}

/**
 * USGS writes a few figures on another basis than the rest of the table and says so after a comma
 * ("Kazakhstan, concentrate" in the manganese-content table). USGS adds them into its world total,
 * so they are kept, with a note. Only these known qualifiers are split off: a general "name, text"
 * split would turn "Congo, Democratic Republic of the" into "Congo".
 */
function splitQualifier(name: string): { name: string; qualifier: string | null } {
  const match = /^(.*),\s*(concentrate)$/i.exec(name);
  return match ? { name: match[1] ?? name, qualifier: match[2] ?? null } : { name, qualifier: null };
}

/** Two rows for one country (e.g. "United States" twice) are added up, and the user is told. */
function addRow(rows: Map<string, ProductionRow>, notes: string[], row: ProductionRow): void {
  const key = `${row.material}|${row.stage}|${row.country}|${row.year}`;
  const existing = rows.get(key);
  if (!existing) {
    rows.set(key, row);
    return;
  }
  existing.quantity = roundQuantity(existing.quantity + row.quantity);
  notes.push(`${row.source}: two rows for ${row.country} ${row.material} ${row.stage} ${row.year}; added up`);
}

/**
 * Compares the sum of the kept rows (countries + ZZZ) with the published world total. Totals are
 * rounded by USGS and some exclude withheld figures, so a difference is reported, not corrected.
 */
function checkWorldTotals(label: string, rows: readonly ProductionRow[], worlds: ReadonlyMap<string, number>, notes: string[]): void {
  for (const [key, world] of [...worlds.entries()].sort()) {
    const [material, stage, year] = key.split('|');
    const sum = rows
      .filter((row) => row.material === material && row.stage === stage && String(row.year) === year)
      .reduce((total, row) => total + row.quantity, 0);
    const difference = world === 0 ? 0 : (sum - world) / world;
    const verdict = Math.abs(difference) < 0.005 ? 'match' : `differ by ${(difference * 100).toFixed(1)}%`;
    notes.push(
      `${label}: ${material} ${stage} ${year}: rows sum to ${formatQuantity(roundQuantity(sum))} t, ` +
        `published world total ${formatQuantity(world)} t (${verdict})`,
    );
  }
}
