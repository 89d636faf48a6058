/**
 * Reading the number cells of published tables, which are written for people: thousands
 * separators, USGS codes instead of numbers, estimate marks, padding with no-break spaces.
 */

export type CellValue = { kind: 'value'; value: number; estimated: boolean } | { kind: 'skip'; reason: string };

/** The USGS codes that stand where a number would be, with what they mean (MCS "Explanation"). */
const USGS_CODES: Readonly<Record<string, string>> = {
  W: 'withheld to avoid disclosing company proprietary data (W)',
  NA: 'not available (NA)',
  XX: 'not applicable (XX)',
  E: 'net exporter (E), not a quantity',
  '--': 'zero or not reported (--)',
  '\u2014': 'zero (\u2014)',
};

const GROUPED = /^\d{1,3}(,\d{3})+(\.\d+)?$/;
const PLAIN = /^\d+(\.\d+)?$/;

/**
 * A USGS cell: "72,000" -> 72000; "e5,000" -> 5000 (estimated); W, NA, XX, E, ">50", "<1",
 * "Less than ½ unit." and free text -> skipped with the reason.
 */
export function parseUsgsCell(raw: string): CellValue {
  const text = raw.replace(/[\u00a0\s]+/g, ' ').trim();
  if (text === '') return { kind: 'skip', reason: 'empty cell' };
  const code = USGS_CODES[text.toUpperCase()];
  if (code) return { kind: 'skip', reason: code };
  if (/^[<>]/.test(text)) return { kind: 'skip', reason: 'only a bound is given (< or >), not a quantity' };
  if (/^less than/i.test(text)) return { kind: 'skip', reason: 'less than half a unit, not a quantity' };
  const estimated = /^e\s*\d/i.test(text);
  const number = parseGroupedNumber(estimated ? text.replace(/^e\s*/i, '') : text);
  if (number === null) return { kind: 'skip', reason: 'not a number' };
  return { kind: 'value', value: number, estimated };
}

/** "72,000" or "72000" or "7.5" -> number; anything else -> null. */
export function parseGroupedNumber(text: string): number | null {
  const value = text.trim();
  if (PLAIN.test(value)) return Number(value);
  if (GROUPED.test(value)) return Number(value.replace(/,/g, ''));
  return null;
}

/** Tonnes per unit of the unit codes written in USGS column names and IEA titles. */
export const TONNES_PER_UNIT: Readonly<Record<string, number>> = {
  t: 1,
  kt: 1_000,
  kg: 0.001,
  mmt: 1_000_000,
};

/**
 * Decimals kept in tonnes: 6 is a gram, enough for the smallest reported flows (0.126 kg of
 * platinum) and few enough to round away the float noise of unit conversions (5311.3 * 1000).
 */
const DECIMALS = 6;

/** A quantity as the data contract writes it: plain digits, "." decimals, no exponent. */
export function formatQuantity(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`cannot write quantity ${value}`);
  // A whole number up to 2^53 is written by String exactly as by toFixed less its zeros, faster.
  if (Number.isInteger(value) && value <= Number.MAX_SAFE_INTEGER) return String(value);
  const fixed = value.toFixed(DECIMALS);
  return fixed.includes('.') ? withoutTrailingZeros(fixed) : fixed;
}

/** "2833.344100" -> "2833.3441", "12.000000" -> "12" (what /\.?0+$/ removes, without a regex). */
function withoutTrailingZeros(fixed: string): string {
  let end = fixed.length;
  while (end > 0 && fixed.charCodeAt(end - 1) === 0x30) end--;
  if (end > 0 && fixed.charCodeAt(end - 1) === 0x2e) end--;
  return fixed.slice(0, end);
}

/** Rounds to the decimals formatQuantity writes, so sums and checks see the written values. */
export function roundQuantity(value: number): number {
  return Math.round(value * 10 ** DECIMALS) / 10 ** DECIMALS;
}

/** Parses --years "2017-2021" or "2022" into an inclusive range. */
export interface YearRange {
  from: number;
  to: number;
}

export function inYears(range: YearRange | undefined, year: number): boolean {
  return range === undefined || (year >= range.from && year <= range.to);
}
