/**
 * CSV text built as bytes in one reused buffer and handed out in parts: a large trade.csv (hundreds
 * of thousands of lines) is written without a string per field or per line. Text fields are encoded
 * once per distinct value by the caller; numbers are written digit by digit, exactly as
 * formatQuantity writes them.
 */
import { formatQuantity } from './values.js';

/** Bytes per part: below V8's large-object size, so parts are cheap short-lived strings. */
const PART_BYTES = 64 * 1024;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const DOT = 0x2e;
const ZERO = 0x30;

const MICRO = 1e6;
const BILLION = 1e9;
/** Below this, value * 10^6 is off its exact value by at most 1/16 (half an ulp of at most 1/8). */
const SAFE_SCALED = 2 ** 50;

export class CsvBytes {
  private buffer = Buffer.allocUnsafe(2 * PART_BYTES);
  private length = 0;

  /** `asciiOnly` when every field written is ASCII: parts are then copied into strings byte for byte. */
  constructor(private readonly asciiOnly = false) {}

  /** A field already quoted and encoded (UTF-8). */
  bytes(field: Uint8Array): void {
    this.reserve(field.length);
    this.buffer.set(field, this.length);
    this.length += field.length;
  }

  comma(): void {
    this.reserve(1);
    this.buffer[this.length++] = COMMA;
  }

  /**
   * formatQuantity(value) as bytes: plain digits with up to six decimals, trailing zeros dropped.
   * formatQuantity rounds to the nearest millionth (toFixed); value * 10^6 in floating point finds
   * that nearest integer whenever it is not near a half, and the rare other values go through
   * formatQuantity itself.
   */
  quantity(value: number): void {
    if (Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER) return this.integer(value);
    const scaled = value * MICRO;
    if (scaled >= 0 && scaled < SAFE_SCALED) {
      const floor = Math.floor(scaled);
      const fraction = scaled - floor;
      if (fraction < 0.25 || fraction > 0.75) return this.micros(fraction < 0.25 ? floor : floor + 1);
    }
    this.ascii(formatQuantity(value)); // throws for negative and non-finite values, as before
  }

  /** The end of a line: returns the text so far once it is a part's size (else undefined). */
  endLine(): string | undefined {
    this.reserve(1);
    this.buffer[this.length++] = NEWLINE;
    return this.length >= PART_BYTES ? this.take() : undefined;
  }

  /** The end of a line for a writer of bytes (see moveInto): whether a part's size is reached. */
  newline(): boolean {
    this.reserve(1);
    this.buffer[this.length++] = NEWLINE;
    return this.length >= PART_BYTES;
  }

  /** The bytes not yet handed out, appended to `into`. */
  moveInto(into: SharedBytes): void {
    into.append(this.buffer.subarray(0, this.length));
    this.length = 0;
  }

  /** The text not yet handed out. */
  take(): string {
    const text = this.buffer.toString(this.asciiOnly ? 'latin1' : 'utf8', 0, this.length);
    this.length = 0;
    return text;
  }

  /** n millionths as whole.fraction, the fraction without trailing zeros. */
  private micros(n: number): void {
    const whole = Math.floor(n / MICRO);
    // 0 .. 999999, as a 32-bit integer: its remainders are integer operations, not floating-point ones.
    let fraction = (n - whole * MICRO) | 0;
    this.integer(whole);
    if (fraction === 0) return;
    let places = 6;
    while (fraction % 10 === 0) {
      fraction = (fraction / 10) | 0;
      places -= 1;
    }
    this.reserve(1 + places);
    this.buffer[this.length++] = DOT;
    this.digitsOf(fraction, places);
  }

  /** A whole number up to 2^53 in decimal digits (as String writes it). */
  private integer(value: number): void {
    if (value < BILLION) return this.digitsOf(value, digitCount(value));
    // Above 2^31 the digits are found in two halves, each small enough for integer arithmetic.
    const high = Math.floor(value / BILLION);
    this.digitsOf(high, digitCount(high));
    this.digitsOf(value - high * BILLION, 9);
  }

  /** `places` digits of a whole number below 10^9, with leading zeros. */
  private digitsOf(value: number, places: number): void {
    this.reserve(places);
    let rest = value | 0;
    for (let at = this.length + places - 1; at >= this.length; at--) {
      const tenth = (rest / 10) | 0;
      this.buffer[at] = ZERO + rest - tenth * 10;
      rest = tenth;
    }
    this.length += places;
  }

  private ascii(text: string): void {
    this.reserve(text.length);
    this.length += this.buffer.write(text, this.length, 'latin1');
  }

  /** Room for `bytes` more (a line may be longer than a part). */
  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(2 * (this.length + bytes));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }
}

/** The number of decimal digits of a whole number below 10^9 (1 for 0). */
function digitCount(value: number): number {
  let count = 1;
  while (count < 9 && value >= (POWERS[count] ?? Infinity)) count++;
  return count;
}

const POWERS = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * Bytes gathered in shared memory, to be handed to another thread without a copy: the text a worker
 * writes for the main thread to send on.
 */
export class SharedBytes {
  private buffer: Uint8Array;
  private length = 0;

  /** `size`: the expected number of bytes (it grows beyond, by doubling). */
  constructor(size: number) {
    this.buffer = new Uint8Array(new SharedArrayBuffer(Math.max(size, 1024)));
  }

  append(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buffer.length) {
      const larger = new Uint8Array(new SharedArrayBuffer(2 * (this.length + bytes.length)));
      larger.set(this.buffer.subarray(0, this.length));
      this.buffer = larger;
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** The bytes appended so far. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
