/**
 * Market concentration of a set of quantities by country.
 *
 * - HHI (Herfindahl-Hirschman index): sum over countries of (100 x share)^2, from 0 to 10000.
 * - CR3: the sum of the three largest shares.
 * - Governance-weighted HHI as in the EU criticality method (European Commission, 2017 methodology):
 *   sum of share^2 x 2 x (2.5 - WGI), from 0 to 10.
 *
 * The reserved unattributed code (ZZZ) counts in the total, so shares stay honest, but it is not a
 * country: it adds no HHI term, is never the top country and is reported as `unattributedShare`.
 */
import { UNATTRIBUTED } from '../domain/countries.js';
import { compare } from '../graph/slices.js';

export interface CountryShare {
  country: string;
  quantity: number;
  share: number;
}

export interface Concentration {
  total: number;
  /** Countries with a quantity above zero (the unattributed remainder is not a country). */
  producers: number;
  hhi: number;
  top: CountryShare | null;
  cr3: number;
  unattributedShare: number;
  /** Every country's share, largest first (ties by code); the unattributed remainder last. */
  shares: CountryShare[];
}

export function concentration(quantities: ReadonlyMap<string, number>): Concentration {
  const total = sum(quantities.values());
  const shares: CountryShare[] = [];
  let unattributed = 0;
  for (const [country, quantity] of quantities) {
    if (country === UNATTRIBUTED) unattributed += quantity;
    else if (quantity > 0) shares.push({ country, quantity, share: total > 0 ? quantity / total : 0 });
  }
  shares.sort(byQuantityDescending);
  const unattributedShare = total > 0 ? unattributed / total : 0;
  return {
    total,
    producers: shares.length,
    hhi: herfindahl(shares.map((entry) => entry.share)),
    top: shares[0] ?? null,
    cr3: sum(shares.slice(0, 3).map((entry) => entry.share)),
    unattributedShare,
    shares: unattributed > 0 ? [...shares, { country: UNATTRIBUTED, quantity: unattributed, share: unattributedShare }] : shares,
  };
}

/** HHI of shares given as fractions (0..1): sum of (100 x share)^2. */
export function herfindahl(shares: Iterable<number>): number {
  let hhi = 0;
  for (const share of shares) hhi += (100 * share) ** 2;
  return hhi;
}

/** WGI political stability mapped to the EU method's weight 2 x (2.5 - WGI); a missing score counts as 0. */
export function governanceWeightedHhi(shares: readonly CountryShare[], governance: (country: string) => number | null): number {
  let weighted = 0;
  for (const { country, share } of shares) {
    if (country === UNATTRIBUTED) continue;
    weighted += share ** 2 * 2 * (2.5 - (governance(country) ?? 0));
  }
  return weighted;
}

/**
 * The WGI's nominal scale. A country with no score is not given a middle score (unknown is not
 * zero): a figure that rests on it becomes a range, its missing scores taken at either end.
 */
export const GOVERNANCE_SCALE = { worst: -2.5, best: 2.5 } as const;

/**
 * A figure computed from governance scores, given `score` for a country: exact when every country
 * it needs has a score, else the range over the missing scores at the ends of the scale, and the
 * countries without one. `figure` must be monotone in each score (both uses are).
 */
export function governanceRange(
  figure: (score: (country: string) => number | null) => number,
  score: (country: string) => number | null,
  needed: Iterable<string>,
): { low: number; high: number; unscored: string[] } {
  const unscored = [...new Set(needed)].filter((country) => country !== UNATTRIBUTED && score(country) === null).sort();
  if (unscored.length === 0) {
    const value = figure(score);
    return { low: value, high: value, unscored };
  }
  const atBest = figure((country) => score(country) ?? GOVERNANCE_SCALE.best);
  const atWorst = figure((country) => score(country) ?? GOVERNANCE_SCALE.worst);
  return { low: Math.min(atBest, atWorst), high: Math.max(atBest, atWorst), unscored };
}

export function byQuantityDescending(a: CountryShare, b: CountryShare): number {
  return b.quantity - a.quantity || compare(a.country, b.country);
}

export function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
