/**
 * UN Comtrade CSV downloads -> trade rows. Two layouts are read, by column name:
 * - the bulk/extract layout `year, reporter, partner, cmd, flow, value, netwgt, qty, qtyunit`
 *   (some extracts have no year column: the year then comes from --years or the file name);
 * - the API layout `refYear, reporterCode, partnerCode, flowCode, cmdCode, netWgt, primaryValue, ...`.
 *
 * Workbooks (.xlsx) of API output are read too, from their first sheet (the Quad extracts: World
 * and China rows of HS 2504, 2822 and 282520).
 *
 * Reporter and partner are numeric codes (numeric-codes.ts). Only import records (flow M) are
 * used: an export record of the partner describes the same flow from the other side, and using
 * both would count it twice. Net weight is in kg. Exact duplicate lines, which some extracts hold in
 * large numbers, are dropped and counted; so is a record of a reporter, partner, year and code that
 * an earlier file of the import already gave (two extracts of one declaration are not added).
 * Files may be gzip-compressed (.gz); they are streamed.
 *
 * Four-digit headings (HS 2504) listed in the HS map are totals of their six-digit codes: a total
 * is never added to a six-digit record of the same declaration. What a partner's heading total
 * holds beyond its six-digit records (2504 from China minus 250490 from China: the flake graphite
 * 250410) is written as a flow of the heading; the World total beyond the six-digit World records
 * and the partners' rests is unattributed, and the material's coverage for that reporter and year
 * is then partial. A workbook that gives a six-digit code only for some partners (World and China)
 * marks it partial the same way.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { InputError } from '../domain/problems.js';
import { entryOf, headingEntry, type HsEntry } from './hs-map.js';
import { resolveNumericCode, type CodeMatch } from './numeric-codes.js';
import { aggregateTrade, CoverageSeen, coverageRows, flowToRow, GrossSum, type FlowTracking, type TradeOptions } from './trade-filter.js';
import { emptyResult, Tally, type CoverageRow, type ImportResult, type TradeRow } from './types.js';

const COLUMN_NAMES = {
  year: ['year', 'refyear', 'period'],
  reporter: ['reporter', 'reportercode'],
  partner: ['partner', 'partnercode'],
  cmd: ['cmd', 'cmdcode', 'hs', 'hs6', 'commodity'],
  flow: ['flow', 'flowcode'],
  value: ['value', 'primaryvalue', 'tradevalue'],
  netwgt: ['netwgt'],
  qty: ['qty'],
  qtyunit: ['qtyunit', 'qtyunitcode'],
} as const;

type Field = keyof typeof COLUMN_NAMES;
type Columns = Partial<Record<Field, number>>;

const KG_UNIT_CODE = '8';

export async function importComtrade(paths: readonly string[], options: TradeOptions): Promise<ImportResult> {
  const result = emptyResult();
  const gross = new GrossSum();
  const run: RunState = { given: new Map(), totals: new HeadingTotals(), coverage: new Map() };
  for (const path of paths) {
    if (/\.xlsx$/i.test(path)) await importWorkbook(path, options, result, gross, run);
    else await importFile(path, options, result, gross, run);
  }
  const partial = run.totals.resolve(options, result, gross);
  result.trade = aggregateTrade(result.trade);
  result.gross = gross.rows();
  result.coverage = partialWins(result.coverage, partial);
  return result;
}

/** What one import run shares across its files. */
interface RunState {
  /** Reporter|partner|year|code -> the file that gave it first. */
  given: Map<string, string>;
  totals: HeadingTotals;
  coverage: Map<string, CoverageSeen>;
}

/**
 * Coverage rows with `partial` for every key (material, stage, importer, year, flow) that one file
 * of the import marks partial or that the heading and workbook checks found incomplete: the files
 * of one import describe one set of declarations, and one of them lacking detail makes the whole
 * partial (the loader would let a `full` row win).
 */
function partialWins(rows: readonly CoverageRow[], partial: ReadonlySet<string>): CoverageRow[] {
  const key = (row: CoverageRow): string => `${row.material}|${row.stage}|${row.importer}|${row.year}|${row.flow}`;
  const partialKeys = new Set(rows.filter((row) => row.extent === 'partial').map(key));
  return rows.map((row) =>
    partialKeys.has(key(row)) || partial.has(`${row.material}|${row.stage}|${row.importer}|${row.year}`) ? { ...row, extent: 'partial' as const } : row,
  );
}

/**
 * A reporter's import records (flow M) cover its imports: each reporter seen with an import record
 * of a mapped code in a year is covered for that year, `full` for a material and stage when the
 * file holds every code mapped to it that year. With --country, only that country's own
 * declarations count: its partners' files are read only for their trade with it.
 */
async function importFile(path: string, options: TradeOptions, result: ImportResult, gross: GrossSum, run: RunState): Promise<void> {
  const label = basename(path);
  await assertFile(path, label);
  const lines = createInterface({ input: openText(path), crlfDelay: Infinity });
  let columns: Columns | undefined;
  let fixedYear: number | null = null;
  const seen = new Set<string>();
  const counts = { duplicates: 0, qtyFallback: 0, earlier: 0 };
  const source = `UN Comtrade, ${label}`;
  const track: FlowTracking = { coverage: new CoverageSeen(), gross };
  // Records of mapped codes wait until the file is read: a total and its breakdown are told apart
  // only once every record of their reporter, partner, year, code and flow is known.
  const waiting: WaitingRecord[] = [];
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber += 1;
    const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    if (!columns) {
      columns = headerColumns(splitLine(line), label);
      fixedYear = columns.year === undefined ? yearFromContext(label, options) : null;
      continue;
    }
    const fields = splitLine(line);
    const cmd = (fields[columns.cmd ?? -1] ?? '').trim();
    if (options.hsMap.has(cmd) || headingEntry(options.hsMap, cmd)) {
      waiting.push({ fields, line, lineNumber });
      continue;
    }
    const context = { options, tally: result.tally, seen, counts, source, label, where: `${label}:${lineNumber}`, track, run, workbook: false };
    readRecord(fields, line, columns, fixedYear, context);
  }
  if (!columns) throw new InputError([{ file: label, message: 'file is empty' }]);
  const fileColumns = columns;
  const breakdowns = breakdownLines(waiting, fileColumns);
  for (const record of waiting) {
    if (breakdowns.parts.has(record.line)) {
      result.tally.skip('part of a breakdown whose total is also in the file (the total is kept, never added to its parts)');
      continue;
    }
    const context = { options, tally: result.tally, seen, counts, source, label, where: `${label}:${record.lineNumber}`, track, run, workbook: false };
    const row = readRecord(record.fields, record.line, fileColumns, fixedYear, context);
    if (row) result.trade.push(row);
  }
  if (breakdowns.parts.size > 0) {
    result.notes.push(
      `${label}: ${breakdowns.parts.size} distinct records left out as parts of a breakdown (by customs procedure, transport mode or second partner, columns the extract does not keep) whose total record is also there`,
    );
  }
  if (breakdowns.nested > 0) {
    result.notes.push(
      `${label}: for ${breakdowns.nested} reporter, partner, year, code and flow keys the other records do not add up to the largest (subtotals or several breakdowns); the largest is kept as the total there too`,
    );
  }
  if (track.coverage) for (const row of coverageRows(track.coverage, options, 'import', source)) result.coverage.push(row);
  if (counts.duplicates > 0) result.notes.push(`${label}: ${counts.duplicates} exact duplicate lines dropped`);
  if (counts.earlier > 0) result.notes.push(`${label}: ${counts.earlier} records dropped: an earlier file gave the same reporter, partner, year and code`);
  if (counts.qtyFallback > 0)
    result.notes.push(`${label}: ${counts.qtyFallback} rows had no net weight; their quantity in kg (qtyunit 8) was used for the rows kept`);
  if (fixedYear !== null) result.notes.push(`${label}: no year column; year ${fixedYear} taken from ${options.years ? '--years' : 'the file name'}`);
}

interface WaitingRecord {
  fields: string[];
  line: string;
  lineNumber: number;
}

/**
 * Extracts that drop Comtrade's breakdown columns (customs procedure, mode of transport, second
 * partner) hold, for one reporter, partner, year, code and flow, the total record beside its parts
 * and subtotals: Australia's 2022 graphite from Germany is 600 t, 1,650 t and their total 2,250 t.
 * Adding them would double the flow or worse. Comtrade always publishes the total record of a key, and
 * every part or subtotal is at most the total, so the largest distinct record of a key is kept and the
 * others are left out as parts. `nested` counts the keys whose other records do not add up to the
 * total or a whole multiple of it (subtotals, several breakdowns): the largest is taken there too.
 */
function breakdownLines(records: readonly WaitingRecord[], columns: Columns): { parts: Set<string>; nested: number } {
  const at = (record: WaitingRecord, field: Field): string => (record.fields[columns[field] ?? -1] ?? '').trim();
  const groups = new Map<string, { record: WaitingRecord; tonnes: number }[]>();
  const distinct = new Set<string>();
  for (const record of records) {
    if (distinct.has(record.line)) continue;
    distinct.add(record.line);
    // A record without a weight has nothing to add; readRecord counts it as such.
    const tonnes = tonnesOf((field) => at(record, field)).tonnes;
    if (tonnes === null) continue;
    const key = (['year', 'reporter', 'partner', 'cmd', 'flow'] as const).map((field) => at(record, field)).join('|');
    const group = groups.get(key);
    if (group) group.push({ record, tonnes });
    else groups.set(key, [{ record, tonnes }]);
  }
  // By line text, so that a part's exact repeats are left out with it.
  const parts = new Set<string>();
  let nested = 0;
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const total = group.reduce((best, entry) => (entry.tonnes > best.tonnes ? entry : best));
    const others = group.reduce((sum, entry) => (entry === total ? sum : sum + entry.tonnes), 0);
    const ratio = total.tonnes > 0 ? others / total.tonnes : 0;
    const times = Math.round(ratio);
    if (times < 1 || Math.abs(ratio - times) > 1e-3 * times) nested += 1;
    for (const entry of group) if (entry !== total) parts.add(entry.record.line);
  }
  return { parts, nested };
}

/** A workbook of Comtrade API output (first sheet, header in the first row). */
async function importWorkbook(path: string, options: TradeOptions, result: ImportResult, gross: GrossSum, run: RunState): Promise<void> {
  const label = basename(path);
  await assertFile(path, label);
  let rows: unknown[][];
  try {
    // Loaded here: only a workbook import needs the spreadsheet library.
    const { readSheet } = await import('read-excel-file/node');
    rows = (await readSheet(path)) as unknown[][];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError([{ file: label, message: `cannot be read as a workbook (${message})` }]);
  }
  const text = (cell: unknown): string => (cell === null || cell === undefined ? '' : String(cell));
  const header = (rows[0] ?? []).map(text);
  if (header.length === 0) throw new InputError([{ file: label, message: 'file is empty' }]);
  const columns = headerColumns(header, label);
  const fixedYear = columns.year === undefined ? yearFromContext(label, options) : null;
  const source = `UN Comtrade, ${label}`;
  const track: FlowTracking = { coverage: new CoverageSeen(), gross };
  const counts = { duplicates: 0, qtyFallback: 0, earlier: 0 };
  const seen = new Set<string>();
  rows.slice(1).forEach((cells, i) => {
    const fields = cells.map(text);
    if (fields.every((field) => field.trim() === '')) return;
    const context = { options, tally: result.tally, seen, counts, source, label, where: `${label} row ${i + 2}`, track, run, workbook: true };
    const row = readRecord(fields, fields.join('\u0001'), columns, fixedYear, context);
    if (row) result.trade.push(row);
  });
  if (track.coverage) for (const row of coverageRows(track.coverage, options, 'import', source)) result.coverage.push(row);
  if (counts.duplicates > 0) result.notes.push(`${label}: ${counts.duplicates} exact duplicate rows dropped`);
  if (counts.earlier > 0) result.notes.push(`${label}: ${counts.earlier} records dropped: an earlier file gave the same reporter, partner, year and code`);
  if (counts.qtyFallback > 0)
    result.notes.push(`${label}: ${counts.qtyFallback} rows had no net weight; their quantity in kg (qtyunit 8) was used for the rows kept`);
}

async function assertFile(path: string, label: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError([{ file: path, message: 'file not found' }]);
  if (!info.isFile()) throw new InputError([{ file: label, message: 'is not a regular file' }]);
}

function openText(path: string): Readable {
  const bytes = createReadStream(path);
  return path.endsWith('.gz') ? bytes.pipe(createGunzip()) : bytes;
}

/** Unquoted lines (nearly all) are split directly; a line with quotes goes through the CSV parser. */
function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  return (parse(line, { relax_column_count: true }) as string[][])[0] ?? [];
}

function headerColumns(header: readonly string[], label: string): Columns {
  const names = header.map((name) => name.trim().toLowerCase());
  const columns: Columns = {};
  for (const field of Object.keys(COLUMN_NAMES) as Field[]) {
    const index = names.findIndex((name) => (COLUMN_NAMES[field] as readonly string[]).includes(name));
    if (index >= 0) columns[field] = index;
  }
  const missing = (['reporter', 'partner', 'cmd', 'flow'] as const).filter((field) => columns[field] === undefined);
  if (columns.netwgt === undefined && columns.qty === undefined) missing.push('netwgt' as never);
  if (missing.length > 0) {
    throw new InputError([{ file: label, line: 1, message: `not a UN Comtrade CSV: no column for ${missing.join(', ')}` }]);
  }
  return columns;
}

/** A file without a year column: one year from --years, else a four-digit year in the file name. */
function yearFromContext(label: string, options: TradeOptions): number {
  if (options.years && options.years.from === options.years.to) return options.years.from;
  const match = /(?:^|\D)((?:19|20)\d{2})(?:\D|$)/.exec(label);
  if (match?.[1]) return Number(match[1]);
  throw new InputError([{ file: label, message: 'has no year column and no year in its name; give one year with --years (e.g. --years 2024)' }]);
}

interface LineContext {
  options: TradeOptions;
  tally: Tally;
  seen: Set<string>;
  counts: { duplicates: number; qtyFallback: number; earlier: number };
  source: string;
  label: string;
  where: string;
  track: FlowTracking;
  run: RunState;
  /** A workbook extract: its partner detail is checked against its World rows. */
  workbook: boolean;
}

function readRecord(fields: readonly string[], line: string, columns: Columns, fixedYear: number | null, context: LineContext): TradeRow | null {
  const { tally, options } = context;
  const get = (field: Field): string => {
    const index = columns[field];
    return index === undefined ? '' : (fields[index] ?? '').trim();
  };
  // The cheap checks first: most lines of a full download are other products.
  const hs6 = get('cmd');
  const heading = headingEntry(options.hsMap, hs6);
  if (!heading && !options.hsMap.has(hs6)) {
    tally.skip('HS code not in the HS map');
    return null;
  }
  if (context.seen.has(line)) {
    context.counts.duplicates += 1;
    tally.skip('exact duplicate of an earlier line');
    return null;
  }
  context.seen.add(line);
  const flow = get('flow').toUpperCase();
  if (flow !== 'M') {
    tally.skip(`flow ${flow || '(empty)'}: only import records (M) are used, so no flow is counted twice`);
    return null;
  }
  const year = fixedYear ?? Number(get('year'));
  if (!Number.isInteger(year)) {
    tally.skip('year is not a number', context.where);
    return null;
  }
  const given = `${get('reporter')}|${get('partner')}|${year}|${hs6}`;
  const earlier = context.run.given.get(given);
  if (earlier !== undefined && earlier !== context.label) {
    context.counts.earlier += 1;
    tally.skip('an earlier file of this import gave the same reporter, partner, year and code', context.where);
    return null;
  }
  context.run.given.set(given, context.label);
  const reporter = resolveNumericCode(get('reporter'));
  const partner = resolveNumericCode(get('partner'));
  context.track.coverage?.noteCode(year, hs6);
  if (reporter.kind === 'country') context.track.coverage?.noteImporter(year, reporter.code);
  const weight = tonnesOf(get);
  const value = numberOrNull(get('value'));
  const totals = context.run.totals;
  if (heading) {
    // A heading total: set aside until every file is read (see HeadingTotals).
    totals.total({ hs: hs6, entry: heading, reporter, partner, year, tonnes: weight.tonnes, valueUsd: value, source: context.source, where: context.where });
    return null;
  }
  if (reporter.kind === 'country' && weight.tonnes !== null) {
    if (context.workbook) totals.workbookDetail(hs6, reporter.code, partner, year, weight.tonnes);
    if (totals.hasHeadingOf(options.hsMap, hs6)) totals.detail(hs6, reporter.code, partner, year, weight.tonnes);
  }
  const row = flowToRow(
    { hs6, exporter: partner, importer: reporter, year, tonnes: weight.tonnes, valueUsd: value },
    options,
    tally,
    context.source,
    () => `${context.where} reporter ${get('reporter')} partner ${get('partner')}`,
    context.track,
  );
  if (row && weight.fromQty) context.counts.qtyFallback += 1;
  return row;
}

interface HeadingRecord {
  hs: string;
  entry: HsEntry;
  reporter: CodeMatch;
  partner: CodeMatch;
  year: number;
  tonnes: number | null;
  valueUsd: number | null;
  source: string;
  where: string;
}

/** Tonnes within which two figures of one declaration count as equal: 1 t or 0.5%. */
function tolerance(total: number): number {
  return Math.max(1, Math.abs(total) * 0.005);
}

/**
 * The heading totals of an import and the six-digit records they hold, by reporter, partner, year
 * and heading. resolve() writes each partner's rest (total minus its six-digit records) as a flow
 * of the heading, never the total on top of them, and returns the material, stage, reporter and
 * year keys whose World total is not all accounted for by partners (coverage partial).
 */
class HeadingTotals {
  private readonly records: HeadingRecord[] = [];
  /** heading|reporter|partner|year -> tonnes of the heading's six-digit codes. */
  private readonly details = new Map<string, number>();
  /** Six-digit codes from workbooks: code|reporter|year -> World tonnes and the partners' sum. */
  private readonly workbook = new Map<string, { world: number | null; partners: number; partnerCodes: Set<string> }>();
  private readonly headingOf = new Map<string, boolean>();

  hasHeadingOf(map: TradeOptions['hsMap'], hs6: string): boolean {
    let known = this.headingOf.get(hs6);
    if (known === undefined) this.headingOf.set(hs6, (known = headingEntry(map, hs6.slice(0, 4)) !== undefined));
    return known;
  }

  /** A heading record, tallied when resolved. */
  total(record: HeadingRecord): void {
    this.records.push(record);
  }

  detail(hs6: string, reporter: string, partner: CodeMatch, year: number, tonnes: number): void {
    const key = `${hs6.slice(0, 4)}|${reporter}|${partyKey(partner)}|${year}`;
    this.details.set(key, (this.details.get(key) ?? 0) + tonnes);
  }

  workbookDetail(hs6: string, reporter: string, partner: CodeMatch, year: number, tonnes: number): void {
    const key = `${hs6}|${reporter}|${year}`;
    const sums = this.workbook.get(key) ?? { world: null, partners: 0, partnerCodes: new Set<string>() };
    if (partner.kind === 'world') sums.world = (sums.world ?? 0) + tonnes;
    else if (partner.kind !== 'unknown') {
      sums.partners += tonnes;
      sums.partnerCodes.add(partner.code);
    }
    this.workbook.set(key, sums);
  }

  resolve(options: TradeOptions, result: ImportResult, gross: GrossSum): Set<string> {
    const partial = new Set<string>();
    const mark = (entry: HsEntry, reporter: string, year: number): void => {
      if (options.country && reporter !== options.country) return;
      partial.add(`${entry.material}|${entry.stage}|${reporter}|${year}`);
    };
    for (const [key, sums] of this.workbook) {
      const [hs6, reporter, year] = key.split('|') as [string, string, string];
      const entry = entryOf(options.hsMap, hs6);
      if (!entry) continue;
      const rest = sums.world === null ? Infinity : sums.world - sums.partners;
      if (rest > tolerance(sums.world ?? 0)) mark(entry, reporter, Number(year));
    }
    // Heading totals by reporter, year and heading: the World one, then the partners'.
    const groups = new Map<string, { world?: HeadingRecord; partners: HeadingRecord[] }>();
    for (const record of this.records) {
      if (record.reporter.kind !== 'country') {
        result.tally.skip('country code not recognised (aggregate or former country)', record.where);
        continue;
      }
      if (record.partner.kind === 'world') result.tally.skip('partner is the World (a total, not a flow)');
      const key = `${record.hs}|${record.reporter.code}|${record.year}`;
      const group = groups.get(key) ?? { partners: [] };
      if (record.partner.kind === 'world') group.world = record;
      else group.partners.push(record);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      let attributed = 0;
      for (const record of group.partners) {
        const reporter = keptOf(record.reporter);
        const detail = this.details.get(`${record.hs}|${reporter}|${partyKey(record.partner)}|${record.year}`) ?? 0;
        const rest = record.tonnes === null ? null : record.tonnes - detail;
        if (rest !== null && rest < -tolerance(record.tonnes ?? 0)) {
          result.notes.push(
            `${record.where}: HS ${record.hs} total ${round(record.tonnes ?? 0)} t is below its six-digit records (${round(detail)} t); nothing written for the heading`,
          );
        }
        const kept = rest !== null && rest > tolerance(record.tonnes ?? 0) ? rest : rest === null ? null : 0;
        attributed += kept ?? 0;
        if (kept === 0) {
          result.tally.skip('heading total: its six-digit records give all of it (never added to them)');
          continue;
        }
        const share = record.valueUsd !== null && record.tonnes ? (record.valueUsd * (kept ?? 0)) / record.tonnes : null;
        const row = flowToRow(
          { hs6: record.hs, exporter: record.partner, importer: record.reporter, year: record.year, tonnes: kept, valueUsd: share },
          options,
          result.tally,
          record.source,
          () => record.where,
          { gross },
        );
        if (row) result.trade.push(row);
      }
      const first = group.world ?? group.partners[0];
      if (!first) continue;
      const reporter = keptOf(first.reporter);
      if (!group.world || group.world.tonnes === null) {
        mark(first.entry, reporter, first.year);
        continue;
      }
      const worldDetail = this.details.get(`${first.hs}|${reporter}|world|${first.year}`) ?? 0;
      const unattributed = group.world.tonnes - worldDetail - attributed;
      if (unattributed > tolerance(group.world.tonnes)) {
        mark(first.entry, reporter, first.year);
        if (!options.country || reporter === options.country) {
          result.notes.push(
            `HS ${first.hs}, ${reporter} ${first.year}: of the World total ${round(group.world.tonnes)} t, ${round(unattributed)} t beyond the six-digit records ` +
              'have no partner in the files (not written; coverage partial)',
          );
        }
      }
    }
    return partial;
  }
}

function partyKey(match: CodeMatch): string {
  return match.kind === 'world' ? 'world' : match.kind === 'unknown' ? 'unknown' : match.code;
}

function keptOf(match: CodeMatch): string {
  return match.kind === 'country' || match.kind === 'unattributed' ? match.code : '';
}

function round(tonnes: number): number {
  return Math.round(tonnes);
}

/** Net weight in kg -> tonnes; when it is missing or 0, a quantity in kg (qtyunit 8) stands in. */
function tonnesOf(get: (field: Field) => string): { tonnes: number | null; fromQty: boolean } {
  const net = numberOrNull(get('netwgt'));
  if (net !== null && net > 0) return { tonnes: net / 1000, fromQty: false };
  const qty = numberOrNull(get('qty'));
  if (qty !== null && qty > 0 && get('qtyunit') === KG_UNIT_CODE) return { tonnes: qty / 1000, fromQty: true };
  return { tonnes: net === 0 ? 0 : null, fromQty: false };
}

function numberOrNull(text: string): number | null {
  if (text === '' || text.toUpperCase() === 'NA') return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}
