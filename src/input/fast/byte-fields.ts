/**
 * Reading fields straight from the bytes of a CSV line, without making a string per field (quoted
 * fields are delimited by splitQuotedFields, and read only by readers that unquote them).
 * Each helper either gives exactly what the string parsers of fields.ts give for the same text, or
 * says it cannot (NaN, -1, undefined) so that the caller hands the row to the plain path, which then
 * gives the value or the precise error.
 */

import { FieldError } from '../../domain/fields.js';

const ZERO = 48;
const NINE = 57;
const DOT = 46;
const COMMA = 44;
const QUOTE = 34;

/** Powers of ten that are exact doubles (10^0 .. 10^22). */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A plain decimal number (`12`, `12.5`, `12.`, `.5`) as Number(text) reads it, or NaN for anything
 * else (signs, spaces, exponents, empty) and for numbers of more than 15 digits.
 *
 * Why it equals Number(): with at most 15 digits the digits form an integer below 2^53, exact as a
 * double, and 10^k (k <= 15) is exact too; one IEEE division of two exact values is correctly
 * rounded, and so is Number(), so both give the double nearest to the decimal number.
 */
export function plainDecimal(bytes: Uint8Array, start: number, end: number): number {
  let mantissa = 0;
  let digits = 0;
  let dotAt = -1;
  for (let i = start; i < end; i += 1) {
    const byte = bytes[i] ?? 0;
    if (byte >= ZERO && byte <= NINE) {
      mantissa = mantissa * 10 + (byte - ZERO);
      digits += 1;
    } else if (byte === DOT && dotAt === -1) dotAt = i;
    else return Number.NaN;
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  const decimals = dotAt === -1 ? 0 : end - dotAt - 1;
  return decimals === 0 ? mantissa : mantissa / (EXACT_POWERS_OF_TEN[decimals] ?? Number.NaN);
}

/** Exactly four ASCII digits as a number, else -1 (parseYear trims and checks the range itself). */
export function fourDigits(bytes: Uint8Array, start: number, end: number): number {
  if (end - start !== 4) return -1;
  let value = 0;
  for (let i = start; i < end; i += 1) {
    const digit = (bytes[i] ?? 0) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Finds the field boundaries of a quote-free line: field k is bytes[starts[k], starts[k+1] - 1).
 * Returns the number of fields, or -1 when there are more than `expected` (the plain path reports).
 */
export function splitFields(bytes: Uint8Array, start: number, end: number, starts: Int32Array, expected: number): number {
  // A plain loop: fields are short, and a native search per comma would cost more than it saves.
  let count = 0;
  starts[0] = start;
  for (let i = start; i < end; i += 1) {
    if (bytes[i] !== COMMA) continue;
    count += 1;
    if (count >= expected) return -1;
    starts[count] = i + 1;
  }
  starts[count + 1] = end + 1;
  return count + 1;
}

/**
 * splitFields for a line that may hold quoted fields (`a,"b, ""c""",d`): quoted[k] is set to 1 for
 * a quoted field, whose span bytes[starts[k], starts[k + 1] - 1) keeps its quotes (its text is not
 * decoded here: a reader that needs a quoted field leaves the line to the plain path), 0 otherwise.
 * Returns the number of fields, or -1 when there are more than `expected` or when the quoting is
 * anything splitQuotedLine (csv.ts) declines: an unclosed quote, text after a closing quote, a quote
 * inside an unquoted field. Quotes and commas are ASCII, never part of a multi-byte UTF-8 character,
 * so the bytes split where the text does.
 */
export function splitQuotedFields(bytes: Uint8Array, start: number, end: number, starts: Int32Array, quoted: Uint8Array, expected: number): number {
  let count = 0;
  let i = start;
  starts[0] = start;
  for (;;) {
    if (i < end && bytes[i] === QUOTE) {
      quoted[count] = 1;
      i += 1;
      for (;;) {
        while (i < end && bytes[i] !== QUOTE) i += 1;
        if (i >= end) return -1;
        if (i + 1 < end && bytes[i + 1] === QUOTE) i += 2;
        else break;
      }
      i += 1;
      if (i === end) break;
      if (bytes[i] !== COMMA) return -1;
    } else {
      quoted[count] = 0;
      while (i < end && bytes[i] !== COMMA) {
        if (bytes[i] === QUOTE) return -1;
        i += 1;
      }
      if (i === end) break;
    }
    count += 1;
    if (count >= expected) return -1;
    i += 1;
    starts[count] = i;
  }
  starts[count + 1] = end + 1;
  return count + 1;
}

/**
 * The value of a field as splitQuotedFields delimits it: a quoted field's text between its quotes
 * with each doubled quote made one (what splitQuotedLine and csv-parse give), any other as it is.
 */
export function unquoted(text: string): string {
  return text.charCodeAt(0) === QUOTE ? text.slice(1, -1).replaceAll('""', '"') : text;
}

/**
 * A small map from byte strings (field texts) to numbers, looked up without decoding the bytes:
 * the few hundred distinct materials, stages, countries and units of a file are decoded and checked
 * once each, not once per row. It stops learning after `limit` entries, so a file of distinct
 * garbage cannot make it grow without bound (those fields then simply take the plain path).
 */
export class ByteTokenMap {
  private pool: Uint8Array = new Uint8Array(1024);
  private poolUsed = 0;
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly values: number[] = [];
  private slots = new Int32Array(256);

  constructor(private readonly limit = 4096) {}

  /** The value stored for bytes[start, end), or undefined. */
  get(bytes: Uint8Array, start: number, end: number): number | undefined {
    const mask = this.slots.length - 1;
    for (let slot = hashBytes(bytes, start, end) & mask; ; slot = (slot + 1) & mask) {
      const entry = (this.slots[slot] ?? 0) - 1;
      if (entry < 0) return undefined;
      if (this.matches(entry, bytes, start, end)) return this.values[entry];
    }
  }

  /** Stores a value for bytes[start, end); false (nothing stored) once the map is full. */
  set(bytes: Uint8Array, start: number, end: number, value: number): boolean {
    if (this.values.length >= this.limit) return false;
    const length = end - start;
    while (this.poolUsed + length > this.pool.length) this.pool = grown(this.pool);
    this.pool.set(bytes.subarray(start, end), this.poolUsed);
    this.offsets.push(this.poolUsed);
    this.lengths.push(length);
    this.values.push(value);
    this.poolUsed += length;
    if (this.values.length * 2 > this.slots.length) this.rehash();
    else this.place(this.values.length - 1);
    return true;
  }

  private matches(entry: number, bytes: Uint8Array, start: number, end: number): boolean {
    const length = this.lengths[entry] ?? -1;
    if (length !== end - start) return false;
    const offset = this.offsets[entry] ?? 0;
    for (let k = 0; k < length; k += 1) if (this.pool[offset + k] !== bytes[start + k]) return false;
    return true;
  }

  private place(entry: number): void {
    const mask = this.slots.length - 1;
    const offset = this.offsets[entry] ?? 0;
    let slot = hashBytes(this.pool, offset, offset + (this.lengths[entry] ?? 0)) & mask;
    while ((this.slots[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let entry = 0; entry < this.values.length; entry += 1) this.place(entry);
  }
}

/**
 * What a parser of fields.ts makes of each distinct field text, decoded and parsed once: the few
 * hundred materials, countries and units of a file are checked once each, not once per row.
 */
export class ParsedFieldCache<T> {
  private readonly ids = new ByteTokenMap();
  private readonly values: T[] = [];
  private readonly decoder = new TextDecoder();
  /** Three-character texts: entry + 2 by the text's base-36 number (0: not seen yet, 1: rejected). */
  private short: Int32Array | undefined;
  /** The value of the last text the full hash could not keep (see ByteTokenMap's limit). */
  private unkept: T | undefined;

  constructor(private readonly parse: (text: string) => T) {}

  /** The value of bytes[from, to), or undefined when the parser rejects it (the plain path then says why). */
  read(bytes: Uint8Array, from: number, to: number): T | undefined {
    const entry = this.entryOf(bytes, from, to);
    if (entry === NOT_KEPT) return this.unkept;
    return entry === REJECTED ? undefined : this.values[entry];
  }

  private entryOf(bytes: Uint8Array, from: number, to: number): number {
    const code = to - from === 3 ? shortCode(bytes, from) : -1;
    if (code === -1) return this.lookUp(bytes, from, to);
    const short = (this.short ??= new Int32Array(SHORT_CODES));
    let entry = short[code]! - 2;
    if (entry === -2) {
      entry = this.lookUp(bytes, from, to);
      if (entry !== NOT_KEPT) short[code] = entry + 2;
    }
    return entry;
  }

  /** The entry of a text through the hash, parsing it the first time. */
  private lookUp(bytes: Uint8Array, from: number, to: number): number {
    const known = this.ids.get(bytes, from, to);
    if (known !== undefined) return known;
    let value: T;
    try {
      value = this.parse(this.decoder.decode(bytes.subarray(from, to)));
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      this.ids.set(bytes, from, to, REJECTED);
      return REJECTED;
    }
    if (!this.ids.set(bytes, from, to, this.values.length)) {
      this.unkept = value;
      return NOT_KEPT;
    }
    this.values.push(value);
    return this.values.length - 1;
  }
}

/** Base-36 numbers of three characters of capitals and digits. */
const SHORT_CODES = 36 * 36 * 36;

/** bytes[at, at + 3) as a base-36 number when each is a capital or a digit, else -1. */
function shortCode(bytes: Uint8Array, at: number): number {
  let code = 0;
  for (let k = 0; k < 3; k += 1) {
    const byte = bytes[at + k]!;
    const digit = byte >= 65 && byte <= 90 ? byte - 55 : byte >= 48 && byte <= 57 ? byte - 48 : -1;
    if (digit < 0) return -1;
    code = code * 36 + digit;
  }
  return code;
}

const REJECTED = -1;
/** A text parsed but not kept (the hash is full): its value is `unkept`. */
const NOT_KEPT = -3;

function grown(pool: Uint8Array): Uint8Array {
  const bigger = new Uint8Array(pool.length * 2);
  bigger.set(pool);
  return bigger;
}

/** FNV-1a over the bytes. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i += 1) h = Math.imul(h ^ (bytes[i] ?? 0), 0x01000193);
  return h >>> 0;
}
