/**
 * The `shock` command's JSON: the report envelope (json.ts) with the scenario and, per material and
 * stage, `shock = {direct, viaRefiners, total, lostQuantity, replaceable, shortfall, ...}` beside the
 * world and importer blocks. Materials are in the shock's order: largest shortfall share first.
 */
import type { Policy } from '../policy/policy.js';
import type { Analysis } from '../metrics/analysis.js';
import type { ShockResult, StageShock } from '../metrics/shock.js';
import { policyJson } from './gaps-json.js';
import { envelopeHead, materialJson, type ToolInfo } from './json.js';
import { clean } from './numbers.js';
import { STAGES } from '../domain/fields.js';

export function stageShockJson(entry: StageShock): Record<string, unknown> {
  return {
    direct: clean(entry.direct),
    viaRefiners: clean(entry.viaRefiners),
    total: clean(entry.total),
    lostQuantity: clean(entry.lostQuantity),
    replaceable: clean(entry.replaceable),
    shortfall: clean(entry.shortfall),
    shortfallShare: clean(entry.shortfallShare),
    transit: clean(entry.transit),
    unit: entry.unit,
    year: entry.year,
    shareBase: entry.shareBase,
    worldYear: entry.worldYear,
    supply: clean(entry.supply),
    plan: entry.plan.map((item) => ({ country: item.country, quantity: clean(item.quantity) })),
    candidates: entry.candidates,
  };
}

export function shockEnvelope(result: ShockResult, analysis: Analysis, policy: Policy, tool: ToolInfo, warnings: readonly string[]): Record<string, unknown> {
  const materials = result.materials.map((shocked) => {
    const material = analysis.materials.find((entry) => entry.material === shocked.material);
    const base = material ? materialJson(material) : { material: shocked.material, stages: {} };
    const stages: Record<string, unknown> = {};
    for (const stage of STAGES) {
      const entry = shocked.stages[stage];
      const blocks = (base.stages as Record<string, Record<string, unknown> | undefined>)[stage];
      if (entry) stages[stage] = { ...(blocks ?? {}), shock: stageShockJson(entry) };
      // Trade not covered: the stage is listed with a null shock, never left out as "nothing lost".
      else if (shocked.unknown.some((unknown) => unknown.stage === stage)) stages[stage] = { ...(blocks ?? {}), shock: null };
    }
    return { material: shocked.material, shortfallShare: clean(shocked.shortfallShare), stages };
  });
  return {
    ...envelopeHead(tool),
    importer: analysis.importer,
    year: analysis.year,
    scenario: { country: result.scenario.country, fraction: result.scenario.fraction, stage: result.scenario.stage },
    policy: policyJson(policy),
    materials,
    warnings: [...warnings],
  };
}
