/**
 * The BACI yearly CSV (`t,i,j,k,v,q`) read from its bytes. A year has about 11 million lines and
 * only a few percent are minerals, so each line is looked at as bytes: the product code k is read
 * as a number and looked up in a table made from the HS map, and only the lines of mapped products
 * are read further (country codes resolved once per distinct code, numbers read from the digits).
 *
 * Lines are what node:readline would give (LF, CRLF or a lone CR end a line) and are numbered the
 * same way, so skip examples name the same lines. A line the byte reader does not take (one with a
 * quote, a lone CR or a byte outside ASCII, and the header) is read by the string code, which is
 * the importer as it was written for readline; a field that is not plain digits (NA, 1e3, spaces)
 * is read with Number() from its text, as the string code reads it. Both give the same results.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { InputError } from '../domain/problems.js';
import { decimalValue, digitsValue, fieldBounds, isBlank, trimEnd, trimStart } from './ascii-fields.js';
import type { HsEntry, HsMap } from './hs-map.js';
import { resolveNumericCode, type CodeMatch } from './numeric-codes.js';
import { CoverageSeen, flowSkip, flowToRow, keptCode, NO_FACTOR, NOT_IN_HS_MAP, type SourceRecord, type TradeOptions } from './trade-filter.js';
import type { Tally } from './types.js';

const CSV_COLUMNS = ['t', 'i', 'j', 'k', 'v', 'q'] as const;
/** The index of each BACI column in the file's header. */
export type Columns = Record<(typeof CSV_COLUMNS)[number], number>;

const USD_PER_KUSD = 1000;
/** Bytes read at a time: large enough that per-read costs vanish, small enough to stay in cache. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

const NEWLINE = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

export interface BaciCsvOptions {
  /** Bytes per read (tests make it tiny so lines cross reads). */
  chunkSize?: number;
  /** Read in a worker thread: true always (when there is a compiled worker), false never; by default for large files. */
  threads?: boolean;
}

/**
 * Reads the lines of one BACI CSV (plain or .gz), handing each kept flow to `sink`. `part` reads
 * the file from a line start on, knowing the header's columns and the number of lines before that
 * point (a worker's share of a plain file).
 */
export async function readBaciLines(
  path: string,
  options: TradeOptions,
  products: ProductList,
  tally: Tally,
  sink: FlowSink,
  reading: BaciCsvOptions = {},
  part?: { start: number; lines: number; columns: Columns },
): Promise<void> {
  const chunkSize = reading.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const lines = new BaciLines(basename(path), options, products, tally, sink, part);
  const chunks = path.endsWith('.gz') ? gunzippedChunks(path, chunkSize) : fileChunks(path, chunkSize, part?.start);
  for await (const chunk of chunks) lines.push(chunk);
  lines.end();
}

/** Where the reader puts kept flows. */
export interface FlowSink {
  /** The id addFlow takes for a country code (ISO3, or ZZZ for unattributed). */
  countryId(code: string): number;
  /**
   * One kept flow of the product at `entry` (its index in the ProductList), in file order, in
   * tonnes of product (gross): the sink converts it with the content factor of its origin.
   */
  addFlow(entry: number, exporter: number, importer: number, year: number, grossTonnes: number, valueUsd: number | null): void;
  /** The codes and importers seen, by year, and the flows that could not be converted (coverage). */
  readonly coverage: CoverageSeen;
}

/**
 * The file's bytes from `start` to `end` (by default all), read into one buffer that is reused: a
 * chunk is valid until the next one.
 */
export async function* fileChunks(path: string, chunkSize: number, start = 0, end = Infinity): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (let position = start; position < end; ) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(chunkSize, end - position), position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

async function* gunzippedChunks(path: string, chunkSize: number): AsyncGenerator<Buffer> {
  // zlib's smallest output chunk is 64 bytes.
  const stream = createReadStream(path).pipe(createGunzip({ chunkSize: Math.max(chunkSize, 64) }));
  for await (const chunk of stream) yield chunk as Buffer;
}

/** A resolved country code with its id in the sums (-1 for the World and unknown codes). */
interface CountryRef {
  match: CodeMatch;
  id: number;
  /** The ISO3 code of a country (not of ZZZ, the World or an unknown code), for the coverage; '' else. */
  country: string;
  /** Its index among the reader's countries (CoverageMarks), -1 for none. */
  index: number;
}

/** Numeric codes below this are found in an array (BACI's have three digits), larger ones in a map. */
const ARRAY_CODES = 1000;
/** Years CoverageMarks keeps as marks: [FIRST_MARKED_YEAR, FIRST_MARKED_YEAR + MARKED_YEARS). */
const FIRST_MARKED_YEAR = 1000;
const MARKED_YEARS = 2000;
/** A partial mark is entry * PARTIAL_COUNTRIES + country index (an exact number for any count of both). */
const PARTIAL_COUNTRIES = 1 << 16;
const AS_IMPORTER = 1;
const AS_EXPORTER = 2;

/**
 * What the byte reader saw, as marks by year: each HS entry read, and each country seen as importer
 * or exporter. A line costs three array writes instead of three set insertions; flush() puts the
 * marks into the CoverageSeen (sets, whose order nothing reads). Other years go to it directly.
 */
class CoverageMarks {
  private readonly codes: (Uint8Array | undefined)[] = [];
  private readonly countries: (Uint8Array | undefined)[] = [];
  /**
   * By year, the entries and countries whose flows could not all be converted, as numbers (see
   * partial): the importer's imports and the exporter's exports of the entry's material are partial.
   */
  private readonly partialImports: (Set<number> | undefined)[] = [];
  private readonly partialExports: (Set<number> | undefined)[] = [];

  constructor(
    private readonly coverage: CoverageSeen,
    private readonly entries: readonly HsEntry[],
    private readonly refs: readonly CountryRef[],
  ) {}

  note(year: number, entry: number, importer: CountryRef, exporter: CountryRef): void {
    const slot = year - FIRST_MARKED_YEAR;
    if (!(slot >= 0 && slot < MARKED_YEARS && Number.isInteger(year))) return this.noteDirectly(year, entry, importer, exporter);
    const codes = (this.codes[slot] ??= new Uint8Array(this.entries.length));
    codes[entry] = 1;
    let countries = this.countries[slot];
    if (!countries || countries.length < this.refs.length) countries = this.countries[slot] = grown(countries, this.refs.length);
    if (importer.index >= 0) countries[importer.index] = (countries[importer.index] ?? 0) | AS_IMPORTER;
    if (exporter.index >= 0) countries[exporter.index] = (countries[exporter.index] ?? 0) | AS_EXPORTER;
  }

  /**
   * CoverageSeen.markPartial for a line of the byte reader, kept as two small numbers (entry and
   * importer, entry and exporter) by year instead of two texts; flush() makes the texts once each.
   */
  partial(year: number, entry: number, importer: CountryRef, exporter: CountryRef): void {
    const slot = year - FIRST_MARKED_YEAR;
    const indexed = importer.index >= 0 && exporter.index >= 0 && Math.max(importer.index, exporter.index) < PARTIAL_COUNTRIES;
    if (!(slot >= 0 && slot < MARKED_YEARS && Number.isInteger(year)) || !indexed) {
      return this.coverage.markPartial(this.entries[entry] as HsEntry, importer.country, year, exporter.country);
    }
    (this.partialImports[slot] ??= new Set()).add(entry * PARTIAL_COUNTRIES + importer.index);
    (this.partialExports[slot] ??= new Set()).add(entry * PARTIAL_COUNTRIES + exporter.index);
  }

  /** The marks into the coverage, then forgotten. */
  flush(): void {
    for (const [marks, exports] of [
      [this.partialImports, false],
      [this.partialExports, true],
    ] as const) {
      marks.forEach((keys, slot) => {
        for (const key of keys ?? []) {
          const entry = this.entries[Math.floor(key / PARTIAL_COUNTRIES)] as HsEntry;
          const country = this.refs[key % PARTIAL_COUNTRIES]?.country ?? '';
          this.coverage.markPartialFlow(entry, country, slot + FIRST_MARKED_YEAR, exports);
        }
      });
      marks.length = 0;
    }
    this.codes.forEach((codes, slot) => {
      const year = slot + FIRST_MARKED_YEAR;
      codes?.forEach((marked, entry) => marked && this.coverage.noteCode(year, (this.entries[entry] as HsEntry).hs6));
      this.countries[slot]?.forEach((marks, index) => {
        const country = this.refs[index]?.country ?? '';
        if (marks & AS_IMPORTER) this.coverage.noteImporter(year, country);
        if (marks & AS_EXPORTER) this.coverage.noteExporter(year, country);
      });
    });
    this.codes.length = 0;
    this.countries.length = 0;
  }

  private noteDirectly(year: number, entry: number, importer: CountryRef, exporter: CountryRef): void {
    this.coverage.noteCode(year, (this.entries[entry] as HsEntry).hs6);
    if (importer.country !== '') this.coverage.noteImporter(year, importer.country);
    if (exporter.country !== '') this.coverage.noteExporter(year, exporter.country);
  }
}

function grown(marks: Uint8Array | undefined, size: number): Uint8Array {
  const larger = new Uint8Array(Math.max(size, 2 * (marks?.length ?? 0), 256));
  if (marks) larger.set(marks);
  return larger;
}

const HS6_CODES = 1_000_000;

/**
 * The HS map's entries in a list (an entry is named by its index) and, when every key is six
 * digits, a table over all six-digit codes: the digits of k, read as a number, index it. With a
 * key that is not six digits (a map built by hand) there is no table and k is read as text.
 */
export class ProductList {
  readonly entries: HsEntry[];
  private readonly indexOf: Map<string, number>;
  /**
   * Code -> entry index + 1, 0 when the code is not mapped: a zero-filled table costs nothing
   * until read, and a map of HS codes fits 16 bits (there are about 5,600 HS6 codes).
   */
  readonly table: Uint16Array | Int32Array | null;

  constructor(hsMap: HsMap) {
    this.entries = [...hsMap.values()];
    this.indexOf = new Map([...hsMap.keys()].map((hs6, index) => [hs6, index]));
    const sixDigits = [...hsMap.keys()].every((hs6) => /^\d{6}$/.test(hs6));
    this.table = !sixDigits ? null : this.entries.length < 0xffff ? new Uint16Array(HS6_CODES) : new Int32Array(HS6_CODES);
    for (const [hs6, index] of this.indexOf) if (this.table) this.table[Number(hs6)] = index + 1;
  }

  /** The index of the entry of an HS code (a key of the map). */
  index(hs6: string): number {
    return this.indexOf.get(hs6) ?? -1;
  }
}

/**
 * Takes the bytes of a file chunk by chunk and reads its lines. A reader of a later part of a file
 * (a worker's) starts with the header's columns and the number of lines before its part.
 */
export class BaciLines {
  private readonly source: string;
  private lineNumber = 0;
  columns: Columns | undefined;
  /** The highest column index the reader needs. */
  private lastColumn = 0;
  /** Field bounds of the current line (see fieldBounds). */
  private bounds = new Int32Array(0);
  /** Lines skipped for an unmapped product, not yet in the tally (see count). */
  private notMapped = 0;
  /** The start of a line whose end is in a later chunk. */
  private carry: Buffer[] = [];
  /** Numeric country code -> resolved code: BACI has about 240 distinct codes (three digits). */
  private readonly countries: (CountryRef | undefined)[] = new Array<CountryRef | undefined>(ARRAY_CODES).fill(undefined);
  private readonly largeCodes = new Map<number, CountryRef>();
  /** The countries (not ZZZ, the World or unknown codes) with a CountryRef, by their index. */
  private readonly countryList: CountryRef[] = [];
  private readonly unknownCountry: CountryRef = { match: { kind: 'unknown' }, id: -1, country: '', index: -1 };
  private readonly marks: CoverageMarks;

  constructor(
    private readonly label: string,
    private readonly options: TradeOptions,
    private readonly products: ProductList,
    private readonly tally: Tally,
    private readonly sink: FlowSink,
    after?: { lines: number; columns: Columns },
  ) {
    this.source = `CEPII BACI, ${label}`;
    this.marks = new CoverageMarks(sink.coverage, products.entries, this.countryList);
    if (after) {
      this.lineNumber = after.lines;
      this.setColumns(after.columns);
    }
  }

  /** The number of lines read (blank ones too), as readline counts them. */
  get lines(): number {
    return this.lineNumber;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.carry.length > 0) {
      const newline = chunk.indexOf(NEWLINE);
      // A copy: the chunk's buffer is reused by the next read.
      if (newline === -1) return void this.carry.push(Buffer.from(chunk));
      const line = Buffer.concat([...this.carry, chunk.subarray(0, newline)]);
      this.carry = [];
      this.anyLine(line, 0, line.length);
      start = newline + 1;
    }
    // Quotes, CRs and bytes outside ASCII are rare: found for the whole chunk by native searches,
    // so a plain line costs one search for its end.
    const ascii = isAscii(chunk);
    let nextCr = nextByte(chunk, CR, start);
    let nextQuote = nextByte(chunk, QUOTE, start);
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) break;
      let end = newline;
      let plain = true;
      if (nextCr < newline) {
        if (nextCr === newline - 1)
          end = newline - 1; // CRLF
        else plain = false; // a lone CR ends a line too
        nextCr = nextByte(chunk, CR, newline + 1);
      }
      if (nextQuote < newline) {
        plain = false;
        nextQuote = nextByte(chunk, QUOTE, newline + 1);
      }
      if (plain && !ascii && !isAscii(chunk.subarray(start, end))) plain = false;
      if (plain) this.plainLine(chunk, start, end);
      else this.textLines(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.carry.push(Buffer.from(chunk.subarray(start)));
  }

  /** The last line, when the file does not end with a line break; then checks there was a header. */
  end(): void {
    if (this.carry.length > 0) {
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.anyLine(line, 0, line.length);
    }
    this.count();
    if (!this.columns) throw new InputError([{ file: this.label, message: 'file is empty' }]);
  }

  /**
   * Puts the lines skipped for an unmapped product into the tally, as that many tally.skip calls
   * would (the reason has no examples). end() does it; a reader of the first part of a file, which
   * has no end of its own, calls it.
   */
  count(): void {
    this.marks.flush();
    if (this.notMapped === 0) return;
    this.tally.read += this.notMapped;
    this.tally.skipped.set(NOT_IN_HS_MAP.text, (this.tally.skipped.get(NOT_IN_HS_MAP.text) ?? 0) + this.notMapped);
    this.notMapped = 0;
  }

  /** A line found outside the chunk loop (across chunks, or the last one): checked on its own. */
  private anyLine(bytes: Buffer, start: number, newline: number): void {
    const end = newline > start && bytes[newline - 1] === CR ? newline - 1 : newline;
    const line = bytes.subarray(start, end);
    if (line.includes(CR) || line.includes(QUOTE) || !isAscii(line)) this.textLines(bytes, start, newline);
    else this.plainLine(bytes, start, end);
  }

  /** A line without quotes, CRs or bytes outside ASCII: read from its bytes. */
  private plainLine(bytes: Buffer, start: number, end: number): void {
    this.lineNumber += 1;
    const columns = this.columns;
    const table = this.products.table;
    if (!columns || !table) return this.textLine(bytes.toString('latin1', start, end));
    if (isBlank(bytes, start, end)) return;
    const entry = this.productAt(bytes, start, end, columns.k, table);
    if (entry < 0) {
      // Most lines end here: counted in a number, added to the tally at the end.
      this.notMapped += 1;
      return;
    }
    const fields = fieldBounds(bytes, start, end, this.lastColumn, this.bounds);
    const exporter = this.countryAt(bytes, fields, columns.i);
    const importer = this.countryAt(bytes, fields, columns.j);
    const year = this.yearAt(bytes, fields, columns.t);
    const tonnes = this.numberAt(bytes, fields, columns.q);
    const kusd = this.numberAt(bytes, fields, columns.v);
    const hs = this.products.entries[entry] as HsEntry;
    this.marks.note(year, entry, importer, exporter);
    const reason = flowSkip(hs, exporter.match, importer.match, year, tonnes, this.options);
    if (reason) {
      if (reason === NO_FACTOR) this.marks.partial(year, entry, importer, exporter);
      const example = reason.withExample && this.tally.wantsExample(reason.text);
      return this.tally.skip(reason.text, example ? this.example(bytes, fields) : undefined);
    }
    this.tally.keep();
    const valueUsd = kusd === null ? null : Math.round(kusd * USD_PER_KUSD);
    this.sink.addFlow(entry, exporter.id, importer.id, year, tonnes ?? 0, valueUsd);
  }

  /**
   * The HS entry (index) of the line's product, -1 when it is not mapped. BACI writes product
   * codes as numbers (chapters 01-09 lose their leading zero), so the digits of k, read as a
   * number, index the table; an absent or empty k is padded to 000000, and more than six digits
   * or anything but digits is no six-digit code.
   */
  private productAt(bytes: Buffer, start: number, end: number, column: number, table: Uint16Array | Int32Array): number {
    // The common case in one pass: k is plain digits (no spaces) ended by a comma or the line end.
    let at = start;
    for (let commas = 0; commas < column; at++) {
      if (at >= end) return (table[0] ?? 0) - 1; // no field k: padded to 000000
      if (bytes[at] === COMMA) commas += 1;
    }
    let code = 0;
    const from = at;
    for (let byte = bytes[at] ?? 0; at < end && byte >= ZERO && byte <= NINE; byte = bytes[++at] ?? 0) code = code * 10 + (byte - ZERO);
    if (at === end || bytes[at] === COMMA) return at - from > 6 ? -1 : (table[code] ?? 0) - 1;
    return this.paddedProductAt(bytes, start, end, column, table);
  }

  /** productAt for a field k with spaces around it or other bytes in it. */
  private paddedProductAt(bytes: Buffer, start: number, end: number, column: number, table: Uint16Array | Int32Array): number {
    let code = 0;
    if (fieldBounds(bytes, start, end, column, this.bounds) > column) {
      const from = trimStart(bytes, this.bounds[2 * column] ?? 0, this.bounds[2 * column + 1] ?? 0);
      const to = trimEnd(bytes, from, this.bounds[2 * column + 1] ?? 0);
      code = to - from > 6 ? -1 : from === to ? 0 : digitsValue(bytes, from, to);
    }
    return code < 0 ? -1 : (table[code] ?? 0) - 1;
  }

  private countryAt(bytes: Buffer, fields: number, column: number): CountryRef {
    if (column >= fields) return this.unknownCountry; // resolveNumericCode('')
    const from = trimStart(bytes, this.bounds[2 * column] ?? 0, this.bounds[2 * column + 1] ?? 0);
    const code = digitsValue(bytes, from, trimEnd(bytes, from, this.bounds[2 * column + 1] ?? 0));
    if (code < 0) return this.countryRef(resolveNumericCode(this.fieldText(bytes, column)));
    let country = code < ARRAY_CODES ? this.countries[code] : this.largeCodes.get(code);
    if (country) return country;
    // The digits' number is the code without its leading zeros, as resolveNumericCode reads it.
    country = this.countryRef(resolveNumericCode(String(code)));
    if (code < ARRAY_CODES) this.countries[code] = country;
    else this.largeCodes.set(code, country);
    if (country.country !== '') {
      country.index = this.countryList.length;
      this.countryList.push(country);
    }
    return country;
  }

  private countryRef(match: CodeMatch): CountryRef {
    const code = keptCode(match);
    return { match, id: code === '' ? -1 : this.sink.countryId(code), country: match.kind === 'country' ? code : '', index: -1 };
  }

  /** Number(field), as the string code reads t (NaN when the line has no such field). */
  private yearAt(bytes: Buffer, fields: number, column: number): number {
    if (column >= fields) return NaN;
    const from = trimStart(bytes, this.bounds[2 * column] ?? 0, this.bounds[2 * column + 1] ?? 0);
    const year = digitsValue(bytes, from, trimEnd(bytes, from, this.bounds[2 * column + 1] ?? 0));
    return year >= 0 ? year : Number(this.fieldText(bytes, column));
  }

  /** numberOrNull(field), reading the common decimal texts from their digits. */
  private numberAt(bytes: Buffer, fields: number, column: number): number | null {
    if (column >= fields) return null;
    const from = trimStart(bytes, this.bounds[2 * column] ?? 0, this.bounds[2 * column + 1] ?? 0);
    const value = decimalValue(bytes, from, trimEnd(bytes, from, this.bounds[2 * column + 1] ?? 0));
    return Number.isNaN(value) ? numberOrNull(this.fieldText(bytes, column)) : value;
  }

  private fieldText(bytes: Buffer, column: number): string {
    return bytes.toString('latin1', this.bounds[2 * column] ?? 0, this.bounds[2 * column + 1] ?? 0);
  }

  /** Where a skipped line is, as the string code writes it (`undefined` for an absent field). */
  private example(bytes: Buffer, fields: number): string {
    const text = (column: number): string => (column < fields ? this.fieldText(bytes, column) : 'undefined');
    return `${this.label}:${this.lineNumber} i=${text(this.columns?.i ?? 0)} j=${text(this.columns?.j ?? 0)}`;
  }

  /**
   * Bytes up to a line feed that the byte reader leaves to the string code: decoded as UTF-8 and cut
   * where readline would cut them (a CR before the LF belongs to it; any other CR ends a line).
   */
  private textLines(bytes: Buffer, start: number, newline: number): void {
    const end = newline > start && bytes[newline - 1] === CR ? newline - 1 : newline;
    for (const raw of bytes.toString('utf8', start, end).split('\r')) {
      this.lineNumber += 1;
      this.textLine(raw);
    }
  }

  /** One line read as a string: the header, or a line the byte reader does not take. */
  private textLine(raw: string): void {
    if (raw.trim() === '') return;
    const at = this.columns;
    if (!at) return this.setColumns(csvHeader(raw.replace(/^\uFEFF/, '').split(','), this.label));
    const hs6 = (fieldAt(raw, at.k) ?? '').trim().replace(/"/g, '').padStart(6, '0');
    if (!this.options.hsMap.has(hs6)) return this.tally.skip(NOT_IN_HS_MAP.text);
    const fields = raw.split(',');
    const flow: SourceRecord = {
      hs6,
      exporter: resolveNumericCode(fields[at.i] ?? ''),
      importer: resolveNumericCode(fields[at.j] ?? ''),
      year: Number(fields[at.t]),
      tonnes: numberOrNull(fields[at.q]),
      valueUsd: scaled(numberOrNull(fields[at.v]), USD_PER_KUSD),
    };
    const line = this.lineNumber;
    if (Number.isInteger(flow.year)) {
      this.sink.coverage.noteCode(flow.year, hs6);
      if (flow.importer.kind === 'country') this.sink.coverage.noteImporter(flow.year, flow.importer.code);
      if (flow.exporter.kind === 'country') this.sink.coverage.noteExporter(flow.year, flow.exporter.code);
    }
    const row = flowToRow(flow, this.options, this.tally, this.source, () => `${this.label}:${line} i=${fields[at.i]} j=${fields[at.j]}`, {
      coverage: this.sink.coverage,
    });
    if (row)
      this.sink.addFlow(
        this.products.index(hs6),
        this.sink.countryId(row.exporter),
        this.sink.countryId(row.importer),
        row.year,
        flow.tonnes ?? 0,
        row.valueUsd,
      );
  }

  private setColumns(columns: Columns): void {
    this.columns = columns;
    this.lastColumn = Math.max(...Object.values(columns));
    this.bounds = new Int32Array(2 * (this.lastColumn + 1));
  }
}

/** The index of the next `byte` at or after `from`, or the chunk's length when there is none. */
function nextByte(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at === -1 ? chunk.length : at;
}

/** The field at `index` of a comma-separated line, found without splitting the line. */
function fieldAt(line: string, index: number): string | undefined {
  let start = 0;
  for (let field = 0; field < index; field++) {
    const comma = line.indexOf(',', start);
    if (comma === -1) return undefined;
    start = comma + 1;
  }
  const end = line.indexOf(',', start);
  return line.slice(start, end === -1 ? line.length : end);
}

function csvHeader(fields: readonly string[], label: string): Columns {
  const names = fields.map((name) => name.trim().replace(/"/g, '').toLowerCase());
  const at = Object.fromEntries(CSV_COLUMNS.map((name) => [name, names.indexOf(name)])) as Columns;
  const missing = CSV_COLUMNS.filter((name) => at[name] < 0);
  if (missing.length > 0) throw new InputError([{ file: label, line: 1, message: `not a BACI CSV: no column ${missing.join(', ')} (expected t,i,j,k,v,q)` }]);
  return at;
}

/** A quantity or value cell: "NA" and empty are none, and so are negative or non-finite numbers. */
function numberOrNull(raw: string | undefined): number | null {
  const text = (raw ?? '').trim();
  if (text === '' || text.toUpperCase() === 'NA') return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function scaled(value: number | null, factor: number): number | null {
  return value === null ? null : value * factor;
}
