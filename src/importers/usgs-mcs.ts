/**
 * USGS Mineral Commodity Summaries world production tables, in the three layouts USGS has
 * published them in, each recognised by its header:
 *
 * - MCS 2024: one file per commodity (`mcs2024-<code>_world.csv`), columns `Source, Country, Type,
 *   Prod_<unit>_<year>, Prod_<unit>_est_<year>, ...`. The commodity comes from the file name and the
 *   unit from the column name.
 * - MCS 2025: one combined file (`MCS2025_World_Data.csv`), columns `SOURCE, COMMODITY, COUNTRY,
 *   TYPE, UNIT_MEAS, PROD_2023, PROD_EST_ 2024, PROD_NOTES, ...` (the unit in its own column, a space
 *   inside `PROD_EST_ 2024`). Withheld cells are left blank and marked in the notes ("W for 23-24").
 * - MCS 2026: one long file of every chapter (`MCS2026_Commodities_Data.csv`, Windows-1252, CRLF),
 *   columns `MCS chapter, Section, Commodity, Country, Statistics, Statistics_detail, Unit, Year,
 *   Value, ...`; only its world production rows are read.
 *
 * The stage comes from the type of production (mine production -> mining; refinery, smelter or
 * primary metal production -> refining). Units are converted to tonnes. A withheld cell (`W`) is
 * kept as a withheld row; `NA`, blanks and the other codes are skipped with their reason. "World
 * total" rows are not countries: they are skipped and used only to check that the country rows plus
 * "Other countries" (ZZZ) add up to the published total.
 */
import { basename } from 'node:path';
import type { Stage } from '../domain/fields.js';
import { InputError } from '../domain/problems.js';
import { cleanName, resolveCountryName } from './country-names.js';
import { isBlank, parseDelimited, readFileBytes } from './read-text.js';
import { emptyResult, type ImportResult, type ProductionRow, type Selection } from './types.js';
import { formatQuantity, inYears, parseUsgsCell, roundQuantity, TONNES_PER_UNIT, type YearRange } from './values.js';
import { isWithheldRow, withheldProductionRow } from './contract-csv.js';

interface TypeRule {
  type: RegExp;
  material: string;
  stage: Stage;
  /** Rows of this rule for one country are parts of one figure (USGS's total adds them up). */
  parts?: string;
}

const MINE = /mi?ne production/i; // MCS 2024 chromium writes "Mne production"
const REFINERY = /refinery production|smelter production|primary production|sponge/i;

type Layout = 'mcs2024' | 'mcs2025' | 'mcs2026';

/**
 * A USGS commodity: its name in each layout (the MCS 2024 file code, the MCS 2025 COMMODITY, the
 * MCS 2026 chapter), the material and stage of each type of production it lists, and the layouts
 * whose table is not imported, with the reason.
 */
interface Commodity {
  mcs2024?: string;
  mcs2025?: string;
  mcs2026?: string;
  rules: readonly TypeRule[];
  refused?: Partial<Record<Layout, string>>;
}

const COMMODITIES: readonly Commodity[] = [
  { mcs2024: 'alumi', mcs2025: 'Aluminum', mcs2026: 'ALUMINUM', rules: [{ type: /smelter production/i, material: 'aluminium', stage: 'refining' }] },
  { mcs2024: 'antim', mcs2025: 'Antimony', mcs2026: 'ANTIMONY', rules: [{ type: MINE, material: 'antimony', stage: 'mining' }] },
  { mcs2024: 'barit', mcs2025: 'Barite', mcs2026: 'BARITE', rules: [{ type: MINE, material: 'barite', stage: 'mining' }] },
  {
    mcs2024: 'bauxi',
    mcs2025: 'Bauxite',
    mcs2026: 'BAUXITE AND ALUMINA',
    rules: [
      { type: /alumina/i, material: 'alumina', stage: 'refining' },
      { type: /bauxite/i, material: 'bauxite', stage: 'mining' },
    ],
  },
  { mcs2024: 'beryl', mcs2025: 'Beryllium', mcs2026: 'BERYLLIUM', rules: [{ type: MINE, material: 'beryllium', stage: 'mining' }] },
  { mcs2024: 'bismu', mcs2025: 'Bismuth', mcs2026: 'BISMUTH', rules: [{ type: REFINERY, material: 'bismuth', stage: 'refining' }] },
  // Marketable chromite ore, gross weight, in every edition.
  { mcs2024: 'chrom', mcs2025: 'Chromium', mcs2026: 'CHROMIUM', rules: [{ type: MINE, material: 'chromium', stage: 'mining' }] },
  { mcs2024: 'cobal', mcs2025: 'Cobalt', mcs2026: 'COBALT', rules: [{ type: MINE, material: 'cobalt', stage: 'mining' }] },
  {
    mcs2024: 'coppe',
    mcs2025: 'Copper',
    mcs2026: 'COPPER',
    rules: [
      { type: /mine production/i, material: 'copper', stage: 'mining' },
      { type: /refinery production/i, material: 'copper', stage: 'refining' },
    ],
  },
  { mcs2024: 'fluor', mcs2025: 'Fluorspar', mcs2026: 'FLUORSPAR', rules: [{ type: MINE, material: 'fluorspar', stage: 'mining' }] },
  { mcs2024: 'galli', mcs2025: 'Gallium', mcs2026: 'GALLIUM', rules: [{ type: REFINERY, material: 'gallium', stage: 'refining' }] },
  // MCS 2025 spells it "Gemanium"; MCS 2026 has no world production table for it.
  { mcs2024: 'germa', mcs2025: 'Gemanium', mcs2026: 'GERMANIUM', rules: [{ type: REFINERY, material: 'germanium', stage: 'refining' }] },
  { mcs2024: 'graph', mcs2025: 'Graphite', mcs2026: 'GRAPHITE (NATURAL)', rules: [{ type: MINE, material: 'graphite', stage: 'mining' }] },
  { mcs2024: 'indiu', mcs2025: 'Indium', mcs2026: 'INDIUM', rules: [{ type: REFINERY, material: 'indium', stage: 'refining' }] },
  { mcs2024: 'lithi', mcs2025: 'Lithium', mcs2026: 'LITHIUM', rules: [{ type: MINE, material: 'lithium', stage: 'mining' }] },
  {
    mcs2024: 'mgcomp',
    mcs2025: 'Magnesium Compounds',
    mcs2026: 'MAGNESIUM COMPOUNDS',
    rules: [{ type: MINE, material: 'magnesite', stage: 'mining' }],
    refused: {
      mcs2024:
        'MCS 2024 gives magnesite as contained MgO, MCS 2025 and 2026 as gross weight: only the gross-weight editions are imported (one measure per material)',
    },
  },
  { mcs2024: 'manga', mcs2025: 'Manganese', mcs2026: 'MANGANESE', rules: [{ type: MINE, material: 'manganese', stage: 'mining' }] },
  {
    mcs2024: 'mgmet',
    mcs2025: 'Magnesium metal',
    mcs2026: 'MAGNESIUM METAL',
    rules: [{ type: /smelter production/i, material: 'magnesium', stage: 'refining' }],
  },
  { mcs2024: 'molyb', mcs2025: 'Molybdenum', mcs2026: 'MOLYBDENUM', rules: [{ type: MINE, material: 'molybdenum', stage: 'mining' }] },
  { mcs2024: 'nicke', mcs2025: 'Nickel', mcs2026: 'NICKEL', rules: [{ type: MINE, material: 'nickel', stage: 'mining' }] },
  { mcs2024: 'niobi', mcs2025: 'Niobium', mcs2026: 'NIOBIUM (COLUMBIUM)', rules: [{ type: MINE, material: 'niobium', stage: 'mining' }] },
  // Marketable phosphate rock, gross weight.
  { mcs2024: 'phosp', mcs2025: 'Phosphate rock', mcs2026: 'PHOSPHATE ROCK', rules: [{ type: MINE, material: 'phosphate-rock', stage: 'mining' }] },
  {
    mcs2024: 'plati',
    mcs2025: 'Platinum-Group metals',
    mcs2026: 'PLATINUM-GROUP METALS',
    // "World mine production: Palladium" (the MCS 2024 world total row) matches too, so its total is checked.
    rules: [
      { type: /palladium/i, material: 'palladium', stage: 'mining' },
      { type: /platinum/i, material: 'platinum', stage: 'mining' },
    ],
  },
  { mcs2024: 'raree', mcs2025: 'Rare earths', mcs2026: 'RARE EARTHS', rules: [{ type: MINE, material: 'rare-earths', stage: 'mining' }] },
  { mcs2024: 'rheni', mcs2025: 'Rhenium', mcs2026: 'RHENIUM', rules: [{ type: MINE, material: 'rhenium', stage: 'mining' }] },
  { mcs2024: 'selen', mcs2025: 'Selenium', mcs2026: 'SELENIUM', rules: [{ type: /refinery production/i, material: 'selenium', stage: 'refining' }] },
  // Silicon metal only: ferrosilicon (silicon content) is another product and is not mapped.
  { mcs2024: 'simet', mcs2025: 'Silicon', mcs2026: 'SILICON', rules: [{ type: /silicon metal/i, material: 'silicon', stage: 'refining' }] },
  { mcs2024: 'stron', mcs2025: 'Strontium', mcs2026: 'STRONTIUM', rules: [{ type: MINE, material: 'strontium', stage: 'mining' }] },
  { mcs2024: 'tanta', mcs2025: 'Tantalum', mcs2026: 'TANTALUM', rules: [{ type: MINE, material: 'tantalum', stage: 'mining' }] },
  { mcs2024: 'tellu', mcs2025: 'Tellurium', mcs2026: 'TELLURIUM', rules: [{ type: REFINERY, material: 'tellurium', stage: 'refining' }] },
  { mcs2024: 'tin', mcs2025: 'Tin', mcs2026: 'TIN', rules: [{ type: MINE, material: 'tin', stage: 'mining' }] },
  {
    mcs2024: 'titan',
    mcs2025: 'Titanium & titanium dioxide',
    mcs2026: 'TITANIUM AND TITANIUM DIOXIDE',
    rules: [{ type: /sponge/i, material: 'titanium', stage: 'refining' }],
  },
  {
    // Ilmenite and rutile, TiO2 content; USGS adds the two up in its world total.
    mcs2024: 'timin',
    mcs2025: 'Titanium Mineral Concentrates',
    mcs2026: 'TITANIUM MINERAL CONCENTRATES',
    rules: [{ type: /ilmen|ilment|rutile/i, material: 'titanium', stage: 'mining', parts: 'ilmenite and rutile' }],
    refused: {
      mcs2025:
        'MCS 2025 gives titanium mineral concentrates in "metric tons", but its figures are in thousand metric tons ' +
        '(MCS 2024 and MCS 2026 say thousand metric tons, TiO2 content, for the same figures): not imported rather than read 1,000 times too small',
    },
  },
  { mcs2024: 'tungs', mcs2025: 'Tungsten', mcs2026: 'TUNGSTEN', rules: [{ type: MINE, material: 'tungsten', stage: 'mining' }] },
  { mcs2024: 'vanad', mcs2025: 'Vanadium', mcs2026: 'VANADIUM', rules: [{ type: MINE, material: 'vanadium', stage: 'mining' }] },
  { mcs2024: 'zinc', mcs2025: 'Zinc', mcs2026: 'ZINC', rules: [{ type: MINE, material: 'zinc', stage: 'mining' }] },
  // Zirconium mineral concentrates (zircon), gross weight.
  { mcs2024: 'zirco', mcs2025: 'Zirconium and Hafnium', mcs2026: 'ZIRCONIUM AND HAFNIUM', rules: [{ type: MINE, material: 'zirconium', stage: 'mining' }] },
];

const BY_LAYOUT: Readonly<Record<Layout, ReadonlyMap<string, Commodity>>> = {
  mcs2024: commodityIndex('mcs2024'),
  mcs2025: commodityIndex('mcs2025'),
  mcs2026: commodityIndex('mcs2026'),
};

function commodityIndex(layout: Layout): ReadonlyMap<string, Commodity> {
  const index = new Map<string, Commodity>();
  for (const commodity of COMMODITIES) {
    const name = commodity[layout];
    if (name) index.set(commodityKey(name), commodity);
  }
  return index;
}

/** Names are compared trimmed and in lower case (MCS 2025 writes "Lithium " and "Copper "). */
function commodityKey(name: string): string {
  return cleanName(name).toLowerCase();
}

/** The materials the USGS importer can produce (for documentation and tests). */
export function usgsMaterials(): string[] {
  const materials = new Set<string>();
  for (const commodity of COMMODITIES) for (const rule of commodity.rules) materials.add(rule.material);
  return [...materials].sort();
}

/** Tonnes per unit of the MCS 2025 UNIT_MEAS and MCS 2026 Unit columns (mass units only). */
const TONNES_PER_UNIT_NAME: Readonly<Record<string, number>> = {
  'metric tons': 1,
  'thousand metric tons': 1_000,
  'thousand metric dry tons': 1_000,
  'million metric tons': 1_000_000,
  kilograms: 0.001,
};

const LAYOUTS_EXPECTED =
  'expected one of the USGS MCS layouts: the MCS 2024 per-commodity world table (mcs2024-<code>_world.csv: ' +
  'Source, Country, Type, Prod_<unit>_<year>, ...), the MCS 2025 world data (MCS2025_World_Data.csv: SOURCE, COMMODITY, ' +
  'COUNTRY, TYPE, UNIT_MEAS, PROD_<year>, PROD_EST_ <year>, ...) or the MCS 2026 commodities data (MCS2026_Commodities_Data.csv: ' +
  'MCS chapter, Section, Commodity, Country, Statistics, Statistics_detail, Unit, Year, Value, ...)';

const FILE_NAME_2024 = /^mcs(\d{4})-([a-z]+)_world\.csv$/i;
/** Prod_t_2022, Prod_kt_est_2023, Prod_kt_Est_2023, Prod_Sponge_t_Est_2022 */
const PROD_COLUMN_2024 = /^prod_(?:[a-z]+_)*?([a-z]+)_(?:est_)?(\d{4})$/i;
/** PROD_2023, PROD_EST_ 2024 */
const PROD_COLUMN_2025 = /^prod_(?:est_)?\s*(\d{4})$/i;
/** MCS 2025 marks withheld U.S. figures in the notes of a blank row: "W for 23-24". */
const WITHHELD_NOTE = /\bW for (\d{2}|\d{4})(?:\s*[-\u2013]\s*(\d{2}|\d{4}))?\b/;

export interface UsgsOptions {
  years?: YearRange;
  select?: Selection;
}

export async function importUsgsMcs(paths: readonly string[], options: UsgsOptions = {}): Promise<ImportResult> {
  const result = emptyResult();
  for (const path of paths) await importFile(path, options, result);
  return result;
}

/** One production figure of a table as read, whatever the layout. */
interface Entry {
  /** file:line and the country as written, for messages. */
  where: string;
  commodity: Commodity;
  typeText: string;
  country: string;
  year: number;
  raw: string;
  /** Tonnes per unit of the figure, or undefined when the unit is not a mass. */
  factor: number | undefined;
  unit: string;
  /** The notes say the (blank) figure is withheld. */
  withheldByNote: boolean;
}

interface FileContext {
  label: string;
  layout: Layout;
  source: string;
  options: UsgsOptions;
  result: ImportResult;
  rows: Map<string, ProductionRow>;
  /** The rule each row came from, to tell parts of one figure from duplicate rows. */
  rowRules: Map<string, TypeRule>;
  worlds: Map<string, number>;
  /** Sums of parts (ilmenite and rutile) made, to say so once. */
  summedParts: Set<string>;
}

async function importFile(path: string, options: UsgsOptions, result: ImportResult): Promise<void> {
  const label = basename(path);
  const { text, encoding } = await readUsgsText(path);
  const records = parseDelimited(text, label);
  const header = (records[0] ?? []).map((name) => cleanName(name));
  const layout = recogniseLayout(header);
  if (!layout) throw new InputError([{ file: label, line: 1, message: `has an unknown header (${header.slice(0, 6).join(', ')}); ${LAYOUTS_EXPECTED}` }]);
  if (encoding !== 'utf-8') result.notes.push(`${label}: not UTF-8; read as Windows-1252 (the encoding of the MCS 2026 data file)`);
  const body: { record: string[]; line: number }[] = [];
  records.slice(1).forEach((record, i) => {
    if (!isBlank(record)) body.push({ record, line: i + 2 });
  });
  const padding = records.length - 1 - body.length;
  if (padding > 0) result.notes.push(`${label}: ${padding} empty padding rows ignored`);

  const edition = editionOf(layout, label, header, body);
  const file: FileContext = {
    label,
    layout,
    source: `USGS MCS ${edition}, ${label}`,
    options,
    result,
    rows: new Map(),
    rowRules: new Map(),
    worlds: new Map(),
    summedParts: new Set(),
  };
  if (layout === 'mcs2024') readLayout2024(file, header, body);
  else if (layout === 'mcs2025') readLayout2025(file, header, body);
  else readLayout2026(file, header, body);
  for (const row of file.rows.values()) result.production.push(row);
  const withheld = [...file.rows.values()].filter(isWithheldRow).length;
  if (withheld > 0) result.notes.push(`${label}: ${withheld} withheld figures (W) written as withheld rows (quantity W)`);
  for (const parts of file.summedParts) result.notes.push(`${label}: ${parts} rows of one country are added up (as in USGS's world total)`);
  checkWorldTotals(label, [...file.rows.values()], file.worlds, result.notes);
}

/** The file's text: UTF-8 (byte-order mark removed), or else Windows-1252 (the MCS 2026 file). */
async function readUsgsText(path: string): Promise<{ text: string; encoding: 'utf-8' | 'windows-1252' }> {
  const bytes = await readFileBytes(path);
  let text: string;
  let encoding: 'utf-8' | 'windows-1252' = 'utf-8';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = decodeWindows1252(bytes);
    encoding = 'windows-1252';
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, encoding };
}

/**
 * Windows-1252 (cp1252) as the WHATWG Encoding Standard defines it: Latin-1, except 0x80-0x9F,
 * which hold the typographic marks (’ — – …). Written out because Node 20's TextDecoder decodes
 * "windows-1252" as plain Latin-1 and would turn "Côte d’Ivoire" into a control character.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d,
  0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  const chunk: number[] = [];
  for (const byte of bytes) {
    chunk.push(byte >= 0x80 && byte <= 0x9f ? (CP1252_HIGH[byte - 0x80] ?? byte) : byte);
    if (chunk.length === 8192) {
      text += String.fromCharCode(...chunk);
      chunk.length = 0;
    }
  }
  return text + String.fromCharCode(...chunk);
}

function recogniseLayout(header: readonly string[]): Layout | null {
  const names = header.map((name) => name.toLowerCase());
  const has = (...wanted: string[]): boolean => wanted.every((name) => names.includes(name));
  // mcs2024-fluor names its Type column "Mine production, fluorspar".
  if (names[0] === 'source' && names[1] === 'country' && (names[2] === 'type' || names.some((name) => PROD_COLUMN_2024.test(name)))) return 'mcs2024';
  if (has('source', 'commodity', 'country', 'type', 'unit_meas') && names.some((name) => PROD_COLUMN_2025.test(name))) return 'mcs2025';
  if (has('mcs chapter', 'section', 'commodity', 'country', 'statistics', 'statistics_detail', 'unit', 'year', 'value')) return 'mcs2026';
  return null;
}

/** The edition year: from the file name, else (MCS 2025) the SOURCE column, else the latest data year + 1. */
function editionOf(layout: Layout, label: string, header: readonly string[], body: readonly { record: string[] }[]): number {
  const named = /mcs[ _-]?(\d{4})/i.exec(label);
  if (named) return Number(named[1]);
  const names = header.map((name) => name.toLowerCase());
  if (layout === 'mcs2025') {
    const source = body[0]?.record[names.indexOf('source')] ?? '';
    const match = /mcs\s*(\d{4})/i.exec(source);
    if (match) return Number(match[1]);
  }
  const yearColumn = names.indexOf('year');
  const years = body.map(({ record }) => Number(record[yearColumn] ?? '')).filter((year) => Number.isInteger(year) && year > 1900);
  if (layout === 'mcs2026' && years.length > 0) return Math.max(...years) + 1;
  throw new InputError([{ file: label, message: 'names no MCS edition (expected a name such as MCS2025_World_Data.csv)' }]);
}

function skipAll(file: FileContext, count: number, reason: string, example?: string): void {
  for (let i = 0; i < count; i += 1) file.result.tally.skip(reason, example);
}

/** The commodity of a name in a layout, or null after counting the records as skipped. */
function commodityOf(file: FileContext, name: string, records: number, where: string): Commodity | null {
  const commodity = BY_LAYOUT[file.layout].get(commodityKey(name));
  if (!commodity) {
    skipAll(file, records, `commodity "${cleanName(name)}" is not mapped to a material`, file.layout === 'mcs2024' ? file.label : where);
    return null;
  }
  const refused = commodity.refused?.[file.layout];
  if (refused) {
    skipAll(file, records, refused, where);
    return null;
  }
  return commodity;
}

function readLayout2024(file: FileContext, header: readonly string[], body: readonly { record: string[]; line: number }[]): void {
  const match = FILE_NAME_2024.exec(file.label);
  if (!match) {
    throw new InputError([
      { file: file.label, message: 'has the header of an MCS 2024 world table, whose commodity is in its name; expected a name like mcs2024-cobal_world.csv' },
    ]);
  }
  const commodity = commodityOf(file, match[2] ?? '', body.length, file.label);
  if (!commodity) return;
  const columns: { index: number; unit: string; year: number }[] = [];
  header.forEach((name, index) => {
    const column = PROD_COLUMN_2024.exec(name);
    if (column) columns.push({ index, unit: (column[1] ?? '').toLowerCase(), year: Number(column[2]) });
  });
  if (columns.length === 0) return skipAll(file, body.length, 'table has no production columns');
  for (const { record, line } of body) {
    // Country is always the second column and Type the third (mcs2024-fluor names its Type column
    // "Mine production, fluorspar"), so they are read by position.
    const country = record[1] ?? '';
    for (const column of columns) {
      importEntry(file, {
        where: `${file.label}:${line} ${cleanName(country)}`,
        commodity,
        typeText: record[2] ?? '',
        country,
        year: column.year,
        raw: record[column.index] ?? '',
        factor: TONNES_PER_UNIT[column.unit],
        unit: column.unit,
        withheldByNote: false,
      });
    }
  }
}

function readLayout2025(file: FileContext, header: readonly string[], body: readonly { record: string[]; line: number }[]): void {
  const names = header.map((name) => name.toLowerCase());
  const at = (name: string): number => names.indexOf(name);
  const columns: { index: number; year: number }[] = [];
  names.forEach((name, index) => {
    const column = PROD_COLUMN_2025.exec(name);
    if (column) columns.push({ index, year: Number(column[1]) });
  });
  for (const { record, line } of body) {
    const country = record[at('country')] ?? '';
    const where = `${file.label}:${line} ${cleanName(country)}`;
    const commodity = commodityOf(file, record[at('commodity')] ?? '', columns.length, where);
    if (!commodity) continue;
    const unit = cleanName(record[at('unit_meas')] ?? '').toLowerCase();
    const withheldYears = withheldInNote(record[at('prod_notes')] ?? '');
    for (const column of columns) {
      importEntry(file, {
        where,
        commodity,
        typeText: record[at('type')] ?? '',
        country,
        year: column.year,
        raw: record[column.index] ?? '',
        factor: TONNES_PER_UNIT_NAME[unit],
        unit: unit === '' ? '(none)' : unit,
        withheldByNote: withheldYears.has(column.year),
      });
    }
  }
}

/** The years a "W for 23-24" note withholds. */
function withheldInNote(note: string): Set<number> {
  const match = WITHHELD_NOTE.exec(note);
  if (!match) return new Set();
  const year = (text: string): number => (text.length === 2 ? 2000 + Number(text) : Number(text));
  const from = year(match[1] ?? '');
  const to = match[2] ? year(match[2]) : from;
  const years = new Set<number>();
  for (let y = from; y <= to; y += 1) years.add(y);
  return years;
}

function readLayout2026(file: FileContext, header: readonly string[], body: readonly { record: string[]; line: number }[]): void {
  const names = header.map((name) => name.toLowerCase());
  const at = (name: string): number => names.indexOf(name);
  for (const { record, line } of body) {
    const field = (name: string): string => record[at(name)] ?? '';
    const country = field('country');
    const where = `${file.label}:${line} ${cleanName(country)}`;
    if (!/^world\b/i.test(cleanName(field('section'))) || cleanName(field('statistics')).toLowerCase() !== 'production') {
      file.result.tally.skip('not a world production row (U.S. salient statistics, import sources, reserves or capacity)');
      continue;
    }
    const commodity = commodityOf(file, field('mcs chapter'), 1, where);
    if (!commodity) continue;
    const yearText = cleanName(field('year'));
    if (!/^\d{4}$/.test(yearText)) {
      file.result.tally.skip('year is not a single year', where);
      continue;
    }
    const unit = cleanName(field('unit')).toLowerCase();
    importEntry(file, {
      where,
      commodity,
      // "Palladium: Mine production: Palladium", "Alumina: Alumina, refinery production"
      typeText: `${cleanName(field('commodity'))}: ${cleanName(field('statistics_detail'))}`,
      country,
      year: Number(yearText),
      raw: field('value'),
      factor: TONNES_PER_UNIT_NAME[unit],
      unit: unit === '' ? '(none)' : unit,
      withheldByNote: false,
    });
  }
}

/** One figure: kept as a row (or a withheld row), or skipped for a reason. */
function importEntry(file: FileContext, entry: Entry): void {
  const { tally, notes } = file.result;
  if (!inYears(file.options.years, entry.year)) {
    tally.skip('year outside --years');
    return;
  }
  const typeText = cleanName(entry.typeText);
  const rule = entry.commodity.rules.find((candidate) => candidate.type.test(typeText));
  if (!rule) {
    tally.skip(`Type not mapped to a material and stage: "${typeText}"`, entry.where);
    return;
  }
  const unwanted = file.options.select?.(rule.material, rule.stage);
  if (unwanted) {
    tally.skip(unwanted);
    return;
  }
  if (entry.factor === undefined) {
    tally.skip(`unit "${entry.unit}" is not a mass unit convertible to tonnes`, entry.where);
    return;
  }
  const raw = entry.raw.replace(/[\u00a0\s]+/g, ' ').trim();
  const withheld = raw.toUpperCase() === 'W' || (raw === '' && entry.withheldByNote);
  const cell = parseUsgsCell(entry.raw);
  const written = cleanName(entry.country);
  const { name, qualifier } = splitQualifier(written);
  const place = resolveCountryName(name);
  const slice = `${rule.material}|${rule.stage}|${entry.year}`;
  if (place.kind === 'world') {
    // A table may give partial totals (ilmenite, rutile) and their sum: the largest is the total.
    if (cell.kind === 'value') file.worlds.set(slice, Math.max(file.worlds.get(slice) ?? 0, roundQuantity(cell.value * entry.factor)));
    tally.skip('world total row (not a country; used to check the sums)');
    return;
  }
  if (place.kind === 'unknown') {
    tally.skip('country name not recognised', entry.where);
    return;
  }
  if (qualifier && place.kind === 'country') {
    const note = `${entry.where}: the figure is for ${qualifier} as USGS gives it (and counts it in the world total); kept as ${place.code}`;
    if (!notes.includes(note)) notes.push(note);
  }
  const fields = { material: rule.material, stage: rule.stage, country: place.code, year: entry.year, unit: 't', source: file.source };
  if (withheld) {
    addRow(file, rule, withheldProductionRow(fields));
    tally.keep();
    return;
  }
  if (cell.kind === 'skip') {
    const reason = raw === '' && file.layout === 'mcs2025' ? 'empty cell (no figure: MCS 2025 leaves NA cells blank)' : cell.reason;
    tally.skip(reason, `${entry.where} ${entry.year}`);
    return;
  }
  if (cell.value === 0) {
    tally.skip('zero production (no row needed)');
    return;
  }
  addRow(file, rule, { ...fields, quantity: roundQuantity(cell.value * entry.factor) });
  tally.keep();
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

/**
 * Two rows for one country are added up: parts of one figure (ilmenite and rutile) as USGS's total
 * does, other duplicates (e.g. "United States" twice) with a note. Where one of them is withheld,
 * the sum is not known: the row is withheld.
 */
function addRow(file: FileContext, rule: TypeRule, row: ProductionRow): void {
  const key = `${row.material}|${row.stage}|${row.country}|${row.year}`;
  const existing = file.rows.get(key);
  if (!existing) {
    file.rows.set(key, row);
    file.rowRules.set(key, rule);
    return;
  }
  const sameParts = rule.parts !== undefined && file.rowRules.get(key) === rule;
  if (isWithheldRow(existing) || isWithheldRow(row)) {
    file.rows.set(key, isWithheldRow(existing) ? existing : row);
    file.result.notes.push(`${row.source}: two rows for ${row.country} ${row.material} ${row.stage} ${row.year}, one withheld: kept as withheld`);
    return;
  }
  existing.quantity = roundQuantity(existing.quantity + row.quantity);
  if (sameParts && rule.parts) file.summedParts.add(rule.parts);
  else file.result.notes.push(`${row.source}: two rows for ${row.country} ${row.material} ${row.stage} ${row.year}; added up`);
}

/**
 * Compares the sum of the kept rows (countries + ZZZ) with the published world total. Totals are
 * rounded by USGS and some exclude withheld figures, so a difference is reported, not corrected.
 */
function checkWorldTotals(label: string, rows: readonly ProductionRow[], worlds: ReadonlyMap<string, number>, notes: string[]): void {
  for (const [key, world] of [...worlds.entries()].sort()) {
    const [material, stage, year] = key.split('|');
    const slice = rows.filter((row) => row.material === material && row.stage === stage && String(row.year) === year);
    const sum = slice.reduce((total, row) => total + (isWithheldRow(row) ? 0 : row.quantity), 0);
    const withheld = slice.filter(isWithheldRow).map((row) => row.country);
    const difference = world === 0 ? 0 : (sum - world) / world;
    const verdict = Math.abs(difference) < 0.005 ? 'match' : `differ by ${(difference * 100).toFixed(1)}%`;
    const without = withheld.length > 0 ? ` (${withheld.join(', ')} withheld)` : '';
    notes.push(
      `${label}: ${material} ${stage} ${year}: rows sum to ${formatQuantity(roundQuantity(sum))} t${without}, ` +
        `published world total ${formatQuantity(world)} t (${verdict})`,
    );
  }
}
