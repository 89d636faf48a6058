/**
 * What-if supply shocks: one country's supply falls by a fraction F; how much of the importer's
 * supply is lost, how much of it the gap candidates could replace, and what stays short.
 *
 * Per material and stage, from the importer block's origin paths (importer.ts):
 * - Refining stage. The supply is split into (refiner, mine origin) paths. A path is lost when its
 *   refiner or its origin is the shocked country C; each path counts once.
 *   `direct`      = F x paths refined in C (whatever the ore's origin, including C's own ore),
 *   `viaRefiners` = F x paths refined elsewhere from ore mined in C.
 * - Mining stage. Paths are mine origins only. The part of C's ore that C ships itself is `direct`;
 *   the part re-exported by third countries (traders, hubs) is `viaRefiners` ("via third
 *   countries"). The split follows Kastner's proportional tracing: the flow C -> importer carries
 *   C's own ore in the proportion C's supply holds it.
 * - `total` = direct + viaRefiners (shares of the importer's supply S), lostQuantity = total x S.
 * - `transit` (informative, not counted): what C ships to the importer that was produced elsewhere;
 *   assumed to be re-routable because the producer is not hit.
 * - `replaceable`: the lost volume placed on the gap candidates exactly as `gaps` does (gaps.ts,
 *   waterfill.ts): countries producing at this stage in the world block's year, not C, not the
 *   importer, governance >= minGovernance, in partnerGroups when set; capacity =
 *   max(0, maxRedirectShare x production - what it already supplies), and no candidate above the
 *   share limit. Water-filling places the lost volume; shortfall = lostQuantity - replaceable.
 * Limitation: candidates' own supply is not reduced when they depend on C's ore themselves.
 */
import { STAGES, type Stage } from '../domain/fields.js';
import { limitsFor, type Limits, type Policy } from '../policy/policy.js';
import { compare, type SliceIndex } from '../graph/slices.js';
import type { Analysis, StageAnalysis } from './analysis.js';
import { bins, candidatesFrom, type CountryLookup, type Quantity } from './gaps.js';
import type { Exposure, ImporterBlock } from './importer.js';
import { traceOrigins } from './kastner.js';
import { chainGraph, shipmentsTo, stageFlows, stageProduction } from '../graph/chain.js';
import { waterFill, type Bin } from './waterfill.js';

export const SHOCK_STAGES = [...STAGES, 'all'] as const;
export type ShockStage = (typeof SHOCK_STAGES)[number];

export interface ShockScenario {
  country: string;
  /** 0..1: the share of the country's supply that stops. */
  fraction: number;
  stage: ShockStage;
}

export interface StageShock {
  /** The importer block's year (the shock applies to that picture). */
  year: number;
  /** `supply`: shares of P + I; `imports`: the importer's own production is not known, shares are of imports. */
  shareBase: 'supply' | 'imports';
  unit: string;
  /** Year of the world block the candidates come from; null when there are no production figures at this stage. */
  worldYear: number | null;
  /** The importer's supply S = P + I. */
  supply: number;
  /** Shares of S, already multiplied by the fraction. */
  direct: number;
  viaRefiners: number;
  total: number;
  /** Share of S shipped by the country but produced elsewhere (not counted in total). */
  transit: number;
  lostQuantity: number;
  replaceable: number;
  shortfall: number;
  /** shortfall / S. */
  shortfallShare: number;
  /** Proposed replacement purchases per candidate, largest first. */
  plan: Quantity[];
  /** Eligible candidates with spare capacity considered. */
  candidates: number;
}

export interface MaterialShock {
  material: string;
  stages: Partial<Record<Stage, StageShock>>;
  /** Stages whose trade the data does not cover: what the shock takes there is unknown, not nothing. */
  unknown: { stage: Stage; reasons: string[] }[];
  /** The largest shortfall share over the stages: materials are sorted by it. */
  shortfallShare: number;
}

export interface ShockResult {
  importer: string;
  scenario: ShockScenario;
  /** Sorted by shortfall share, largest first; materials where the importer has no supply are absent. */
  materials: MaterialShock[];
}

export interface ShockOptions {
  index: SliceIndex;
  policy: Policy;
  country: CountryLookup;
}

export function shockStages(stage: ShockStage): Stage[] {
  return stage === 'all' ? [...STAGES] : [stage];
}

export function shock(analysis: Analysis, scenario: ShockScenario, options: ShockOptions): ShockResult {
  const materials: MaterialShock[] = [];
  for (const material of analysis.materials) {
    const limits = limitsFor(options.policy, material.material);
    const stages: Partial<Record<Stage, StageShock>> = {};
    const unknown: MaterialShock['unknown'] = [];
    for (const stage of shockStages(scenario.stage)) {
      const entry = material.stages[stage];
      if (!entry?.importer) continue;
      const exposure = entry.importer.low;
      if (!exposure) unknown.push({ stage, reasons: entry.importer.reasons });
      else if (exposure.supply > 0) {
        stages[stage] = stageShock({
          ...options,
          material: material.material,
          stage,
          importer: analysis.importer,
          analysis: entry,
          block: entry.importer,
          exposure,
          limits,
          scenario,
        });
      }
    }
    const values = Object.values(stages);
    if (values.length === 0 && unknown.length === 0) continue;
    materials.push({ material: material.material, stages, unknown, shortfallShare: Math.max(0, ...values.map((s) => s.shortfallShare)) });
  }
  const lost = (m: MaterialShock): number => Math.max(0, ...Object.values(m.stages).map((s) => s.total));
  materials.sort((a, b) => b.shortfallShare - a.shortfallShare || lost(b) - lost(a) || compare(a.material, b.material));
  return { importer: analysis.importer, scenario, materials };
}

interface StageInput extends ShockOptions {
  material: string;
  stage: Stage;
  importer: string;
  analysis: StageAnalysis;
  block: ImporterBlock;
  /** The block's exact picture: at its own production, or at 0 (shares of imports) when that is not known. */
  exposure: Exposure;
  limits: Limits;
  scenario: ShockScenario;
}

/** The shock on one material and stage. */
export function stageShock(input: StageInput): StageShock {
  const { block, scenario, stage } = input;
  const c = scenario.country;
  const S = input.exposure.supply;
  const shipped = shippedBy(input);
  let direct = 0;
  let via = 0;
  if (stage !== 'mining') {
    // A processing stage: what c makes is lost directly, c's mines behind other processors indirectly.
    for (const path of input.exposure.paths) {
      if (path.refiner === c) direct += path.share;
      else if (path.origin === c) via += path.share;
    }
  } else {
    const fromC = input.exposure.paths.filter((path) => path.origin === c).reduce((sum, path) => sum + path.share, 0);
    direct = Math.min(fromC, shipped.own);
    via = Math.max(0, fromC - direct);
  }
  const F = scenario.fraction;
  const total = F * (direct + via);
  const lostQuantity = total * S;
  const fill = waterFill(candidateBins(input), lostQuantity);
  const epsilon = 1e-9 * S;
  const replaceable = Math.min(lostQuantity, fill.placed);
  const shortfall = Math.max(0, lostQuantity - replaceable);
  return {
    year: block.year,
    shareBase: block.shareBase,
    unit: block.unit,
    worldYear: input.analysis.importerWorld?.year ?? null,
    supply: S,
    direct: F * direct,
    viaRefiners: F * via,
    total,
    transit: shipped.transit,
    lostQuantity,
    replaceable,
    shortfall: shortfall > epsilon ? shortfall : 0,
    shortfallShare: shortfall > epsilon ? shortfall / S : 0,
    plan: [...fill.added]
      .filter(([, quantity]) => quantity > epsilon)
      .map(([country, quantity]) => ({ country, quantity }))
      .sort((a, b) => b.quantity - a.quantity || compare(a.country, b.country)),
    candidates: fill.result.size,
  };
}

/**
 * What the shocked country ships to the importer at this stage, as shares of the importer's traced
 * supply x_j: `own` = the part that is its own production (Kastner proportion of its supply),
 * `transit` = the rest, produced elsewhere.
 */
function shippedBy(input: StageInput): { own: number; transit: number } {
  const { index, material, stage, block, importer, scenario } = input;
  const c = scenario.country;
  // The edge c -> importer of the stage in the chain graph, and c's origin mix from its nodes and edges.
  const chain = chainGraph(index, material, block.year);
  const quantity = shipmentsTo(chain, stage, importer).get(c) ?? 0;
  if (quantity <= 0) return { own: 0, transit: 0 };
  const supply = input.exposure.supply;
  if (supply <= 0) return { own: 0, transit: 0 };
  // No production figure at this stage this year: c made what it ships (importer.ts, shipperMix).
  const production = stageProduction(chain, stage);
  const mixC = production.size > 0 ? traceOrigins(production, stageFlows(chain, stage), [c]).get(c) : undefined;
  const ownFraction = production.size === 0 ? 1 : mixC ? (mixC.traced.get(c) ?? 0) + (mixC.untraced.get(c) ?? 0) : 0;
  return { own: (quantity * ownFraction) / supply, transit: (quantity * (1 - ownFraction)) / supply };
}

/** The gap candidates of this stage (the rules of gaps.ts), the shocked country and the importer excluded. */
function candidateBins(input: StageInput): Bin[] {
  const existing = new Map(input.exposure.suppliers.map((entry) => [entry.country, entry.quantity]));
  const exclude = new Set([input.scenario.country, input.importer]);
  const candidates = candidatesFrom(input.analysis.importerWorld ?? undefined, existing, exclude, input.limits, input.country);
  return bins(candidates, input.limits.maxRedirectShare, input.limits.maxSingleCountryShare * input.exposure.supply).filter((bin) => bin.upper > bin.base);
}
