/**
 * Streaming CSV reading with the checks every data file needs before its rows mean anything:
 * the file exists and is a file, it is UTF-8 text (not UTF-16, Latin-1 or binary), its header has
 * the required columns once each, and each record has as many fields as the header.
 * Rows are handed to a callback one at a time so memory does not grow with the file.
 *
 * Speed: in most data files a record is exactly one line, so lines are split by hand straight from
 * the bytes (an order of magnitude faster than a general parser): at commas, or by splitQuotedLine
 * when a line has well-formed quoted fields. A caller-supplied prefilter may skip a quote-free line
 * before it is split (e.g. every line whose year field is not the requested year), and a caller's
 * fast reader may take a line straight from its bytes (see trade-lines.ts): a quote-free one, or with
 * `fastLineTakesQuotes` one with quoted fields too (most data files quote a free-text source column
 * on every row; the reader splits them as splitQuotedLine does, see byte-fields.ts). From the first
 * line the hand splitter cannot take (a quoted field running on to the next line, a malformed
 * quote, lone carriage returns as line ends) the rest of the file goes through csv-parse. Both paths
 * give the same records, line numbers and problems.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Parser } from 'csv-parse';
import { type Problem } from '../domain/problems.js';

export interface CsvColumns {
  /** Header names, trimmed and lower-cased, in file order. */
  names: string[];
  /** Position of each known column in a record. */
  index: Map<string, number>;
}

export interface CsvSpec {
  /** The name shown in messages (usually the file name relative to the data folder). */
  label: string;
  required: readonly string[];
  optional?: readonly string[];
}

export interface CsvReadResult {
  /** Data records seen after the header, blank and prefiltered ones included. */
  rowsRead: number;
  /** Records whose every field is empty (spreadsheet padding); they carry no data. */
  rowsBlank: number;
  /** Records the prefilter proved irrelevant; they were counted but not parsed. */
  rowsPrefiltered: number;
}

export interface RowSink {
  /** A record with as many fields as the header. */
  row(fields: string[], line: number, columns: CsvColumns): void;
  /** A record that cannot be read as a row (ragged); the reading goes on. */
  reject(problem: Problem): void;
}

/**
 * Given the header, returns a test on a raw quote-free line: false means the row can certainly be
 * skipped (it is counted, not parsed). Returning undefined disables prefiltering.
 */
export type LinePrefilter = (columns: CsvColumns) => ((bytes: Uint8Array, start: number, end: number) => boolean) | undefined;

export interface CsvReadOptions {
  /** Skips quote-free lines from their bytes; must agree with recordFilter. */
  prefilter?: LinePrefilter;
  /**
   * Given the header, a reader that takes a quote-free line (after the prefilter) straight from its
   * bytes; true means it handled the row, false sends it on to be split and given to the sink.
   */
  fastLine?: (columns: CsvColumns) => ((bytes: Uint8Array, start: number, end: number, line: number) => boolean) | undefined;
  /**
   * Offers lines with quote characters to fastLine too (most data files quote a trailing source
   * column on every row): the reader must then split quoted fields as splitQuotedLine does, and
   * decline (false) any line whose quoting it does not take or whose quoted fields it would read.
   */
  fastLineTakesQuotes?: boolean;
  /** Skips parsed records (counted as prefiltered) before their field count is checked. */
  recordFilter?: (columns: CsvColumns) => ((fields: readonly string[]) => boolean) | undefined;
  /** Filled in as the file is read, so the counts are known even when reading stops on a problem. */
  counts?: CsvReadResult;
  /** Called after each chunk read (about every MiB). */
  progress?: ProgressListener;
  /**
   * Read only bytes [start, end) of the file, as if `header` (the file's first line, with its line
   * end) came before them: one worker's share of a large file. Line numbers count from the header.
   * A quote character in the range is a problem: the cut between two ranges might have fallen inside
   * a quoted field, so such a file must be read from its start on one thread.
   */
  range?: { start: number; end: number; header: Buffer };
}

export interface Progress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  rowsRead: number;
}

export type ProgressListener = (progress: Progress) => void;

/** A record larger than this is not a data row of ours; reading stops instead of buffering it. */
export const MAX_RECORD_BYTES = 1 << 20;
/** The size of each read; the first chunk also decides how line ends are read (see RecordReader.push). */
export const CHUNK_BYTES = 1 << 20;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const QUOTE = 34;
const COMMA = 44;

/** A problem that stops the reading of a file (as opposed to a problem in one row). */
export class FileProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export async function readCsv(path: string, spec: CsvSpec, sink: RowSink, options: CsvReadOptions = {}): Promise<CsvReadResult> {
  const bytesTotal = await assertReadableFile(path, spec.label);
  const counts = options.counts ?? { rowsRead: 0, rowsBlank: 0, rowsPrefiltered: 0 };
  const reader = new RecordReader(spec, sink, options, counts);
  let bytesRead = 0;
  const { range } = options;
  if (range) await reader.push(range.header);
  for (const chunk of chunksOf(path, spec.label, range)) {
    if (range && chunk.includes(QUOTE)) throw new FileProblem({ file: spec.label, message: 'a quoted field in a share read by a worker thread' });
    await reader.push(chunk);
    bytesRead += chunk.length;
    options.progress?.({ file: spec.label, bytesRead, bytesTotal, rowsRead: counts.rowsRead });
  }
  await reader.end();
  return counts;
}

/**
 * The bytes of a file (or of bytes [start, end)) in chunks of CHUNK_BYTES, read into one reused
 * buffer: a fresh buffer per chunk would cost a page fault per 4 KiB read and garbage collections
 * on a large file. A chunk is valid only until the next one is read; nothing keeps it.
 *
 * The reads are synchronous: a command reads one file at a time and has nothing else to do
 * meanwhile, and each asynchronous call would be a round trip through libuv's thread pool, which
 * on the embedded data cost more than the reading itself.
 */
function* chunksOf(path: string, label: string, range?: { start: number; end: number }): Generator<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new FileProblem({ file: label, message: `cannot be read (${systemCode(error)})` });
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = range?.start ?? 0;
    const end = range?.end ?? Number.POSITIVE_INFINITY;
    while (position < end) {
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, buffer, 0, Math.min(CHUNK_BYTES, end - position), position);
      } catch (error) {
        throw new FileProblem({ file: label, message: `cannot be read (${systemCode(error)})` });
      }
      if (bytesRead === 0) break;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}

function systemCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/**
 * Turns bytes into records: quote-free complete lines are split by hand straight from the bytes;
 * from the first chunk with a quote character (or a file with lone carriage returns as line ends)
 * the decoded text goes through csv-parse.
 */
class RecordReader {
  private columns: CsvColumns | undefined;
  private keep: ((bytes: Uint8Array, start: number, end: number) => boolean) | undefined;
  private keepRecord: ((fields: readonly string[]) => boolean) | undefined;
  private fast: ((bytes: Uint8Array, start: number, end: number, line: number) => boolean) | undefined;
  private carry: Buffer = Buffer.alloc(0);
  /** Physical lines fully consumed by the hand splitter. */
  private lines = 0;
  private started = false;
  private parser: QuotedParser | undefined;
  private readonly bytes: ByteChecker;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly spec: CsvSpec,
    private readonly sink: RowSink,
    private readonly filters: Pick<CsvReadOptions, 'prefilter' | 'recordFilter' | 'fastLine' | 'fastLineTakesQuotes'>,
    readonly result: CsvReadResult,
  ) {
    this.bytes = new ByteChecker(spec.label);
  }

  async push(chunk: Buffer): Promise<void> {
    this.bytes.check(chunk);
    let data: Buffer = chunk;
    if (!this.started) {
      this.started = true;
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
      if (hasLoneCarriageReturn(data)) this.parser = await QuotedParser.create(this, 0);
    }
    if (this.parser) return this.parser.write(this.decode(data, chunk));
    if (this.carry.length > 0) {
      // Finish the line cut by the previous chunk on its own, so the big chunk is never copied.
      const newline = data.indexOf(NEWLINE);
      if (newline === -1) {
        this.carry = Buffer.concat([this.carry, data]);
        if (this.carry.length > MAX_RECORD_BYTES) throw this.tooLong(this.lines + 1);
        return;
      }
      const head = Buffer.concat([this.carry, data.subarray(0, newline + 1)]);
      this.carry = Buffer.alloc(0);
      if (!isUtf8(head)) throw this.bytes.invalidUtf8(this.lines, head);
      const stop = this.splitLines(head);
      if (stop !== -1) return this.switchToParser(Buffer.concat([head.subarray(stop), data.subarray(newline + 1)]), chunk);
      data = data.subarray(newline + 1);
    }
    const lastNewline = data.lastIndexOf(NEWLINE);
    const complete = data.subarray(0, lastNewline + 1);
    if (!isUtf8(complete)) throw this.bytes.invalidUtf8(this.lines, complete);
    const stop = this.splitLines(complete);
    if (stop !== -1) return this.switchToParser(data.subarray(stop), chunk);
    this.carry = Buffer.from(data.subarray(lastNewline + 1));
    if (this.carry.length > MAX_RECORD_BYTES) throw this.tooLong(this.lines + 1);
  }

  /** From here on csv-parse reads the text; `data` starts at the beginning of a line. */
  private async switchToParser(data: Buffer, chunk: Buffer): Promise<void> {
    this.parser = await QuotedParser.create(this, this.lines);
    return this.parser.write(this.decode(data, chunk));
  }

  async end(): Promise<void> {
    if (this.parser) {
      try {
        await this.parser.write(this.decoder.decode());
      } catch (error) {
        if (error instanceof FileProblem) throw error;
        throw new FileProblem({ file: this.spec.label, message: 'file ends inside a UTF-8 character; save it as UTF-8' });
      }
      await this.parser.end();
    } else if (this.carry.length > 0) {
      if (!isUtf8(this.carry)) {
        if (firstInvalidUtf8(this.carry) < this.carry.length) throw this.bytes.invalidUtf8(this.lines, this.carry);
        throw new FileProblem({ file: this.spec.label, message: 'file ends inside a UTF-8 character; save it as UTF-8' });
      }
      const text = this.carry;
      this.carry = Buffer.alloc(0);
      const end = text[text.length - 1] === CARRIAGE_RETURN ? text.length - 1 : text.length;
      if (this.line(text, 0, end, this.lines + 1, text.includes(QUOTE))) this.lines += 1;
      else {
        // A last line with a malformed quote: csv-parse reads it and names the problem.
        this.parser = await QuotedParser.create(this, this.lines);
        await this.parser.write(this.decoder.decode(text));
        await this.parser.end();
      }
    }
    if (!this.columns) {
      throw new FileProblem({
        file: this.spec.label,
        message: `file is empty: expected a header line with the columns ${this.spec.required.join(',')}`,
      });
    }
  }

  private decode(data: Buffer, chunk: Buffer): string {
    try {
      return this.decoder.decode(data, { stream: true });
    } catch {
      throw this.bytes.invalidUtf8(this.lines, data, chunk);
    }
  }

  /**
   * Reads the complete lines of `bytes`; returns -1, or the offset of the first line the hand
   * splitter cannot take (a quoted field that goes on to the next line, or a malformed quote), from
   * which csv-parse takes over.
   */
  private splitLines(bytes: Buffer): number {
    let start = 0;
    // The next quote character at or after `start` (-1: none left), found once per quote, not per line.
    let quoteAt = bytes.indexOf(QUOTE);
    for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      if (quoteAt !== -1 && quoteAt < start) quoteAt = bytes.indexOf(QUOTE, start);
      const quoted = quoteAt !== -1 && quoteAt < end;
      if (!this.line(bytes, start, end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end, this.lines + 1, quoted)) return start;
      this.lines += 1;
      start = end + 1;
    }
    return -1;
  }

  /**
   * One physical line, bytes[start, end); false when it must go to csv-parse. Empty lines are
   * skipped, as csv-parse's skip_empty_lines does.
   */
  private line(bytes: Buffer, start: number, end: number, line: number, quoted: boolean): boolean {
    if (end === start) return true;
    if (end - start > MAX_RECORD_BYTES) throw this.tooLong(line);
    if (this.columns && (!quoted || this.filters.fastLineTakesQuotes)) {
      if (!quoted && this.keep && !this.keep(bytes, start, end)) {
        this.result.rowsRead += 1;
        this.result.rowsPrefiltered += 1;
        return true;
      }
      if (this.fast?.(bytes, start, end, line)) {
        this.result.rowsRead += 1;
        return true;
      }
    }
    const text = bytes.toString('utf8', start, end);
    const fields = quoted ? splitQuotedLine(text) : text.split(',');
    if (!fields) return false;
    this.record(fields, line);
    return true;
  }

  /** One record from either path, with the physical line it ends on. */
  record(fields: string[], line: number): void {
    if (!this.columns) {
      this.columns = checkHeader(fields, this.spec, line);
      this.keep = this.filters.prefilter?.(this.columns);
      this.keepRecord = this.filters.recordFilter?.(this.columns);
      this.fast = this.filters.fastLine?.(this.columns);
      return;
    }
    this.result.rowsRead += 1;
    if (this.keepRecord && !this.keepRecord(fields)) this.result.rowsPrefiltered += 1;
    else if (fields.every((field) => field.trim() === '')) this.result.rowsBlank += 1;
    else if (fields.length !== this.columns.names.length) {
      this.sink.reject({
        file: this.spec.label,
        line,
        message: `expected ${this.columns.names.length} fields as in the header, found ${fields.length}`,
      });
    } else this.sink.row(fields, line, this.columns);
  }

  tooLong(line: number): FileProblem {
    return new FileProblem({ file: this.spec.label, line, message: `a record is longer than ${MAX_RECORD_BYTES} bytes; this is not a data row` });
  }

  get label(): string {
    return this.spec.label;
  }
}

/**
 * Splits one line whose quoted fields are well formed and end on the same line (`"a ""b""",c`);
 * null for anything else (an unclosed quote, text after a closing quote, a quote inside an unquoted
 * field), which csv-parse then reads or reports. For the lines it accepts it gives what csv-parse gives.
 */
export function splitQuotedLine(text: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) return null;
        value += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) !== QUOTE) {
          i = quote + 1;
          break;
        }
        value += '"';
        from = quote + 2;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text.charCodeAt(i) !== COMMA) return null;
      i += 1;
    } else {
      const comma = text.indexOf(',', i);
      const value = text.slice(i, comma === -1 ? text.length : comma);
      if (value.includes('"')) return null;
      fields.push(value);
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}

/** A carriage return not followed by a line feed (and not cut at the chunk's end): old Mac line ends. */
export function hasLoneCarriageReturn(bytes: Buffer): boolean {
  for (let i = bytes.indexOf(CARRIAGE_RETURN); i !== -1 && i < bytes.length - 1; i = bytes.indexOf(CARRIAGE_RETURN, i + 1)) {
    if (bytes[i + 1] !== NEWLINE) return true;
  }
  return false;
}

type CsvParseModule = typeof import('csv-parse');
let csvParse: CsvParseModule | undefined;

/** csv-parse for the part of a file from its first quote character on, with line numbers made absolute. */
class QuotedParser {
  /** csv-parse is loaded only for files that need it: quote-free files never pay for it. */
  static async create(reader: RecordReader, lineBase: number): Promise<QuotedParser> {
    csvParse ??= await import('csv-parse');
    return new QuotedParser(reader, lineBase, csvParse);
  }

  private readonly parser: Parser;
  private failure: Error | undefined;
  private readonly finished: Promise<void>;
  /** The line the last complete record ended on: a record that never ends starts after it. */
  private lastRecordLine: number;

  private constructor(
    private readonly reader: RecordReader,
    private readonly lineBase: number,
    private readonly csv: CsvParseModule,
  ) {
    this.lastRecordLine = lineBase;
    this.parser = csv.parse({ info: true, skip_empty_lines: true, relax_column_count: true, max_record_size: MAX_RECORD_BYTES });
    this.parser.on('data', (chunk: { record: string[]; info: { lines: number } }) => {
      if (this.failure) return;
      try {
        this.lastRecordLine = lineBase + chunk.info.lines;
        reader.record(chunk.record, this.lastRecordLine);
      } catch (error) {
        this.failure = error as Error;
      }
    });
    this.finished = new Promise((resolve) => {
      this.parser.on('end', resolve);
      this.parser.on('error', (error) => {
        this.failure ??= this.translate(error);
        resolve();
      });
    });
  }

  write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (text !== '') this.parser.write(text);
    return new Promise((resolve) => setImmediate(resolve)).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  async end(): Promise<void> {
    if (!this.failure) this.parser.end();
    await this.finished;
    if (this.failure) throw this.failure;
  }

  private translate(error: unknown): Error {
    if (error instanceof this.csv.CsvError) {
      const lines = (error as unknown as { lines?: number }).lines;
      const text = CSV_ERROR_TEXT[error.code] ?? error.message;
      // A record that never ends is reported where it starts, not where the reading gave up.
      const line = RECORD_NEVER_ENDS.has(error.code) ? this.lastRecordLine + 1 : lines ? this.lineBase + lines : undefined;
      return new FileProblem({ file: this.reader.label, ...(line ? { line } : {}), message: text });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Rejects files that are not UTF-8 text before their bytes become replacement characters: UTF-16
 * (by its byte-order mark), binary data (NUL bytes) and invalid UTF-8 such as Latin-1 exports,
 * naming the line of the first bad byte.
 */
class ByteChecker {
  private linesBefore = 0;
  private first = true;

  constructor(private readonly label: string) {}

  check(chunk: Buffer): void {
    if (this.first) {
      this.first = false;
      if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
        throw new FileProblem({ file: this.label, message: 'file is UTF-16 encoded; save it as UTF-8 CSV' });
      }
      const container = containerKind(chunk);
      if (container) throw new FileProblem({ file: this.label, message: container });
    }
    const nul = chunk.indexOf(0);
    if (nul >= 0 && this.linesBefore === 0 && looksLikeUtf16(chunk)) {
      throw new FileProblem({ file: this.label, message: 'file looks UTF-16 encoded (no byte-order mark); save it as UTF-8 CSV' });
    }
    if (nul >= 0) {
      throw new FileProblem({
        file: this.label,
        line: this.linesBefore + countNewlines(chunk, nul) + 1,
        message: 'file contains binary data (a NUL byte); expected UTF-8 CSV text',
      });
    }
    this.linesBefore += countNewlines(chunk, chunk.length);
  }

  /**
   * The problem for invalid UTF-8 somewhere in `bytes`, which starts at the beginning of line
   * `linesDone + 1` (or, with `chunk`, in the newest chunk when the text path cannot say where).
   */
  invalidUtf8(linesDone: number, bytes: Buffer, chunk?: Buffer): FileProblem {
    const line = chunk
      ? this.linesBefore - countNewlines(chunk, chunk.length) + countNewlines(chunk, firstInvalidUtf8(chunk)) + 1
      : linesDone + countNewlines(bytes, firstInvalidUtf8(bytes)) + 1;
    return new FileProblem({ file: this.label, line, message: 'invalid UTF-8 byte (is the file Latin-1 or Windows-1252?); save it as UTF-8' });
  }
}

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const EMPTY_ZIP_MAGIC = Buffer.from('PK\x05\x06', 'latin1');
const OLE2_MAGIC = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const SAVE_AS_CSV = 'open it and save it as "CSV UTF-8 (comma delimited)"';

/**
 * What a file that starts like a spreadsheet or an archive is, said plainly rather than as "binary
 * data": an .xlsx or .ods is a ZIP archive (it starts with PK), an .xls is an OLE2 compound file.
 */
function containerKind(chunk: Buffer): string | undefined {
  if (chunk.subarray(0, 8).equals(OLE2_MAGIC)) return `file is a spreadsheet (xls, Excel 97-2003), not CSV; ${SAVE_AS_CSV}`;
  const head = chunk.subarray(0, 4);
  if (!head.equals(ZIP_MAGIC) && !head.equals(EMPTY_ZIP_MAGIC)) return undefined;
  const names = chunk.subarray(0, 64 * 1024).toString('latin1');
  if (names.includes('application/vnd.oasis.opendocument.spreadsheet')) return `file is a spreadsheet (ods), not CSV; ${SAVE_AS_CSV}`;
  // The OOXML parts ([Content_Types].xml, xl/...) are named in the first entries' headers; an
  // archive naming none of them is most often a spreadsheet too, but it is said as it is.
  if (/\[Content_Types\]\.xml|xl\/|docProps\//.test(names)) return `file is a spreadsheet (xlsx), not CSV; ${SAVE_AS_CSV}`;
  return 'file is a ZIP archive (perhaps an xlsx spreadsheet), not CSV; unzip it, or save the spreadsheet as CSV UTF-8';
}

/** Text in UTF-16 has a NUL in every other byte of its ASCII characters. */
function looksLikeUtf16(chunk: Buffer): boolean {
  const sample = chunk.subarray(0, 4096);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i += 1) {
    if (sample[i] !== 0) continue;
    if (i % 2 === 0) even += 1;
    else odd += 1;
  }
  return Math.max(even, odd) > sample.length * 0.3;
}

function countNewlines(buffer: Buffer, end: number): number {
  let count = 0;
  for (let i = buffer.indexOf(NEWLINE); i >= 0 && i < end; i = buffer.indexOf(NEWLINE, i + 1)) count += 1;
  return count;
}

/** Offset of the first byte that cannot start or continue a UTF-8 sequence (a best effort at chunk edges). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && ((bytes[i] ?? 0) & 0xc0) === 0x80) i += 1; // tail of a sequence cut by the chunk
  while (i < bytes.length) {
    const byte = bytes[i] ?? 0;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k += 1) {
      if (i + k >= bytes.length) return bytes.length;
      if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return bytes.length;
}

/** The file's size, after checking that it is a readable regular file. */
async function assertReadableFile(path: string, label: string): Promise<number> {
  let info;
  try {
    info = statSync(path);
  } catch {
    // trade.csv is required even with no trade, which is easy to miss: say which folder lacks it.
    const where = label === 'trade.csv' ? ` in ${dirname(path)} (a data folder needs one; a header line alone is enough when there is no trade)` : '';
    throw new FileProblem({ file: label, message: `file not found${where}` });
  }
  if (info.isDirectory()) throw new FileProblem({ file: label, message: 'is a directory, expected a CSV file' });
  if (!info.isFile()) throw new FileProblem({ file: label, message: 'is not a regular file' });
  return info.size;
}

function checkHeader(record: string[], spec: CsvSpec, line: number): CsvColumns {
  const names = record.map((name) => name.trim().toLowerCase());
  const index = new Map<string, number>();
  const known = new Set([...spec.required, ...(spec.optional ?? [])]);
  names.forEach((name, position) => {
    if (!known.has(name)) return;
    if (index.has(name)) {
      throw new FileProblem({
        file: spec.label,
        line,
        column: position + 1,
        message: `column "${name}" appears twice in the header`,
      });
    }
    index.set(name, position);
  });
  const missing = spec.required.filter((name) => !index.has(name));
  if (missing.length > 0) {
    throw new FileProblem({ file: spec.label, line, message: missingColumnsMessage(missing, record, spec) });
  }
  return { names, index };
}

function missingColumnsMessage(missing: string[], header: string[], spec: CsvSpec): string {
  const plural = missing.length > 1 ? 's' : '';
  let message = `missing required column${plural} ${missing.join(', ')}`;
  const only = header.length === 1 ? (header[0] ?? '') : '';
  if (only.includes(';')) message += ' (the header looks semicolon-separated; supply-risk reads comma-separated files)';
  else if (only.includes('\t')) message += ' (the header looks tab-separated; supply-risk reads comma-separated files)';
  else if (!header.some((name) => knownColumn(spec, name))) {
    message += ' (the first line does not look like a header)';
  }
  return message;
}

function knownColumn(spec: CsvSpec, name: string): boolean {
  const column = name.trim().toLowerCase();
  return spec.required.includes(column) || (spec.optional ?? []).includes(column);
}

const RECORD_NEVER_ENDS = new Set(['CSV_QUOTE_NOT_CLOSED', 'CSV_MAX_RECORD_SIZE']);

const CSV_ERROR_TEXT: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (unterminated quote)',
  CSV_INVALID_CLOSING_QUOTE: 'a quote inside a field must be doubled ("") or the field quoted',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected characters after a closing quote',
  CSV_MAX_RECORD_SIZE: `a record is longer than ${MAX_RECORD_BYTES} bytes; this is not a data row`,
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'the record has a different number of fields than the header',
  INVALID_OPENING_QUOTE: 'a quote appears in the middle of an unquoted field',
};
