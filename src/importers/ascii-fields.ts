/**
 * Reading the fields of a plain ASCII CSV line straight from its bytes, without making strings:
 * field bounds, trimming and numbers. Each reader gives exactly what the string code gives
 * (String.prototype.trim, Number(text)) for the texts it accepts and says so when it does not
 * accept one, so the caller can fall back to the string code for the rare odd field.
 */

const COMMA = 0x2c;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** The most digits whose integer is exact in a double (below 2^53), with room to spare. */
const MAX_EXACT_DIGITS = 15;

/** 10^0 .. 10^15, each exact in a double. */
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** The ASCII bytes String.prototype.trim removes (tab, VT, FF, space; CR and LF end lines here). */
export function isSpaceByte(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0b || byte === 0x0c;
}

/** True when [start, end) holds only spaces: a blank line. */
export function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let at = start; at < end; at++) if (!isSpaceByte(bytes[at])) return false;
  return true;
}

/**
 * Fills `bounds` with the start and end of fields 0..last of the line [start, end) (field f at
 * bounds[2f], bounds[2f + 1]) and returns how many of them the line has (at most last + 1).
 * Fields are what line.split(',') gives: no quoting (lines with quotes go the string way).
 */
export function fieldBounds(bytes: Uint8Array, start: number, end: number, last: number, bounds: Int32Array): number {
  let field = 0;
  let fieldStart = start;
  for (let at = start; at < end; at++) {
    if (bytes[at] !== COMMA) continue;
    bounds[2 * field] = fieldStart;
    bounds[2 * field + 1] = at;
    if (field === last) return field + 1;
    field += 1;
    fieldStart = at + 1;
  }
  bounds[2 * field] = fieldStart;
  bounds[2 * field + 1] = end;
  return field + 1;
}

/** The first byte of [start, end) that is not a space (end when none). */
export function trimStart(bytes: Uint8Array, start: number, end: number): number {
  while (start < end && isSpaceByte(bytes[start])) start++;
  return start;
}

/** One past the last byte of [start, end) that is not a space (start when none). */
export function trimEnd(bytes: Uint8Array, start: number, end: number): number {
  while (end > start && isSpaceByte(bytes[end - 1])) end--;
  return end;
}

/**
 * The integer written by the digits [start, end), or -1 when the range is empty, holds a byte that
 * is not a digit, or has more than 15 digits. Equals Number(text) whenever it is not -1.
 */
export function digitsValue(bytes: Uint8Array, start: number, end: number): number {
  if (start === end || end - start > MAX_EXACT_DIGITS) return -1;
  let value = 0;
  for (let at = start; at < end; at++) {
    const byte = bytes[at] ?? 0;
    if (byte < ZERO || byte > NINE) return -1;
    value = value * 10 + (byte - ZERO);
  }
  return value;
}

/**
 * The number written as digits with at most one decimal point in [start, end) ("2079.193", "12",
 * "0.5", "3."), or NaN when the text is anything else or has more than 15 digits. Equals
 * Number(text) whenever it is not NaN: the digits make an integer below 2^53 (exact) and dividing
 * it by an exact power of ten is correctly rounded, as Number() is.
 */
export function decimalValue(bytes: Uint8Array, start: number, end: number): number {
  let mantissa = 0;
  let digits = 0;
  let point = -1;
  for (let at = start; at < end; at++) {
    const byte = bytes[at] ?? 0;
    if (byte >= ZERO && byte <= NINE) {
      mantissa = mantissa * 10 + (byte - ZERO);
      digits += 1;
    } else if (byte === DOT && point === -1) point = at;
    else return NaN;
  }
  if (digits === 0 || digits > MAX_EXACT_DIGITS) return NaN;
  const decimals = point === -1 ? 0 : end - point - 1;
  return decimals === 0 ? mantissa : mantissa / (POWERS_OF_TEN[decimals] ?? NaN);
}
