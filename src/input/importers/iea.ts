/**
 * IEA Critical Minerals Data Explorer workbook (May 2024 edition), sheet "2 Total supply for key
 * minerals": two blocks side by side per mineral, mining in columns A-E and refining or processing
 * in G-K. Each block is a title ("Cobalt - Refining"), its own top countries, "Rest of world"
 * (-> ZZZ), "Total" and "Top 3 share". Quantities are kt; the first year column (2023) is observed
 * and the later ones (2030, 2035, 2040) are IEA base-case projections, which are not imported.
 */
import { basename } from 'node:path';
import type { Stage } from '../fields.js';
import { InputError } from '../problems.js';
import { resolveCountryName } from './country-names.js';
import { emptyResult, type ImportResult, type ProductionRow, type Selection } from './types.js';
import { formatQuantity, inYears, roundQuantity, type YearRange } from './values.js';

export const IEA_SHEET = '2 Total supply for key minerals';
const TONNES_PER_KT = 1000;
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
  let rows: Cell[][];
  try {
    // Loaded here: the spreadsheet library costs about 0.1 s to load, which no other import needs.
    const { readSheet } = await import('read-excel-file/node');
    rows = (await readSheet(path, IEA_SHEET)) as Cell[][];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError([{ file: label, message: `cannot read sheet "${IEA_SHEET}" (${message})` }]);
  }
  const yearRowAt = rows.findIndex((row) => row.some((cell) => typeof cell === 'number' && cell >= 1990 && cell <= 2100));
  if (yearRowAt < 0) throw new InputError([{ file: label, message: `sheet "${IEA_SHEET}" has no row of years` }]);
  const yearRow = rows[yearRowAt] ?? [];
  for (const start of BLOCK_COLUMNS) {
    const years = blockYears(yearRow, start);
    let block: Block | null = null;
    rows.slice(yearRowAt + 1).forEach((row, i) => {
      block = readRow(row, start, yearRowAt + i + 2, block, { label, years, options, result });
    });
  }
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
  years: { index: number; year: number; observed: boolean }[];
  options: IeaOptions;
  result: ImportResult;
}

/** One row of one block column; returns the block the next row belongs to. */
function readRow(row: readonly Cell[], start: number, line: number, block: Block | null, sheet: SheetContext): Block | null {
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
  for (const year of sheet.years) readCell(block, head, row[year.index], year, `${sheet.label}:${line} ${head}`, sheet);
  return block;
}

function openBlock(head: string, mineral: string, stageLabel: string): Block {
  return { title: head, material: MATERIALS[mineral.trim().toLowerCase()] ?? null, stage: stageOf(stageLabel.trim()), rows: [] };
}

function readCell(
  block: Block,
  name: string,
  cell: Cell,
  year: { year: number; observed: boolean },
  where: string,
  sheet: SheetContext,
): void {
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
      source: `IEA Critical Minerals Data Explorer 2024, ${block.title}`,
    };
    block.rows.push(row);
    sheet.result.production.push(row);
    tally.keep();
  }
}

/** Compares the block's rows (countries + Rest of world) with its Total row for the observed year. */
function checkTotal(block: Block, row: readonly Cell[], sheet: SheetContext): void {
  const observed = sheet.years.find((year) => year.observed);
  const total = observed ? row[observed.index] : null;
  if (!observed || typeof total !== 'number' || !block.material || !block.stage) return;
  if (sheet.options.select?.(block.material, block.stage)) return; // a block left out by --materials or --stages
  const sum = block.rows.filter((kept) => kept.year === observed.year).reduce((acc, kept) => acc + kept.quantity, 0);
  const published = total * TONNES_PER_KT;
  const verdict = Math.abs(sum - published) <= 1 ? 'match' : `differ by ${formatQuantity(roundQuantity(Math.abs(sum - published)))} t`;
  sheet.result.notes.push(
    `${sheet.label}: ${block.title} ${observed.year}: rows sum to ${formatQuantity(roundQuantity(sum))} t, Total ${formatQuantity(roundQuantity(published))} t (${verdict})`,
  );
}
