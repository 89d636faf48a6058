/**
 * The policy file's model: its limits, accepted risks and the date rule, shared by the loader
 * (policy.ts) and the lazily loaded schema (policy-file.ts), which import this module, not each other.
 */
import type { Stage } from '../domain/fields.js';

export const GAP_BASES = ['supplier', 'hhi', 'origin'] as const;
export type GapBasis = (typeof GAP_BASES)[number];

export interface Limits {
  /** Largest share of the importer's supply any one foreign country may hold (0..1). */
  maxSingleCountryShare: number;
  /** Largest supplier HHI (0..10000). */
  maxSupplierHhi: number;
  /** Share of a candidate's own production the importer could buy in total (0..1). */
  maxRedirectShare: number;
  /** Candidates below this WGI political-stability estimate are not proposed (any finite number). */
  minGovernance: number;
  /** When not empty, candidates must carry one of these group tags. */
  partnerGroups: string[];
  /** Countries (ISO alpha-3) never proposed as candidates, whatever their governance and groups. */
  excludeCountries: string[];
}

export interface AcceptEntry {
  material: string;
  stage?: Stage;
  basis?: GapBasis;
  country?: string;
  reason: string;
  /** Last day the acceptance counts, YYYY-MM-DD; absent = no expiry. */
  expires?: string;
}

/** A real calendar date written YYYY-MM-DD (2027-02-30 is not one). */
export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export type PolicyFile = {
  importer?: string;
  materials?: Record<string, Partial<Limits>>;
  accept?: AcceptEntry[];
} & Partial<Limits>;
