/**
 * JSON of the gap layer: one gap, the effective policy, the state of each accept entry, and the
 * envelopes of `gaps` and `check`. Shares are fractions, HHI 0..10000, quantities in the stage's unit.
 */
import type { Policy } from '../input/policy.js';
import { isOpen, type AcceptState, type Assessment, type Gap, type Quantity } from '../metrics/gaps.js';
import { envelopeHead, type ToolInfo } from './json.js';
import { clean } from './numbers.js';

function quantities(entries: readonly Quantity[]): Record<string, unknown>[] {
  return entries.map((entry) => ({ country: entry.country, quantity: clean(entry.quantity) }));
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
export function gapsEnvelope(importer: string, year: number | null, policy: Policy, assessment: Assessment, tool: ToolInfo, warnings: readonly string[]): Record<string, unknown> {
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

/** The `check` command's JSON: the verdict on top of the gaps envelope. */
export function checkEnvelope(
  importer: string,
  year: number | null,
  policy: Policy,
  assessment: Assessment,
  tool: ToolInfo,
  warnings: readonly string[],
  today: string,
): Record<string, unknown> {
  const failing = assessment.gaps.filter(isOpen).length;
  return {
    ...gapsEnvelope(importer, year, policy, assessment, tool, warnings),
    today,
    passed: failing === 0,
    failing,
    accepted: assessment.gaps.filter((gap) => gap.accepted).length,
    possible: assessment.gaps.filter((gap) => !gap.accepted && gap.certainty === 'possible').length,
  };
}
