/**
 * JSON of the gap layer: one gap, the effective policy, the state of each accept entry, and the
 * envelopes of `gaps` and `check`. Shares are fractions, HHI 0..10000, quantities in the stage's unit.
 */
import type { Policy } from '../policy/policy.js';
import { isOpen, type AcceptState, type Assessment, type Gap, type Quantity } from '../metrics/gaps.js';
import { envelopeHead, type ToolInfo } from './envelope.js';
import { clean } from './numbers.js';

function quantities(entries: readonly Quantity[]): Record<string, unknown>[] {
  return entries.map((entry) => ({ country: entry.country, quantity: clean(entry.quantity) }));
}

/** "USD/t": what a unit value is per (the stage's unit); "USD per unit" when the data names none. */
export function unitValueUnit(unit: string): string {
  return unit ? `USD/${unit}` : 'USD per unit';
}

/**
 * The plan at trade unit values (gaps.ts PlanPrice): each added purchase and each cut with its unit
 * value and where that comes from, and the premium; null for the origin basis.
 */
export function priceJson(gap: Gap): Record<string, unknown> | null {
  const price = gap.price;
  if (!price) return null;
  const line = (entry: Quantity): Record<string, unknown> => {
    const value = price.unitValues[entry.country] ?? null;
    return {
      country: entry.country,
      quantity: clean(entry.quantity),
      unitValueUsd: value === null ? null : clean(value),
      valueFrom: price.sources[entry.country] ?? null,
    };
  };
  return {
    basis: 'trade unit values',
    unit: unitValueUnit(gap.unit),
    plan: gap.plan.map(line),
    cuts: gap.cuts.map(line),
    premiumUsd: price.premiumUsd === null ? null : clean(price.premiumUsd),
    reason: price.reason,
  };
}

export function gapJson(gap: Gap): Record<string, unknown> {
  return {
    material: gap.material,
    stage: gap.stage,
    basis: gap.basis,
    country: gap.country,
    share: clean(gap.share),
    limit: clean(gap.limit),
    value: clean(gap.value),
    excess: clean(gap.excess),
    plan: quantities(gap.plan),
    unfilled: clean(gap.unfilled),
    shareAfter: clean(gap.shareAfter),
    hhiAfter: clean(gap.hhiAfter),
    accepted: gap.accepted,
    acceptReason: gap.acceptReason,
    cuts: quantities(gap.cuts),
    unit: gap.unit,
    year: gap.year,
    supply: clean(gap.supply),
    productionYear: gap.productionYear,
    candidates: gap.candidates,
    severity: clean(gap.severity),
    certainty: gap.certainty,
    price: priceJson(gap),
  };
}

export function policyJson(policy: Policy): Record<string, unknown> {
  return {
    importer: policy.importer,
    maxSingleCountryShare: policy.maxSingleCountryShare,
    maxSupplierHhi: policy.maxSupplierHhi,
    maxRedirectShare: policy.maxRedirectShare,
    minGovernance: policy.minGovernance,
    partnerGroups: [...policy.partnerGroups],
    excludeCountries: [...policy.excludeCountries],
    materials: policy.materials,
    accept: policy.accept.map((entry) => ({ ...entry })),
  };
}

export function acceptJson(state: AcceptState): Record<string, unknown> {
  return { index: state.index, ...state.entry, status: state.status, matched: state.matched };
}

/** The `gaps` command's JSON: the gaps, most severe first, and the policy they were measured against. */
export function gapsEnvelope(
  importer: string,
  year: number | null,
  policy: Policy,
  assessment: Assessment,
  tool: ToolInfo,
  warnings: readonly string[],
): Record<string, unknown> {
  return {
    ...envelopeHead(tool),
    importer,
    year,
    policy: policyJson(policy),
    gaps: assessment.gaps.map(gapJson),
    // Stages whose trade is not covered: no gap could be found or ruled out there.
    unknownStages: assessment.stages.filter((stage) => stage.risk === 'unknown').map((stage) => ({ material: stage.material, stage: stage.stage })),
    accepts: assessment.accepts.map(acceptJson),
    warnings: [...warnings, ...assessment.warnings],
  };
}

/** `check --baseline`: the comparison's verdict (findings as diff-render.ts findingJson writes them). */
export interface BaselineVerdict {
  baseline: string;
  /** Fractions: share points of supply, import reliance; GeoPolRisk absolute. */
  tolerance: number;
  relianceUp: number | null;
  geopolUp: number | null;
  /** Findings that fail the gate. */
  failing: number;
  /** Open gaps that were open in the baseline too (they pass). */
  unchangedOpen: number;
  findings: Record<string, unknown>[];
}

/**
 * The `check` command's JSON: the verdict on top of the gaps envelope. Without a baseline `failing`
 * counts open gaps; with one it counts the findings that fail (new or worse), `open` the open gaps.
 */
export function checkEnvelope(
  importer: string,
  year: number | null,
  policy: Policy,
  assessment: Assessment,
  tool: ToolInfo,
  warnings: readonly string[],
  today: string,
  baseline?: BaselineVerdict,
): Record<string, unknown> {
  const open = assessment.gaps.filter(isOpen).length;
  const failing = baseline ? baseline.failing : open;
  return {
    ...gapsEnvelope(importer, year, policy, assessment, tool, warnings),
    today,
    passed: failing === 0,
    failing,
    accepted: assessment.gaps.filter((gap) => gap.accepted).length,
    possible: assessment.gaps.filter((gap) => !gap.accepted && gap.certainty === 'possible').length,
    ...(baseline
      ? {
          open,
          baseline: baseline.baseline,
          tolerance: clean(baseline.tolerance),
          relianceUp: baseline.relianceUp === null ? null : clean(baseline.relianceUp),
          geopolUp: baseline.geopolUp,
          unchangedOpen: baseline.unchangedOpen,
          findings: baseline.findings,
        }
      : {}),
  };
}
