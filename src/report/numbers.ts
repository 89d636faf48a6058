/** Number handling shared by the renderers. */

/**
 * Rounds away floating-point noise (12 significant digits) so that the same data gives byte-identical
 * output whatever the order of its rows; far below the precision of any source figure.
 */
export function clean(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return 0;
  return Number(value.toPrecision(12));
}

/**
 * en-US number formatting without Intl.NumberFormat, whose first construction loads ICU locale data
 * (20-30 ms of every run that prints a table). The output is byte for byte that of
 * `new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })` and of
 * `{ maximumSignificantDigits: 3 }` (tests/report/numbers-format.test.ts compares them on many values):
 * like ICU, the rounding (half away from zero) is of the shortest decimal that reads back as the
 * double (so 1.005 rounds to 1.01, as Intl does, not to the 1.00 of toFixed); a negative value that
 * rounds to zero keeps its sign ("-0"); NaN is "NaN" and infinities are "∞" and "-∞".
 */
function formatRounded(value: number, mode: 'integer' | 'significant3'): string {
  if (Number.isNaN(value)) return 'NaN';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (!Number.isFinite(value)) return `${sign}∞`;
  if (value === 0) return `${sign}0`;
  // The shortest round-trip digits: "d.ddde+x" gives value = 0.DIGITS x 10^point.
  const exponential = Math.abs(value).toExponential();
  const e = exponential.indexOf('e');
  let digits = exponential.slice(0, e).replace('.', '');
  let point = Number(exponential.slice(e + 1)) + 1;
  const keep = mode === 'integer' ? point : 3;
  if (keep < digits.length) {
    const roundUp = keep >= 0 && digits.charCodeAt(keep) >= 53; /* '5' */
    digits = keep > 0 ? digits.slice(0, keep) : '';
    if (roundUp) {
      let i = digits.length - 1;
      while (i >= 0 && digits[i] === '9') i -= 1;
      if (i < 0) {
        // All nines (or nothing kept): 0.999 -> 1.000, one place higher.
        digits = '1';
        point += 1;
      } else {
        digits = digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1);
      }
    }
  }
  digits = digits.replace(/0+$/, '');
  if (digits === '') return `${sign}0`;
  const integer = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
  const fraction = point >= digits.length ? '' : point >= 0 ? digits.slice(point) : '0'.repeat(-point) + digits;
  return `${sign}${group(integer)}${fraction ? `.${fraction}` : ''}`;
}

/** Thousands separators: 1234567 -> 1,234,567. */
function group(integer: string): string {
  if (integer.length <= 3) return integer;
  const head = integer.length % 3 || 3;
  let out = integer.slice(0, head);
  for (let i = head; i < integer.length; i += 3) out += `,${integer.slice(i, i + 3)}`;
  return out;
}

/** As `new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(value)`. */
export function formatGrouped(value: number): string {
  return formatRounded(value, 'integer');
}

/** As `new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).format(value)`. */
export function formatSignificant3(value: number): string {
  return formatRounded(value, 'significant3');
}

/** A quantity for people: thousands separators, no false precision. */
export function formatQuantity(value: number): string {
  if (Math.abs(value) >= 100) return formatGrouped(value);
  return formatSignificant3(value);
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

export function formatHhi(hhi: number): string {
  return formatGrouped(hhi);
}

/** Import reliance as a table reads it: one share, a range over what is not known, or "unknown". */
export function formatReliance(range: readonly [number, number] | null): string {
  if (!range) return 'unknown';
  const [low, high] = range;
  return low === high ? formatShare(low) : `${formatShare(low)}-${formatShare(high)}`;
}
