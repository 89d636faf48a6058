/**
 * Compares two analyses of the same policy (the data now and a base version, e.g. the previous
 * commit): per material and stage, the change of the headline figures and the gaps that appeared or
 * went away. Only subtraction: both sides come from analysis.ts and gaps.ts.
 */
import type { Stage } from '../input/fields.js';
import { compare } from '../graph/slices.js';
import type { Analysis, StageAnalysis } from './analysis.js';
import type { Assessment, Gap, RiskLevel } from './gaps.js';

export interface Change {
  base: number | null;
  current: number | null;
  /** current - base; null when either side is missing. */
  change: number | null;
}

export interface CountryChange extends Change {
  baseCountry: string | null;
  country: string | null;
}

export interface GapKey {
  basis: Gap['basis'];
  country: string;
}

export interface StageDiff {
  material: string;
  stage: Stage;
  status: 'added' | 'removed' | 'both';
  worldHhi: Change;
  worldTop: CountryChange;
  importReliance: Change;
  supplierHhi: Change;
  topSupplier: CountryChange;
  topOrigin: CountryChange;
  risk: { base: RiskLevel | null; current: RiskLevel | null };
  gapsAppeared: GapKey[];
  gapsGone: GapKey[];
  /** Supplier HHI rose by more than the --fail-on-increase threshold. */
  exceeded: boolean;
}

export interface Diff {
  stages: StageDiff[];
  /** Stages whose figures or gaps changed. */
  changed: number;
  exceeded: number;
  threshold: number | null;
}

interface Side {
  analysis: Analysis;
  assessment: Assessment;
}

function change(base: number | undefined | null, current: number | undefined | null): Change {
  const b = base ?? null;
  const c = current ?? null;
  return { base: b, current: c, change: b === null || c === null ? null : c - b };
}

function countryChange(base: { country: string; share: number } | null | undefined, current: { country: string; share: number } | null | undefined): CountryChange {
  return { ...change(base?.share, current?.share), baseCountry: base?.country ?? null, country: current?.country ?? null };
}

function stageOf(side: Side, material: string, stage: Stage): StageAnalysis | undefined {
  return side.analysis.materials.find((entry) => entry.material === material)?.stages[stage];
}

function assessed(side: Side, material: string, stage: Stage): { risk: RiskLevel; gaps: Gap[] } | undefined {
  return side.assessment.stages.find((entry) => entry.material === material && entry.stage === stage);
}

const gapKey = (gap: Gap): string => `${gap.basis}|${gap.country}`;

export function diffAnalyses(base: Side, current: Side, threshold: number | null): Diff {
  const keys = new Set<string>();
  for (const side of [base, current]) {
    for (const material of side.analysis.materials) for (const stage of Object.keys(material.stages)) keys.add(`${material.material}|${stage}`);
  }
  const stages: StageDiff[] = [];
  for (const key of [...keys].sort(compare)) {
    const [material = '', stageName = 'mining'] = key.split('|');
    const stage = stageName as Stage;
    const before = stageOf(base, material, stage);
    const after = stageOf(current, material, stage);
    const beforeGaps = assessed(base, material, stage);
    const afterGaps = assessed(current, material, stage);
    const oldKeys = new Set((beforeGaps?.gaps ?? []).map(gapKey));
    const newKeys = new Set((afterGaps?.gaps ?? []).map(gapKey));
    const supplierHhi = change(before?.importer?.supplierHhi, after?.importer?.supplierHhi);
    stages.push({
      material,
      stage,
      status: !before ? 'added' : !after ? 'removed' : 'both',
      worldHhi: change(before?.world?.hhi, after?.world?.hhi),
      worldTop: countryChange(before?.world?.top, after?.world?.top),
      importReliance: change(before?.importer?.importReliance, after?.importer?.importReliance),
      supplierHhi,
      topSupplier: countryChange(before?.importer?.topSupplier, after?.importer?.topSupplier),
      topOrigin: countryChange(before?.importer?.topOrigin, after?.importer?.topOrigin),
      risk: { base: beforeGaps?.risk ?? null, current: afterGaps?.risk ?? null },
      gapsAppeared: (afterGaps?.gaps ?? []).filter((gap) => !oldKeys.has(gapKey(gap))).map((gap) => ({ basis: gap.basis, country: gap.country })),
      gapsGone: (beforeGaps?.gaps ?? []).filter((gap) => !newKeys.has(gapKey(gap))).map((gap) => ({ basis: gap.basis, country: gap.country })),
      exceeded: threshold !== null && supplierHhi.change !== null && supplierHhi.change > threshold,
    });
  }
  return {
    stages,
    changed: stages.filter(isChanged).length,
    exceeded: stages.filter((entry) => entry.exceeded).length,
    threshold,
  };
}

const EPSILON = 1e-9;

export function isChanged(entry: StageDiff): boolean {
  if (entry.status !== 'both' || entry.gapsAppeared.length > 0 || entry.gapsGone.length > 0) return true;
  const numbers = [entry.worldHhi, entry.worldTop, entry.importReliance, entry.supplierHhi, entry.topSupplier, entry.topOrigin];
  const moved = numbers.some((value) => value.base !== value.current && (value.change === null || Math.abs(value.change) > EPSILON * Math.max(1, Math.abs(value.base ?? 0))));
  const countries = [entry.worldTop, entry.topSupplier, entry.topOrigin].some((value) => value.baseCountry !== value.country);
  return moved || countries || entry.risk.base !== entry.risk.current;
}
