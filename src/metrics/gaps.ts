/**
 * Diversification gaps: where the importer's exposure breaks a policy limit, how much volume must
 * move, to which credible alternative suppliers, and what no candidate can take (a structural gap).
 * Pure functions over the analysis (world and importer blocks); nothing here re-reads the data.
 *
 * Bases (per material and stage where the importer has supply S > 0):
 * - `supplier`: topSupplier.share > maxSingleCountryShare. excess = q_d - limit x S, moved from the
 *   dominant supplier d to candidates by water-filling (waterfill.ts) on their resulting quantities,
 *   capped by capacity and by the share limit; S stays constant.
 * - `hhi`: supplierHhi > maxSupplierHhi, no supplier gap, and the foreign sources' own HHI terms
 *   exceed the limit too (domestic production is not a dependency to diversify). The largest foreign suppliers are lowered to a common
 *   ceiling and the volume cut is placed with the same candidate plan (no candidate rising above the
 *   ceiling); the highest ceiling whose resulting HHI is <= the limit gives the smallest volume to
 *   move. When no ceiling reaches the limit, the lowest reachable HHI is planned and `unfilled` is the
 *   volume that would still have to leave the largest holders, with nobody to take it.
 * - `origin`: topOrigin.share > maxSingleCountryShare while no supplier breaks it. Figures in origin
 *   terms: excess = (share_o - limit) x S, candidates = other countries mining the material, capacity
 *   from their mine production, hhiAfter = HHI of mine origins.
 * Candidates: production at the stage in the world block's year, not d, not the importer, not the
 * unattributed code, not in excludeCountries (default PRK: UN export bans); governance >=
 * minGovernance (missing counts as 0); one of partnerGroups if set.
 * capacity_c = max(0, maxRedirectShare x production_c - what c already supplies).
 */
import { UNATTRIBUTED } from '../domain/countries.js';
import { STAGES, type Stage } from '../domain/fields.js';
import { limitsFor, type AcceptEntry, type GapBasis, type Limits, type Policy } from '../policy/policy.js';
import { compare } from '../graph/slices.js';
import type { Analysis, StageAnalysis } from './analysis.js';
import { herfindahl } from './concentration.js';
import { nothingTraced, type Exposure, type UnitValues } from './importer.js';
import type { WorldBlock } from './world.js';
import { ceilingCutter, waterFill, type Bin, type Fill } from './waterfill.js';

/** `unknown`: the importer's trade at this stage is not covered by the data. */
export type RiskLevel = 'high' | 'medium' | 'low' | 'unknown';

/** `medium` when any of these is exceeded (and no gap makes it `high`). */
export const RISK_BANDS = Object.freeze({ topSupplierShare: 0.4, supplierHhi: 1500, topOriginShare: 0.4, worldHhi: 2500 });

export interface Quantity {
  country: string;
  quantity: number;
}

export interface Gap {
  material: string;
  stage: Stage;
  basis: GapBasis;
  /** The dominant country: top supplier (supplier, hhi) or top mine origin (origin). */
  country: string;
  /** Its share of the importer's supply now. */
  share: number;
  /** The limit broken: a share for supplier and origin, an HHI for hhi. */
  limit: number;
  /** The value compared with the limit: the share, or the supplier HHI. */
  value: number;
  /** Volume that must come from elsewhere, in `unit`. */
  excess: number;
  /** Proposed additional purchases per candidate, largest first. */
  plan: Quantity[];
  /** Part of the excess no candidate can take: the structural gap. */
  unfilled: number;
  /** Volume taken off each current supplier (origin for the origin basis). */
  cuts: Quantity[];
  shareAfter: number;
  /** Supplier HHI after the plan (HHI of mine origins for the origin basis). */
  hhiAfter: number;
  unit: string;
  year: number;
  supply: number;
  /** Year of the production data the candidates come from; null when the stage has none (candidates unknown). */
  productionYear: number | null;
  candidates: number;
  /** excess / supply: the share of supply that must move; gaps are listed by it, largest first. */
  severity: number;
  accepted: boolean;
  acceptReason: string | null;
  /** `certain`: holds over the whole range of the importer's own production; `possible`: over part of it. */
  certainty: 'certain' | 'possible';
  /** What the plan would cost, from trade unit values (supplier and hhi bases); null for origin gaps. */
  price: PlanPrice | null;
}

/**
 * The price of security, as an estimate from customs unit values (USD per unit of the stage): the
 * unit value of each country the plan buys more from (what the importer pays it now, else what it
 * charges its other buyers) and of each supplier it buys less from, and the plan's total premium
 * (positive) or saving (negative). Null where the data has no value for a country.
 */
export interface PlanPrice {
  unitValues: Record<string, number | null>;
  /** Where each unit value comes from: the importer's imports from the country, or the country's exports to every destination; null when unknown. */
  sources: Record<string, UnitValueSource | null>;
  premiumUsd: number | null;
  /** Why premiumUsd is null (the countries without a unit value); null when it is known. */
  reason: string | null;
}

/** `imports`: what the importer pays the country now; `exports`: what the country charges all its buyers. */
export type UnitValueSource = 'imports' | 'exports';

export interface StageAssessment {
  material: string;
  stage: Stage;
  risk: RiskLevel;
  gaps: Gap[];
}

export type AcceptStatus = 'active' | 'expired' | 'stale';

export interface AcceptState {
  index: number;
  entry: AcceptEntry;
  status: AcceptStatus;
  /** Gaps the entry matches (whether or not it still counts). */
  matched: number;
}

export interface Assessment {
  stages: StageAssessment[];
  /** Every gap, most severe first. */
  gaps: Gap[];
  accepts: AcceptState[];
  /** Notes on the policy against the data (`materials` entries the data lacks): added by the CLI's evaluate. */
  warnings: string[];
}

export interface CountryInfo {
  governance: number | null;
  groups: readonly string[];
}

export interface AssessOptions {
  policy: Policy;
  country: CountryLookup;
  /** YYYY-MM-DD; accept entries whose `expires` is before it no longer count. */
  today: string;
}

export function assess(analysis: Analysis, options: AssessOptions): Assessment {
  const stages: StageAssessment[] = [];
  for (const material of analysis.materials) {
    const limits = limitsFor(options.policy, material.material);
    for (const stage of STAGES) {
      const entry = material.stages[stage];
      if (!entry) continue;
      const gaps = stageGaps({
        material: material.material,
        stage,
        importer: analysis.importer,
        analysis: entry,
        miningWorld: stage === 'mining' ? (entry.importerWorld ?? undefined) : (entry.feedWorld ?? undefined),
        limits,
        country: options.country,
      });
      stages.push({ material: material.material, stage, gaps, risk: riskLevel(entry, gaps) });
    }
  }
  const all = stages.flatMap((stage) => stage.gaps);
  const accepts = applyAccepts(all, options.policy.accept, options.today);
  // Policy names the data lacks (materials, partner groups) are checked against the whole data set
  // before the analysis (policy.ts checkPolicyAgainstData), not against the materials analysed here.
  return { stages, gaps: [...all].sort(bySeverity), accepts, warnings: [] };
}

/** A gap that fails `check`: not accepted, and holding over the whole range of what is not known. */
export function isOpen(gap: Gap): boolean {
  return !gap.accepted && gap.certainty === 'certain';
}

export function bySeverity(a: Gap, b: Gap): number {
  return (
    b.severity - a.severity ||
    b.unfilled / (b.supply || 1) - a.unfilled / (a.supply || 1) ||
    compare(a.material, b.material) ||
    compare(a.stage, b.stage) ||
    compare(a.basis, b.basis)
  );
}

export function riskLevel(stage: StageAnalysis, gaps: readonly Gap[]): RiskLevel {
  if (gaps.some((gap) => gap.certainty === 'certain')) return 'high';
  const block = stage.importer;
  if (block?.unknown.includes('trade')) return 'unknown';
  // A gap that holds over part of the range of own production only: not high, but not low either.
  if (gaps.length > 0) return 'medium';
  const medium =
    (block?.topSupplier?.share ?? 0) > RISK_BANDS.topSupplierShare ||
    (block?.supplierHhi ?? 0) > RISK_BANDS.supplierHhi ||
    (block?.topOrigin?.share ?? 0) > RISK_BANDS.topOriginShare ||
    (stage.world?.hhi ?? 0) > RISK_BANDS.worldHhi;
  return medium ? 'medium' : 'low';
}

/** Marks gaps matched by an unexpired accept entry; reports each entry as active, expired or stale. */
export function applyAccepts(gaps: readonly Gap[], entries: readonly AcceptEntry[], today: string): AcceptState[] {
  return entries.map((entry, index) => {
    const expired = entry.expires !== undefined && entry.expires < today;
    let matched = 0;
    for (const gap of gaps) {
      if (!acceptMatches(entry, gap)) continue;
      matched += 1;
      if (!expired && !gap.accepted) {
        gap.accepted = true;
        gap.acceptReason = entry.reason;
      }
    }
    const status: AcceptStatus = expired ? 'expired' : matched === 0 ? 'stale' : 'active';
    return { index, entry, status, matched };
  });
}

export function acceptMatches(entry: AcceptEntry, gap: Gap): boolean {
  return (
    entry.material === gap.material &&
    (entry.stage === undefined || entry.stage === gap.stage) &&
    (entry.basis === undefined || entry.basis === gap.basis) &&
    (entry.country === undefined || entry.country === gap.country)
  );
}

export interface StageInput {
  material: string;
  stage: Stage;
  importer: string;
  analysis: StageAnalysis;
  /** The mining world block of the same material in the block's year (origin basis). */
  miningWorld: WorldBlock | undefined;
  limits: Limits;
  country: CountryLookup;
}

/** World production at the stage in the importer block's year: where candidates come from. */
function stageWorld(input: StageInput): WorldBlock | undefined {
  return input.analysis.importerWorld ?? undefined;
}

/**
 * The gaps of one stage. Where the importer's own production is a range, every share falls as it
 * rises, so a gap found at the top of the range holds over all of it (`certain`, figures at the top);
 * one found only at the bottom (P = 0 when unknown) is `possible`, with figures at the bottom. Where
 * the imports are only partly covered, every gap is `possible`. A block whose trade is unknown has no
 * gaps to find: its stage is reported as unknown instead.
 */
export function stageGaps(input: StageInput): Gap[] {
  const block = input.analysis.importer;
  if (!block?.low || block.low.supply <= 0) return [];
  const at = (exposure: Exposure): GapBlock => ({ ...exposure, paths: [], year: block.year, unit: block.unit });
  const priced = (gap: Gap): Gap => ({ ...gap, price: block.unitValues && gap.basis !== 'origin' ? planPrice(gap, block.unitValues) : null });
  const certain = block.high ? exposureGaps(input, at(block.high)) : [];
  const settled = certain.length > 0 || block.high === block.low;
  const found = settled ? certain : exposureGaps(input, at(block.low));
  // Partly covered imports are a lower bound: imports the source did not read could dilute any
  // share, so no gap found on them is certain.
  const certainty = settled && block.coverage.imports !== 'partial' ? 'certain' : 'possible';
  return found.map((gap) => priced({ ...gap, certainty }));
}

/** The plan's cost: what the added purchases cost minus what the cut ones did (see PlanPrice). */
export function planPrice(gap: Pick<Gap, 'plan' | 'cuts'>, values: UnitValues): PlanPrice {
  const unitValues: Record<string, number | null> = {};
  const sources: Record<string, UnitValueSource | null> = {};
  const missing: string[] = [];
  let premium: number | null = 0;
  const price = (country: string, bought: boolean): number | null => {
    const paid = values.importsFrom.get(country);
    const charged = bought ? values.exportsOf.get(country) : undefined;
    const known = paid ?? charged ?? null;
    unitValues[country] = known;
    sources[country] = paid !== undefined ? 'imports' : charged !== undefined ? 'exports' : null;
    if (known === null && !missing.includes(country)) missing.push(country);
    return known;
  };
  for (const { country, quantity } of gap.plan) {
    const value = price(country, true);
    premium = premium === null || value === null ? null : premium + quantity * value;
  }
  for (const { country, quantity } of gap.cuts) {
    const value = price(country, false);
    premium = premium === null || value === null ? null : premium - quantity * value;
  }
  const reason = premium === null ? `no trade row with a value_usd gives a unit value for ${missing.join(', ')}` : null;
  return { unitValues, sources, premiumUsd: premium, reason };
}

/** The figures a gap is computed from: one exact exposure of the block's year. */
type GapBlock = Exposure & { year: number; unit: string };

function exposureGaps(input: StageInput, block: GapBlock): Gap[] {
  // One supplier above the share limit already puts the HHI above any usual HHI limit (0.65^2 =
  // 4225 points), so a supplier gap stands alone: its hhiAfter shows the concentration left.
  const supplier = supplierGap(input, block);
  if (supplier) return [supplier];
  return [hhiGap(input, block), originGap(input, block)].filter((gap): gap is Gap => gap !== undefined);
}

/**
 * A country's governance score and groups; with a year, the governance score of that year (the
 * latest before it where WGI has none yet).
 */
export type CountryLookup = (code: string, year?: number) => CountryInfo | undefined;

/** Whether a country may be proposed in `year`: not excluded by the policy, governance and partner groups. */
export function eligible(code: string, limits: Limits, country: CountryLookup, year?: number): boolean {
  if (limits.excludeCountries.includes(code)) return false;
  const info = country(code, year);
  if ((info?.governance ?? 0) < limits.minGovernance) return false;
  if (limits.partnerGroups.length === 0) return true;
  return limits.partnerGroups.some((group) => info?.groups.includes(group) ?? false);
}

export interface Candidate {
  country: string;
  production: number;
  existing: number;
}

/**
 * Credible alternative suppliers: every country with production in the world block, except the
 * excluded ones (the dominant country, the importer, a shocked country), the unattributed remainder
 * and the policy's excludeCountries, that passes the governance and partner-group rules (`eligible`).
 * Shared by `gaps` and `shock`, so neither can propose a country the policy excludes.
 */
export function candidatesFrom(
  world: WorldBlock | undefined,
  existing: ReadonlyMap<string, number>,
  exclude: ReadonlySet<string>,
  limits: Limits,
  country: CountryLookup,
  scale = 1,
): Candidate[] {
  if (!world) return [];
  return world.countries
    .filter((entry) => entry.quantity > 0 && entry.country !== UNATTRIBUTED && !exclude.has(entry.country))
    .filter((entry) => eligible(entry.country, limits, country, world.year))
    .map((entry) => ({ country: entry.country, production: entry.quantity * scale, existing: existing.get(entry.country) ?? 0 }));
}

/** Water-filling bins: resulting quantity of c in [existing, max(existing, min(redirect x production, cap))]. */
export function bins(candidates: readonly Candidate[], redirect: number, cap: number): Bin[] {
  return candidates.map((c) => ({ country: c.country, base: c.existing, upper: Math.max(c.existing, Math.min(redirect * c.production, cap)) }));
}

function hhiOf(quantities: ReadonlyMap<string, number>, supply: number): number {
  // Called for every ceiling a plan tries: one array, no [key, value] pairs.
  const shares: number[] = [];
  quantities.forEach((quantity, country) => {
    if (country !== UNATTRIBUTED) shares.push(quantity / supply);
  });
  return herfindahl(shares);
}

function quantities(map: ReadonlyMap<string, number>, epsilon: number): Quantity[] {
  return [...map]
    .filter(([, quantity]) => quantity > epsilon)
    .map(([country, quantity]) => ({ country, quantity }))
    .sort((a, b) => b.quantity - a.quantity || compare(a.country, b.country));
}

function supplyMap(block: GapBlock): Map<string, number> {
  return new Map(block.suppliers.map((entry) => [entry.country, entry.quantity]));
}

function baseGap(
  input: StageInput,
  block: GapBlock,
  basis: GapBasis,
  world: WorldBlock | undefined,
): Pick<Gap, 'material' | 'stage' | 'basis' | 'unit' | 'year' | 'supply' | 'productionYear' | 'accepted' | 'acceptReason' | 'certainty' | 'price'> {
  return {
    material: input.material,
    stage: input.stage,
    basis,
    unit: block.unit,
    year: block.year,
    supply: block.supply,
    productionYear: world?.year ?? null,
    accepted: false,
    acceptReason: null,
    certainty: 'certain',
    price: null,
  };
}

/**
 * The gap of one dominant country holding `holdings` of the importer's supply S above the share
 * limit: its excess (holding - limit x S) is water-filled over the candidates, and what they cannot
 * take stays unfilled. Shared by the `supplier` basis (holdings by supplier) and the `origin` basis
 * (holdings by mine origin).
 */
function dominantGap(
  input: StageInput,
  block: GapBlock,
  basis: 'supplier' | 'origin',
  dominant: { country: string; share: number },
  holdings: ReadonlyMap<string, number>,
  world: WorldBlock | undefined,
  candidates: readonly Candidate[],
): Gap {
  const limit = input.limits.maxSingleCountryShare;
  const S = block.supply;
  const held = dominant.share * S;
  const excess = held - limit * S;
  const fill = waterFill(bins(candidates, input.limits.maxRedirectShare, limit * S), excess);
  const after = new Map(holdings);
  after.set(dominant.country, held - fill.placed);
  for (const [country, quantity] of fill.result) after.set(country, quantity);
  const epsilon = 1e-9 * S;
  return {
    ...baseGap(input, block, basis, world),
    country: dominant.country,
    share: dominant.share,
    limit,
    value: dominant.share,
    excess,
    plan: quantities(fill.added, epsilon),
    unfilled: fill.unfilled > epsilon ? fill.unfilled : 0,
    cuts: quantities(new Map([[dominant.country, fill.placed]]), epsilon),
    shareAfter: (held - fill.placed) / S,
    hhiAfter: hhiOf(after, S),
    candidates: candidates.length,
    severity: excess / S,
  };
}

function supplierGap(input: StageInput, block: GapBlock): Gap | undefined {
  const top = block.topSupplier;
  if (!top || top.share <= input.limits.maxSingleCountryShare) return undefined;
  const supply = supplyMap(block);
  const candidates = candidatesFrom(stageWorld(input), supply, new Set([top.country, input.importer]), input.limits, input.country);
  return dominantGap(input, block, 'supplier', top, supply, stageWorld(input), candidates);
}

interface CeilingPlan {
  ceiling: number;
  after: Map<string, number>;
  added: Map<string, number>;
  cut: Map<string, number>;
  placed: number;
  hhi: number;
}

function hhiGap(input: StageInput, block: GapBlock): Gap | undefined {
  const limit = input.limits.maxSupplierHhi;
  const top = block.topSupplier;
  if (!top || block.supplierHhi <= limit) return undefined;
  const S = block.supply;
  const supply = supplyMap(block);
  const donors = new Map([...supply].filter(([country]) => country !== input.importer && country !== UNATTRIBUTED));
  // The importer's own production counts in supplierHhi but is no dependency to diversify: when the
  // foreign sources alone stay within the limit, the concentration is domestic and not a gap.
  if (hhiOf(donors, S) <= limit) return undefined;
  const candidates = candidatesFrom(stageWorld(input), supply, new Set([input.importer]), input.limits, input.country);
  const shareCap = input.limits.maxSingleCountryShare * S;

  // The HHIs below are those hhiOf would give of the plan's map of quantities after the move,
  // summed in that map's order (supply's order, then receivers new to it), without making the map:
  // the search tries hundreds of ceilings a gap. A term is herfindahl's, of the share quantity / S.
  const term = (quantity: number): number => (100 * (quantity / S)) ** 2;
  const cutOnly = (ceiling: number): number => {
    let hhi = 0;
    supply.forEach((quantity, country) => {
      if (country !== UNATTRIBUTED) hhi += term(donors.has(country) ? Math.min(quantity, ceiling) : quantity);
    });
    return hhi;
  };
  const cutDonors = ceilingCutter(donors);
  const moveAt = (ceiling: number): { fill: Fill; cut: Map<string, number> } => {
    // Sums in the maps' order, as reduce over their values would: no array per call.
    let above = 0;
    donors.forEach((q) => {
      above += Math.max(0, q - ceiling);
    });
    const { cut } = cutDonors(above);
    let moved = 0;
    cut.forEach((q) => {
      moved += q;
    });
    const receivers = candidates.filter((c) => c.existing < ceiling);
    const fill = waterFill(bins(receivers, input.limits.maxRedirectShare, Math.min(shareCap, ceiling)), moved);
    // Volume nobody takes stays with the donors, spread back so that they stay as level as possible.
    return { fill, cut: fill.placed < moved ? cutDonors(fill.placed).cut : cut };
  };
  const quantityAfter = (country: string, quantity: number, { fill, cut }: { fill: Fill; cut: Map<string, number> }): number => {
    const received = fill.result.get(country);
    if (received !== undefined) return received;
    const taken = cut.get(country);
    return taken === undefined ? quantity : quantity - taken;
  };
  const planAt = (ceiling: number): CeilingPlan => {
    const move = moveAt(ceiling);
    const after = new Map(supply);
    after.forEach((quantity, country) => after.set(country, quantityAfter(country, quantity, move)));
    move.fill.result.forEach((quantity, country) => {
      if (!supply.has(country)) after.set(country, quantity);
    });
    return { ceiling, after, added: move.fill.added, cut: move.cut, placed: move.fill.placed, hhi: hhiOf(after, S) };
  };
  const planHhi = (ceiling: number): number => {
    const move = moveAt(ceiling);
    let hhi = 0;
    supply.forEach((quantity, country) => {
      if (country !== UNATTRIBUTED) hhi += term(quantityAfter(country, quantity, move));
    });
    move.fill.result.forEach((quantity, country) => {
      if (country !== UNATTRIBUTED && !supply.has(country)) hhi += term(quantity);
    });
    return hhi;
  };

  // planAt(ceiling).hhi, kept by ceiling: lowestPlan walks again the grid of ceilings walked below
  // (a plan is the same every time for the same ceiling).
  const hhis = new Map<number, number>();
  const hhiAt = (ceiling: number): number => {
    if (Object.is(ceiling, -0)) return planHhi(ceiling);
    let hhi = hhis.get(ceiling);
    if (hhi === undefined) hhis.set(ceiling, (hhi = planHhi(ceiling)));
    return hhi;
  };

  const highest = Math.max(...donors.values());
  // Ceiling at which the cut alone would meet the limit: no plan can move less than this.
  const ideal = largestCeiling(cutOnly, limit, 0, highest);
  const steps = 256;
  let plan: CeilingPlan | undefined;
  let previous = ideal;
  for (let i = 0; i <= steps; i++) {
    const ceiling = ideal * (1 - i / steps);
    if (hhiAt(ceiling) <= limit + 1e-9) {
      const t = largestCeiling(hhiAt, limit, ceiling, previous);
      plan = planAt(t);
      break;
    }
    previous = ceiling;
  }
  let unfilled = 0;
  if (!plan) {
    // Structural: plan the lowest reachable HHI; what would still have to leave the largest holders
    // (spread over suppliers too small to count) is the unfilled volume.
    plan = lowestPlan(planAt, hhiAt, ideal);
    const holders = new Map([...plan.after].filter(([country]) => country !== input.importer && country !== UNATTRIBUTED));
    const planned = plan;
    const cutAfter = (ceiling: number): number => {
      let hhi = 0;
      planned.after.forEach((quantity, country) => {
        if (country !== UNATTRIBUTED) hhi += term(holders.has(country) ? Math.min(quantity, ceiling) : quantity);
      });
      return hhi;
    };
    const ceiling = largestCeiling(cutAfter, limit, 0, Math.max(0, ...holders.values()));
    unfilled = [...holders.values()].reduce((sum, q) => sum + Math.max(0, q - ceiling), 0);
  }
  const epsilon = 1e-9 * S;
  const excess = plan.placed + unfilled;
  return {
    ...baseGap(input, block, 'hhi', stageWorld(input)),
    country: top.country,
    share: top.share,
    limit,
    value: block.supplierHhi,
    excess,
    plan: quantities(plan.added, epsilon),
    unfilled: unfilled > epsilon ? unfilled : 0,
    cuts: quantities(plan.cut, epsilon),
    shareAfter: (plan.after.get(top.country) ?? 0) / S,
    hhiAfter: plan.hhi,
    candidates: candidates.length,
    severity: excess / S,
  };
}

/** The largest x in [low, high] with f(x) <= limit, for f non-decreasing in x; `low` when none. */
function largestCeiling(f: (x: number) => number, limit: number, low: number, high: number): number {
  if (f(high) <= limit) return high;
  if (f(low) > limit) return low;
  let [lo, hi] = [low, high];
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The ceiling in [0, high] giving the lowest HHI: a grid, then golden-section search around the best point. */
function lowestPlan(planAt: (ceiling: number) => CeilingPlan, hhiAt: (ceiling: number) => number, high: number): CeilingPlan {
  const steps = 256;
  // The grid by HHI alone (hhiAt keeps what the caller's walk of the same grid found); the best
  // point's plan is made once, at the end.
  let bestHhi = hhiAt(high);
  let bestIndex = 0;
  for (let i = 1; i <= steps; i++) {
    const hhi = hhiAt(high * (1 - i / steps));
    if (hhi < bestHhi - 1e-12) [bestHhi, bestIndex] = [hhi, i];
  }
  let lo = Math.max(0, high * (1 - (bestIndex + 1) / steps));
  let hi = Math.min(high, high * (1 - (bestIndex - 1) / steps));
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 100 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const a = hi - ratio * (hi - lo);
    const b = lo + ratio * (hi - lo);
    if (hhiAt(a) <= hhiAt(b)) hi = b;
    else lo = a;
  }
  const refined = planAt((lo + hi) / 2);
  return refined.hhi < bestHhi ? refined : planAt(high * (1 - bestIndex / steps));
}

function originGap(input: StageInput, block: GapBlock): Gap | undefined {
  const top = block.topOrigin;
  if (!top || top.share <= input.limits.maxSingleCountryShare) return undefined;
  // Nothing of the supply traced to a mine (no production data behind its makers or refiners):
  // the "origins" are only where tracing stopped, and no mine-origin gap can rest on them.
  if (nothingTraced(block)) return undefined;
  const origins = new Map(block.origins.map((entry) => [entry.country, entry.share * block.supply]));
  const world = input.stage === 'mining' ? stageWorld(input) : input.miningWorld;
  const scale = originScale(input, world);
  const candidates = scale === null ? [] : candidatesFrom(world, origins, new Set([top.country, input.importer]), input.limits, input.country, scale);
  return dominantGap(input, block, 'origin', top, origins, world, candidates);
}

/**
 * Mine production expressed in the unit of this stage. Same unit: 1. Refining in another unit than
 * mining: world refining output / world mine output (metal-content equivalence). Unknown: null.
 */
function originScale(input: StageInput, miningWorld: WorldBlock | undefined): number | null {
  if (!miningWorld) return null;
  if (input.stage === 'mining') return 1;
  const refining = stageWorld(input);
  const unit = input.analysis.importer?.unit;
  if (miningWorld.unit === unit) return 1;
  if (!refining || miningWorld.total <= 0 || refining.total <= 0) return null;
  return refining.total / miningWorld.total;
}
