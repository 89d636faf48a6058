/** Number handling shared by the renderers. */

/**
 * Rounds away floating-point noise (12 significant digits) so that the same data gives byte-identical
 * output whatever the order of its rows; far below the precision of any source figure.
 */
export function clean(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return 0;
  return Number(value.toPrecision(12));
}

// Made on first use: creating a formatter loads locale data, which machine formats never need.
let grouped: Intl.NumberFormat | undefined;
let small: Intl.NumberFormat | undefined;
const groupedFormat = (): Intl.NumberFormat => (grouped ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }));
const smallFormat = (): Intl.NumberFormat => (small ??= new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }));

/** A quantity for people: thousands separators, no false precision. */
export function formatQuantity(value: number): string {
  if (Math.abs(value) >= 100) return groupedFormat().format(value);
  return smallFormat().format(value);
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

export function formatHhi(hhi: number): string {
  return groupedFormat().format(hhi);
}

/** Import reliance as a table reads it: one share, a range over what is not known, or "unknown". */
export function formatReliance(range: readonly [number, number] | null): string {
  if (!range) return 'unknown';
  const [low, high] = range;
  return low === high ? formatShare(low) : `${formatShare(low)}-${formatShare(high)}`;
}
