/**
 * trade.csv text for large imports (a BACI year gives hundreds of thousands of rows): the same text
 * as contract-csv.ts would write, made from columns, each distinct text quoted once and the rows
 * sorted as numbers.
 */
import { isAscii } from 'node:buffer';
import { rowColumns, type TradeRow, type TradeRowColumns } from './types.js';
import { CsvBytes, SharedBytes } from './csv-bytes.js';
import { formatQuantity } from './values.js';
import { compareText, csvField, TRADE_HEADER } from './contract-csv.js';
import type { SortedTrade } from './baci-runs.js';

/**
 * trade.csv text: the rows in TRADE_ORDER, each field as csvField writes it. The same text as
 * csvText(TRADE_HEADER, rows.map(tradeFields).sort(TRADE_ORDER)), made for large imports (a BACI
 * year gives hundreds of thousands of rows): the text columns have few distinct values, so each is
 * given an id and a rank in text order, each distinct value is quoted once, and the rows are sorted
 * as numbers.
 */
export function tradeCsv(rows: readonly TradeRow[] | TradeRowColumns): string {
  return [...tradeCsvParts(rows)].map(partText).join('');
}

/** A part as text (a part ends at a line end: no character is cut in two). */
export function partText(part: string | Uint8Array): string {
  return typeof part === 'string' ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('utf8');
}

/**
 * tradeCsv's text in parts (of about 64 KB), to be written one after the other: strings, and for
 * flows merged on two threads (baci-runs.ts) the lines each thread wrote ahead, as UTF-8 bytes.
 */
export function* tradeCsvParts(given: readonly TradeRow[] | TradeRowColumns | SortedTradeColumns): Generator<string | Uint8Array> {
  const rows = Array.isArray(given) ? rowColumns(given as readonly TradeRow[]) : (given as TradeRowColumns | SortedTradeColumns);
  if (isSorted(rows)) {
    // As TradeTextTable: a number formatQuantity refuses throws before any part is written (lines
    // written already were checked where they were written).
    for (let trade: SortedTrade | undefined = rows.sorted; trade; trade = trade.rest) if (!trade.text) checkWritable(trade);
    yield `${TRADE_HEADER.map(csvField).join(',')}\n`;
    return yield* sortedTradeParts(rows.sorted);
  }
  yield* partsOf(new TradeLines(rows), rows.length);
}

/** The parts of `count` lines written one by one, then what is left. */
function* partsOf(lines: { next(): string | undefined; rest(): string }, count: number): Generator<string> {
  for (let at = 0; at < count; at++) {
    const part = lines.next();
    if (part !== undefined) yield part;
  }
  const rest = lines.rest();
  if (rest !== '') yield rest;
}

/** Trade rows that are summed flows already in TRADE_ORDER, with their columns (see baci-runs.ts). */
type SortedTradeColumns = TradeRowColumns & { sorted: SortedTrade };

function isSorted(rows: TradeRowColumns | SortedTradeColumns): rows is SortedTradeColumns {
  return 'sorted' in rows;
}

/** The text of each value of a table as CSV bytes, with `before` and `after` around it. */
function encodedFields(texts: readonly string[], before: string, after: string): Buffer[] {
  return texts.map((text) => Buffer.from(`${before}${csvField(text)}${after}`));
}

/** The flows' lines (written already, or now), then those of their rest. */
function* sortedTradeParts(trade: SortedTrade): Generator<string | Uint8Array> {
  if (trade.text) yield trade.text;
  else yield* partsOf(new SortedTradeLines(trade), trade.length);
  if (trade.rest) yield* sortedTradeParts(trade.rest);
}

/**
 * The trade.csv lines (no header) of merged flows, written ahead (by the thread that merged them,
 * in shared memory, to hand over; or while this thread waits for the other's); null when a number
 * in them cannot be written (the writer then meets the error itself, before it writes anything).
 */
export function sharedTradeLines(trade: SortedTrade): Uint8Array | null {
  try {
    checkWritable(trade);
  } catch {
    return null;
  }
  // About 70 bytes a line (a material, a stage, two codes, a year, two numbers and a source).
  const text = new SharedBytes(trade.length * 80);
  new SortedTradeLines(trade).writeAllInto(text);
  return text.bytes();
}

/** Throws formatQuantity's error for a quantity or value of `trade`'s own rows it refuses. */
function checkWritable(trade: SortedTrade): void {
  for (let row = 0; row < trade.length; row++) {
    writable(trade.quantity[row] ?? NaN);
    const value = trade.value[row] ?? NaN;
    if (!Number.isNaN(value)) writable(value);
  }
}

/**
 * Writes summed flows that are already in TRADE_ORDER (see baci-runs.ts) as CSV lines: the same
 * lines as TradeLines, read straight through, with each text field encoded once per table value.
 */
class SortedTradeLines {
  private readonly out: CsvBytes;
  private readonly group: Buffer[];
  private readonly exporter: Buffer[];
  private readonly importer: Buffer[];
  private readonly year: Buffer[];
  private readonly unit: Buffer[];
  private readonly source: Buffer[];
  private at = 0;

  constructor(private readonly trade: SortedTrade) {
    this.group = trade.groups.map(({ material, stage }) => Buffer.from(`${csvField(material)},${csvField(stage)},`));
    this.exporter = encodedFields(trade.codes, '', ',');
    this.importer = this.exporter;
    this.year = encodedFields(trade.years.map(String), '', ',');
    this.unit = encodedFields(trade.units, ',', ',');
    this.source = encodedFields(trade.sources, ',', '');
    const fields = [this.group, this.exporter, this.year, this.unit, this.source];
    this.out = new CsvBytes(fields.every((column) => column.every((field) => isAscii(field))));
  }

  next(): string | undefined {
    this.line(this.at++);
    return this.out.endLine();
  }

  /** Every line into `text`, part by part. */
  writeAllInto(text: SharedBytes): void {
    for (let row = 0; row < this.trade.length; row++) {
      this.line(row);
      if (this.out.newline()) this.out.moveInto(text);
    }
    this.out.moveInto(text);
  }

  /** A row's line, without its line end. */
  private line(row: number): void {
    const out = this.out;
    const trade = this.trade;
    out.bytes(this.group[trade.group[row] ?? 0] ?? NO_BYTES);
    out.bytes(this.exporter[trade.exporter[row] ?? 0] ?? NO_BYTES);
    out.bytes(this.importer[trade.importer[row] ?? 0] ?? NO_BYTES);
    out.bytes(this.year[trade.year[row] ?? 0] ?? NO_BYTES);
    out.quantity(trade.quantity[row] ?? NaN);
    out.bytes(this.unit[trade.unit[row] ?? 0] ?? NO_BYTES);
    const value = trade.value[row] ?? NaN;
    if (!Number.isNaN(value)) out.quantity(value);
    out.bytes(this.source[trade.source[row] ?? 0] ?? NO_BYTES);
  }

  rest(): string {
    return this.out.take();
  }
}

/** Writes the trade rows as CSV lines in TRADE_ORDER (a plain class: generators optimise less well). */
class TradeLines {
  private readonly table: TradeTextTable;
  private readonly sorted: SortedRows;
  private readonly out: CsvBytes;
  // The fields of each column by rank, as bytes with the commas around them.
  private readonly material: Buffer[];
  private readonly stage: Buffer[];
  private readonly exporter: Buffer[];
  private readonly importer: Buffer[];
  private readonly year: Buffer[];
  private readonly unit: Buffer[];
  private readonly source: Buffer[];

  constructor(rows: TradeRowColumns) {
    const table = (this.table = new TradeTextTable(rows));
    // TRADE_ORDER: material, stage, year, importer, exporter, source; the unit is carried along.
    this.sorted = new SortedRows(rows.length, [table.material, table.stage, table.year, table.importer, table.exporter, table.source], [table.unit]);
    this.material = table.material.encoded('', ',');
    this.stage = table.stage.encoded('', ',');
    this.exporter = table.exporter.encoded('', ',');
    this.importer = table.importer.encoded('', ',');
    this.year = table.year.encoded('', ',');
    this.unit = table.unit.encoded(',', ',');
    this.source = table.source.encoded(',', '');
    const fields = [this.material, this.stage, this.exporter, this.importer, this.year, this.unit, this.source];
    this.out = new CsvBytes(fields.every((column) => column.every((field) => isAscii(field))));
    this.out.bytes(Buffer.from(TRADE_HEADER.map(csvField).join(',')));
    this.out.endLine();
  }

  /** Writes the next line; returns a part of the text when one is full. */
  next(): string | undefined {
    const out = this.out;
    const row = this.sorted.next();
    const ranks = this.sorted.ranks;
    out.bytes(this.material[ranks[0] ?? 0] ?? NO_BYTES);
    out.bytes(this.stage[ranks[1] ?? 0] ?? NO_BYTES);
    out.bytes(this.exporter[ranks[4] ?? 0] ?? NO_BYTES);
    out.bytes(this.importer[ranks[3] ?? 0] ?? NO_BYTES);
    out.bytes(this.year[ranks[2] ?? 0] ?? NO_BYTES);
    out.quantity(this.table.quantity(row));
    out.bytes(this.unit[ranks[6] ?? 0] ?? NO_BYTES);
    const value = this.table.value(row);
    if (value !== null) out.quantity(value);
    out.bytes(this.source[ranks[5] ?? 0] ?? NO_BYTES);
    return out.endLine();
  }

  rest(): string {
    return this.out.take();
  }
}

/**
 * The trade rows read once, in row order, into columns: ids of the text fields (see TextColumn)
 * and the two numbers, so that writing in sorted order reads small arrays, not scattered objects.
 * A quantity or value that formatQuantity refuses throws here, before any part is written.
 */
class TradeTextTable {
  readonly material: TextColumn<string>;
  readonly stage: TextColumn<string>;
  readonly exporter: TextColumn<string>;
  readonly importer: TextColumn<string>;
  readonly year: TextColumn<number>;
  readonly unit: TextColumn<string>;
  readonly source: TextColumn<string>;
  /** Quantity and value of row i at 2i and 2i + 1, NaN for no value (a value is never NaN). */
  private readonly amounts: Float64Array;

  constructor(rows: TradeRowColumns) {
    const count = rows.length;
    this.material = new TextColumn(count);
    this.stage = new TextColumn(count);
    this.exporter = new TextColumn(count);
    this.importer = new TextColumn(count);
    this.year = new TextColumn(count);
    this.unit = new TextColumn(count);
    this.source = new TextColumn(count);
    this.amounts = new Float64Array(2 * count);
    for (let i = 0; i < count; i++) {
      const material = rows.material(i);
      const stage = rows.stage(i);
      const exporter = rows.exporter(i);
      const importer = rows.importer(i);
      const unit = rows.unit(i);
      const source = rows.source(i);
      const value = rows.valueUsd(i);
      this.material.add(i, material, material);
      this.stage.add(i, stage, stage);
      this.exporter.add(i, exporter, exporter);
      this.importer.add(i, importer, importer);
      this.year.add(i, rows.year(i), undefined);
      this.unit.add(i, unit, unit);
      this.source.add(i, source, source);
      this.amounts[2 * i] = writable(rows.quantity(i));
      this.amounts[2 * i + 1] = value === null ? NaN : writable(value);
    }
  }

  quantity(i: number): number {
    return this.amounts[2 * i] ?? NaN;
  }

  value(i: number): number | null {
    const value = this.amounts[2 * i + 1] ?? NaN;
    return Number.isNaN(value) ? null : value;
  }
}

/** The number, checked as formatQuantity checks it (the same error for a negative or non-finite one). */
function writable(value: number): number {
  if (!Number.isFinite(value) || value < 0) formatQuantity(value);
  return value;
}

/**
 * One column of a table being written: the id of each row's value (ids in order of first sight),
 * each distinct value's text (String(value) when not given) and its CSV field, made once, and the
 * rank of each in compareText order of the texts.
 */
const NO_BYTES = Buffer.alloc(0);

class TextColumn<T> {
  readonly ids: Int32Array;
  private readonly idOf = new Map<T, number>();
  private readonly texts: string[] = [];
  /** The CSV field of each id (csvField). */
  private readonly fields: string[] = [];
  private rankOf: Int32Array | undefined;
  private byRank: number[] = [];
  private lastValue: T | undefined;
  private lastId = 0;

  constructor(rows: number) {
    this.ids = new Int32Array(rows);
  }

  add(row: number, value: T, text: string | undefined): void {
    // Neighbouring rows often share a value (a source, a unit): no look-up then.
    if (value === this.lastValue && row > 0) {
      this.ids[row] = this.lastId;
      return;
    }
    let id = this.idOf.get(value);
    if (id === undefined) {
      this.idOf.set(value, (id = this.texts.length));
      const shown = text ?? String(value);
      this.texts.push(shown);
      this.fields.push(csvField(shown));
    }
    this.ids[row] = id;
    this.lastValue = value;
    this.lastId = id;
  }

  get distinct(): number {
    return this.texts.length;
  }

  /** The rank of each id (once all rows are added). */
  ranks(): Int32Array {
    if (!this.rankOf) {
      const byText = this.texts.map((_, id) => id).sort((a, b) => compareText(this.texts[a] ?? '', this.texts[b] ?? ''));
      this.rankOf = new Int32Array(byText.length);
      byText.forEach((id, rank) => this.rankOf && (this.rankOf[id] = rank));
      this.byRank = byText;
    }
    return this.rankOf;
  }

  /** The field of each rank (ranks() first) between `before` and `after`, as UTF-8 bytes. */
  encoded(before: string, after: string): Buffer[] {
    this.ranks();
    return this.byRank.map((id) => Buffer.from(`${before}${this.fields[id] ?? ''}${after}`));
  }
}

/**
 * The rows in the order of the sort columns' texts, first column first, ties in row order (as the
 * stable sort of the text fields). Each row's ranks make one number (mixed radix); when that number
 * times the row count stays exact in a double, the row number is packed in (and after it the ranks
 * of the carried columns, which then never decide the order), a numeric typed-array sort does the
 * work, and the ranks are read back from the sorted numbers instead of being looked up row by row
 * in scattered order. Else the ranks are compared.
 */
class SortedRows {
  /** The rank in each column (sort columns, then carried ones) of the row next() returned last. */
  readonly ranks: Int32Array;
  private readonly columns: readonly TextColumn<unknown>[];
  private readonly columnRanks: Int32Array[];
  private readonly radices: number[];
  private readonly keys: Float64Array | undefined;
  private readonly order: Int32Array | undefined;
  private at = 0;

  constructor(
    private readonly count: number,
    private readonly sortColumns: readonly TextColumn<unknown>[],
    carried: readonly TextColumn<unknown>[],
  ) {
    this.columns = [...sortColumns, ...carried];
    this.ranks = new Int32Array(this.columns.length);
    this.columnRanks = this.columns.map((column) => column.ranks());
    this.radices = this.columns.map((column) => Math.max(column.distinct, 1));
    const span = this.radices.reduce((product, radix) => product * radix, 1);
    if (span * count <= Number.MAX_SAFE_INTEGER) this.keys = this.packedKeys();
    else this.order = this.comparedOrder();
  }

  /** The next row number in sorted order; its ranks are in `ranks`. */
  next(): number {
    const at = this.at++;
    if (!this.keys) {
      const row = this.order?.[at] ?? 0;
      this.columns.forEach((column, c) => (this.ranks[c] = this.columnRanks[c]?.[column.ids[row] ?? 0] ?? 0));
      return row;
    }
    let key = this.keys[at] ?? 0;
    let row = 0;
    for (let c = this.columns.length - 1; c >= 0; c--) {
      // Read backwards: the carried columns, the row number, then the sort columns.
      if (c === this.sortColumns.length - 1) {
        row = remainder(key, this.count);
        key = (key - row) / this.count;
      }
      const radix = this.radices[c] ?? 1;
      const rank = remainder(key, radix);
      this.ranks[c] = rank;
      key = (key - rank) / radix;
    }
    return row;
  }

  private packedKeys(): Float64Array {
    const keys = new Float64Array(this.count);
    this.columns.forEach((column, c) => {
      const radix = this.radices[c] ?? 1;
      const rankOf = this.columnRanks[c] ?? new Int32Array(0);
      for (let row = 0; row < this.count; row++) keys[row] = (keys[row] ?? 0) * radix + (rankOf[column.ids[row] ?? 0] ?? 0);
      if (c === this.sortColumns.length - 1) for (let row = 0; row < this.count; row++) keys[row] = (keys[row] ?? 0) * this.count + row;
    });
    return keys.sort();
  }

  private comparedOrder(): Int32Array {
    const order = new Int32Array(this.count);
    for (let row = 0; row < this.count; row++) order[row] = row;
    return order.sort((a, b) => {
      for (let c = 0; c < this.sortColumns.length; c++) {
        const ids = this.columns[c]?.ids;
        const rankOf = this.columnRanks[c];
        const difference = (rankOf?.[ids?.[a] ?? 0] ?? 0) - (rankOf?.[ids?.[b] ?? 0] ?? 0);
        if (difference !== 0) return difference;
      }
      return a - b;
    });
  }
}

/** value % divisor for whole numbers below 2^53, without the slow floating-point remainder. */
function remainder(value: number, divisor: number): number {
  const rest = value - Math.floor(value / divisor) * divisor;
  // The quotient may be rounded by one either way.
  return rest < 0 ? rest + divisor : rest >= divisor ? rest - divisor : rest;
}
