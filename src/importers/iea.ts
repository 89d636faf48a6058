/**
 * IEA Critical Minerals Data Explorer workbook (May 2024 edition), sheet "2 Total supply for key
 * minerals": two blocks side by side per mineral, mining in columns A-E and refining or processing
 * in G-K. Each block is a title ("Cobalt - Refining"), its own top countries, "Rest of world"
 * (-> ZZZ), "Total" and "Top 3 share". Quantities are kt; the first year column (2023) is observed
 * and the later ones (2030, 2035, 2040) are IEA base-case projections, which are not imported.
 *
 * Also a third party's JSON of the May 2025 workbook (`iea.json`, recognised by its shape:
 * `supply[<Mineral>][mining|refining] = {countries, total, top3Share}`, kt by year), read as the
 * same blocks ("Cobalt - Refining"). The edition cited is the base year + 1 (the IEA publishes each
 * May with the year before as its base year): 2024 for the workbook (base 2023), 2025 for the JSON.
 *
 * IEA's "Rest of world" sometimes also includes the last-named country of its block (2024 edition:
 * Canada 135.9 kt in nickel refining, Germany 28.2 kt in battery-grade graphite; 2025 edition:
 * Canada 113.1 kt in nickel refining), so the rows exceed IEA's own Total by exactly that country.
 * Where the rows minus the Total equal one named country's value (within rounding), that value is
 * subtracted from the remainder (ZZZ), so that the rows add up to the Total, and a note says so.
 */
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Stage } from '../domain/fields.js';
import { InputError } from '../domain/problems.js';
import { UNATTRIBUTED } from '../domain/countries.js';
import { resolveCountryName } from './country-names.js';
import { emptyResult, type ImportResult, type ProductionRow, type Selection } from './types.js';
import { formatQuantity, inYears, roundQuantity, type YearRange } from './values.js';

export const IEA_SHEET = '2 Total supply for key minerals';
const TONNES_PER_KT = 1000;
/** Half the last digit the workbook shows (0.1 kt), in tonnes: the rounding of one figure. */
const ROUNDING_T = 50;
/** Columns where a block starts: its title and country names are there, its years to the right. */
const BLOCK_COLUMNS = [0, 6];

/** IEA mineral names -> material ids of this tool. */
const MATERIALS: Readonly<Record<string, string>> = {
  copper: 'copper',
  cobalt: 'cobalt',
  lithium: 'lithium',
  nickel: 'nickel',
  graphite: 'graphite',
  // Magnet REEs (Nd, Pr, Dy, Tb oxides) only: the IEA's refining figures for rare earths.
  'magnet rare earth elements': 'rare-earths',
  // The same block in the JSON of the 2025 edition, which names it so.
  'rare earth elements': 'rare-earths',
};

/** "Mining", "Mining (natural)" -> mining; "Refining", "Chemicals", "Battery grade" -> refining. */
function stageOf(label: string): Stage | null {
  const text = label.toLowerCase();
  if (text.startsWith('mining')) return 'mining';
  if (/^(refining|chemicals|battery grade)/.test(text)) return 'refining';
  return null;
}

export interface IeaOptions {
  years?: YearRange;
  select?: Selection;
}

type Cell = string | number | boolean | null | unknown;

export async function importIea(paths: readonly string[], options: IeaOptions = {}): Promise<ImportResult> {
  const result = emptyResult();
  for (const path of paths) await importFile(path, options, result);
  return result;
}

async function importFile(path: string, options: IeaOptions, result: ImportResult): Promise<void> {
  const label = basename(path);
  const json = await readJsonSupply(path, label);
  const rows = json ? json.rows : await readWorkbook(path, label);
  const yearRowAt = rows.findIndex((row) => row.some(isYear));
  if (yearRowAt < 0) throw new InputError([{ file: label, message: `sheet "${IEA_SHEET}" has no row of years` }]);
  const yearRow = rows[yearRowAt] ?? [];
  // The base year is the first year column; the edition is the next year (May 2024 -> base 2023).
  const edition = Math.min(...yearRow.filter((cell): cell is number => isYear(cell))) + 1;
  if (json)
    result.notes.push(
      `${label}: a third party's JSON of the IEA workbook (its "source" says "${json.label}"); base year ${edition - 1}, cited as the ${edition} edition`,
    );
  for (const start of json ? [0] : BLOCK_COLUMNS) {
    const years = blockYears(yearRow, start);
    let block: Block | null = null;
    rows.slice(yearRowAt + 1).forEach((row, i) => {
      const where = json ? `${label} ${json.places[yearRowAt + 1 + i] ?? ''}` : `${label}:${yearRowAt + i + 2}`;
      block = readRow(row, start, where, block, { label, edition, years, options, result });
    });
  }
}

const isYear = (cell: Cell): boolean => typeof cell === 'number' && cell >= 1990 && cell <= 2100;

async function readWorkbook(path: string, label: string): Promise<Cell[][]> {
  try {
    // Loaded here: the spreadsheet library costs about 0.1 s to load, which no other import needs.
    const { readSheet } = await import('read-excel-file/node');
    return (await readSheet(path, IEA_SHEET)) as Cell[][];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError([{ file: label, message: `cannot read sheet "${IEA_SHEET}" (${message})` }]);
  }
}

/**
 * The JSON form of the supply sheet, as rows laid out like one block column of the sheet: the
 * years, then per mineral and stage a title ("Nickel - Refining"), the countries (Rest of world
 * among them), "Total", "Top 3 share", and the keys without any value (note texts the converter
 * took for countries) after the block. Null when the file is not such a JSON (a workbook is a zip,
 * which starts with "PK").
 */
async function readJsonSupply(path: string, label: string): Promise<{ rows: Cell[][]; places: string[]; label: string } | null> {
  let text: string;
  try {
    const file = await open(path);
    const start = Buffer.alloc(2);
    await file.read(start, 0, 2, 0).finally(() => file.close());
    if (start.toString('latin1') === 'PK') return null;
    text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError([{ file: label, message: `cannot be read (${message})` }]);
  }
  if (!/^\s*\{/.test(text)) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError([{ file: label, message: `is neither an IEA workbook nor valid JSON (${message})` }]);
  }
  const supply = isRecord(data) ? data.supply : undefined;
  const blocks: { title: string; block: Record<string, unknown> }[] = [];
  if (isRecord(supply)) {
    for (const [mineral, stages] of Object.entries(supply)) {
      if (!isRecord(stages)) continue;
      for (const [stage, block] of Object.entries(stages)) {
        if (isRecord(block) && isRecord(block.countries) && isRecord(block.total)) {
          blocks.push({ title: `${mineral} - ${stage.charAt(0).toUpperCase()}${stage.slice(1)}`, block });
        }
      }
    }
  }
  if (blocks.length === 0) {
    throw new InputError([{ file: label, message: 'not the IEA supply JSON: expected supply[<mineral>][mining|refining] with countries and total' }]);
  }
  const byYear = (series: unknown): Record<string, unknown> => (isRecord(series) ? series : {});
  const years = [...new Set(blocks.flatMap(({ block }) => Object.keys(byYear(block.total))))]
    .filter((key) => /^\d{4}$/.test(key))
    .map(Number)
    .sort((a, b) => a - b);
  const line = (head: string, series: unknown): Cell[] => [head, ...years.map((year) => byYear(series)[String(year)] ?? null)];
  const rows: Cell[][] = [[null, ...years]];
  const places: string[] = ['years'];
  const push = (row: Cell[], place: string): void => {
    rows.push(row);
    places.push(place);
  };
  for (const { title, block } of blocks) {
    const at = `supply ${title}`;
    push([title, ...years.map(() => null)], at);
    const entries = Object.entries(block.countries as Record<string, unknown>);
    const empty = (series: unknown): boolean => Object.values(byYear(series)).every((value) => value === null);
    for (const [name, series] of entries) if (!empty(series)) push(line(name, series), at);
    push(line('Total', block.total), at);
    push(line('Top 3 share', block.top3Share), at);
    for (const [name, series] of entries) if (empty(series)) push([name, ...years.map(() => null)], at);
  }
  return { rows, places, label: isRecord(data) && typeof data.source === 'string' ? data.source : '' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The year columns of the block starting at `start`: the first is observed, the rest projections. */
function blockYears(yearRow: readonly Cell[], start: number): { index: number; year: number; observed: boolean }[] {
  const years: { index: number; year: number; observed: boolean }[] = [];
  for (let index = start + 1; index < yearRow.length; index += 1) {
    const cell = yearRow[index];
    if (typeof cell !== 'number') break;
    years.push({ index, year: cell, observed: years.length === 0 });
  }
  return years;
}

interface Block {
  title: string;
  material: string | null;
  stage: Stage | null;
  rows: ProductionRow[];
}

interface SheetContext {
  label: string;
  /** The edition cited in the source column (base year + 1). */
  edition: number;
  years: { index: number; year: number; observed: boolean }[];
  options: IeaOptions;
  result: ImportResult;
}

/** One row of one block column; returns the block the next row belongs to. */
function readRow(row: readonly Cell[], start: number, where: string, block: Block | null, sheet: SheetContext): Block | null {
  const head = typeof row[start] === 'string' ? (row[start] as string).trim() : '';
  if (head === '') return block;
  const title = /^(.+?)\s+-\s+(.+)$/.exec(head);
  if (title && sheet.years.every((year) => row[year.index] == null)) return openBlock(head, title[1] ?? '', title[2] ?? '');
  const { tally } = sheet.result;
  if (!block) {
    tally.skip('text outside the tables (notes)');
    return null;
  }
  if (/^top 3 share/i.test(head)) {
    for (let i = 0; i < sheet.years.length; i += 1) tally.skip('"Top 3 share" row (a ratio, not a quantity)');
    return null; // the last row of a block: what follows is the next block or the notes
  }
  if (/^total/i.test(head)) {
    checkTotal(block, row, sheet);
    for (let i = 0; i < sheet.years.length; i += 1) tally.skip('"Total" row (not a country; used to check the sums)');
    return block;
  }
  for (const year of sheet.years) readCell(block, head, row[year.index], year, `${where} ${head}`, sheet);
  return block;
}

function openBlock(head: string, mineral: string, stageLabel: string): Block {
  return { title: head, material: MATERIALS[mineral.trim().toLowerCase()] ?? null, stage: stageOf(stageLabel.trim()), rows: [] };
}

function readCell(block: Block, name: string, cell: Cell, year: { year: number; observed: boolean }, where: string, sheet: SheetContext): void {
  const { tally } = sheet.result;
  const place = resolveCountryName(name);
  const unwanted = block.material && block.stage ? sheet.options.select?.(block.material, block.stage) : null;
  if (!year.observed) tally.skip('IEA base-case projection, not an observation');
  else if (!inYears(sheet.options.years, year.year)) tally.skip('year outside --years');
  else if (!block.material || !block.stage) tally.skip(`block "${block.title}" is not mapped to a material and stage`, where);
  else if (unwanted) tally.skip(unwanted);
  else if (place.kind === 'unknown' || place.kind === 'world') tally.skip('country name not recognised', where);
  else if (typeof cell !== 'number' || !Number.isFinite(cell) || cell < 0) tally.skip('not a number', where);
  else if (cell === 0) tally.skip('zero production (no row needed)');
  else {
    const row: ProductionRow = {
      material: block.material,
      stage: block.stage,
      country: place.code,
      year: year.year,
      // kt with float noise from the workbook's formulas (47.900000000000034): rounded to 0.1 t.
      quantity: Math.round(cell * TONNES_PER_KT * 10) / 10,
      unit: 't',
      source: `IEA Critical Minerals Data Explorer ${sheet.edition}, ${block.title}`,
    };
    block.rows.push(row);
    sheet.result.production.push(row);
    tally.keep();
  }
}

/**
 * Compares the block's rows (countries + Rest of world) with its Total row for the observed year.
 * Where the rows exceed the Total by one named country's value (within rounding), Rest of world
 * also holds that country: its value is subtracted from the remainder (ZZZ).
 */
function checkTotal(block: Block, row: readonly Cell[], sheet: SheetContext): void {
  const observed = sheet.years.find((year) => year.observed);
  const total = observed ? row[observed.index] : null;
  if (!observed || typeof total !== 'number' || !block.material || !block.stage) return;
  if (sheet.options.select?.(block.material, block.stage)) return; // a block left out by --materials or --stages
  const rows = block.rows.filter((kept) => kept.year === observed.year);
  if (rows.length === 0) return; // the year is outside --years
  const published = total * TONNES_PER_KT;
  const sum = rows.reduce((acc, kept) => acc + kept.quantity, 0);
  const shown = (tonnes: number): string => `${formatQuantity(roundQuantity(tonnes))} t`;
  const verdict = (rowsSum: number): string => (Math.abs(rowsSum - published) <= 1 ? 'match' : `differ by ${shown(Math.abs(rowsSum - published))}`);
  const head = `${sheet.label}: ${block.title} ${observed.year}: rows sum to ${shown(sum)}, Total ${shown(published)}`;
  const twice = countedTwice(rows, sum - published);
  const remainder = rows.find((kept) => kept.country === UNATTRIBUTED);
  if (!twice || !remainder || remainder.quantity < twice.quantity) {
    sheet.result.notes.push(`${head} (${verdict(sum)})`);
    return;
  }
  remainder.quantity = Math.round((remainder.quantity - twice.quantity) * 10) / 10;
  if (remainder.quantity === 0) {
    block.rows.splice(block.rows.indexOf(remainder), 1);
    sheet.result.production.splice(sheet.result.production.indexOf(remainder), 1);
  }
  const fixed = sum - twice.quantity;
  sheet.result.notes.push(
    `${head}: the rows exceed the Total by ${twice.country}'s ${shown(twice.quantity)}, which "Rest of world" also counts; ` +
      `subtracted from ZZZ (now ${shown(remainder.quantity)}), the rows sum to ${shown(fixed)} (${verdict(fixed) === 'match' ? 'match' : `${verdict(fixed)}, within rounding`})`,
  );
}

/**
 * The named country whose value is the rows' excess over the Total, within the rounding of the
 * figures added (half the last digit the workbook shows, 0.05 kt, for each row and the Total);
 * null unless exactly one country is that close.
 */
function countedTwice(rows: readonly ProductionRow[], excess: number): ProductionRow | null {
  const tolerance = ROUNDING_T * (rows.length + 1);
  if (excess <= tolerance) return null;
  const close = rows.filter((kept) => kept.country !== UNATTRIBUTED && Math.abs(excess - kept.quantity) <= tolerance);
  return close.length === 1 ? (close[0] ?? null) : null;
}
