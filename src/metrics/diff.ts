/**
 * Compares two analyses of the same policy (the data now and a base version, e.g. the data of a pull
 * request's base): per material and stage, the change of the headline figures, the years and volumes
 * behind them, and the gaps that appeared, changed or went away. Only subtraction: both sides come
 * from analysis.ts and gaps.ts.
 *
 * The one comparison behind `diff` and `check --baseline`: `diffAnalyses` lists what changed, and
 * the findings of each stage say what is new, worse, improved or resolved. Which findings fail is a
 * matter of rules (`GateRules`), so both commands gate on the same classification:
 * - new-gap: a certain, unaccepted gap whose basis and country had no certain gap in the base (a
 *   possible gap that became certain is new);
 * - worse-gap: a certain gap in both whose severity (excess / supply) grew by more than the tolerance;
 * - risk-up: the stage's risk level rose (low < medium < high; `unknown` is not a level);
 * - unknown: a part of the importer block (trade, exports, own production) known in the base and
 *   unknown now, or a stage whose trade was known and that is gone: deleting data never resolves a gap;
 * - reliance-up, hhi-up, geopol-up: the figure rose by more than a threshold.
 */
import { STAGES, type Stage } from '../domain/fields.js';
import { compare } from '../graph/slices.js';
import type { Analysis, StageAnalysis } from './analysis.js';
import type { Assessment, Gap, RiskLevel } from './gaps.js';
import type { ImporterBlock, UnknownPart } from './importer.js';

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

/** What a gap was on one side. */
export interface GapState {
  certainty: Gap['certainty'];
  accepted: boolean;
  share: number;
  value: number;
  limit: number;
  excess: number;
  /** excess / supply. */
  severity: number;
  unit: string;
  year: number;
}

/** One gap (basis and country) on both sides; null where it is absent. */
export interface GapChange extends GapKey {
  base: GapState | null;
  current: GapState | null;
}

export type Condition = 'new-gap' | 'worse-gap' | 'risk-up' | 'unknown' | 'reliance-up' | 'hhi-up' | 'geopol-up';
export const CONDITIONS: readonly Condition[] = ['new-gap', 'worse-gap', 'risk-up', 'unknown', 'reliance-up', 'hhi-up', 'geopol-up'];
export type FindingCategory = 'new' | 'worse' | 'improved' | 'resolved';

export interface Finding {
  material: string;
  stage: Stage;
  category: FindingCategory;
  /** The rule the finding belongs to (improvements name the rule they are the reverse of). */
  condition: Condition;
  /** True when the rules in force make this finding fail the gate. */
  fails: boolean;
  /** Gap findings: the gap on both sides. */
  gap?: GapChange;
  /** Figure findings (risk, reliance, HHI, GeoPolRisk): the two values. */
  base?: number | string | null;
  current?: number | string | null;
  /** Unknown findings: the parts that became unknown (or known); `removed` when the stage is gone. */
  parts?: UnknownPart[];
  removed?: boolean;
  /** Unknown findings: the base's certain gaps that can no longer be checked. */
  unchecked?: GapKey[];
}

/**
 * What fails. Conditions set to false or null are still classified and listed, but never fail.
 * `tolerance`: share points of supply (a fraction, 0.01 = 1 point) a certain gap's severity may grow
 * or fall before it counts as worse or improved.
 */
export interface GateRules {
  newGap: boolean;
  worseGap: boolean;
  riskUp: boolean;
  unknown: boolean;
  tolerance: number;
  /** Import reliance, a fraction (0.05 = 5 points). */
  relianceUp: number | null;
  /** Supplier HHI points. */
  hhiUp: number | null;
  /** GeoPolRisk, absolute. */
  geopolUp: number | null;
}

export const DEFAULT_TOLERANCE = 0.01;

/** Nothing fails: `diff` without --fail-on. */
export const LIST_ONLY: GateRules = Object.freeze({
  newGap: false,
  worseGap: false,
  riskUp: false,
  unknown: false,
  tolerance: DEFAULT_TOLERANCE,
  relianceUp: null,
  hhiUp: null,
  geopolUp: null,
});

/** `check --baseline`: new and worse gaps, risk up and data turned unknown fail. */
export function baselineRules(options: { tolerance?: number; relianceUp?: number; geopolUp?: number }): GateRules {
  return {
    newGap: true,
    worseGap: true,
    riskUp: true,
    unknown: true,
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    relianceUp: options.relianceUp ?? null,
    hhiUp: null,
    geopolUp: options.geopolUp ?? null,
  };
}

/**
 * `diff --fail-on LIST`: comma-separated conditions, `new-gap`, `worse-gap` (or `worse-gap:PP`, the
 * tolerance in share points, default 1), `risk-up`, `unknown`, `reliance-up:PP` (percentage points),
 * `hhi-up:POINTS`, `geopol-up:X` (absolute GeoPolRisk). `all` stands for the four without a number.
 * Throws an Error naming the bad item.
 */
export function parseConditions(text: string, base: GateRules = LIST_ONLY): GateRules {
  const rules: GateRules = { ...base };
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error('expected a comma-separated list of conditions.');
  for (const item of items) {
    const [name = '', value, extra] = item.split(':').map((part) => part.trim());
    const number = (what: string, high: number): number => {
      const parsed = Number(value);
      if (value === undefined || value === '' || extra !== undefined || !Number.isFinite(parsed) || parsed < 0 || parsed > high) {
        throw new Error(`${name} takes ${what} from 0 to ${high}, written ${name}:N (got "${item}").`);
      }
      return parsed;
    };
    const flag = (): true => {
      if (value !== undefined) throw new Error(`${name} takes no value (got "${item}").`);
      return true;
    };
    if (name === 'new-gap') rules.newGap = flag();
    else if (name === 'worse-gap') {
      rules.worseGap = true;
      if (value !== undefined) rules.tolerance = number('share points', 100) / 100;
    } else if (name === 'risk-up') rules.riskUp = flag();
    else if (name === 'unknown') rules.unknown = flag();
    else if (name === 'all') {
      flag();
      Object.assign(rules, { newGap: true, worseGap: true, riskUp: true, unknown: true });
    } else if (name === 'reliance-up') rules.relianceUp = number('percentage points', 100) / 100;
    else if (name === 'hhi-up') rules.hhiUp = number('HHI points', 10000);
    else if (name === 'geopol-up') rules.geopolUp = number('a GeoPolRisk difference', 1);
    else
      throw new Error(
        `unknown condition "${name}"; expected ${[...CONDITIONS.map((c) => (c === 'reliance-up' ? 'reliance-up:PP' : c === 'hhi-up' ? 'hhi-up:POINTS' : c === 'geopol-up' ? 'geopol-up:X' : c)), 'all'].join(', ')}.`,
      );
  }
  return rules;
}

/** The conditions that can fail under these rules, written as --fail-on takes them. */
export function activeConditions(rules: GateRules): string[] {
  const active: string[] = [];
  if (rules.newGap) active.push('new-gap');
  if (rules.worseGap) active.push(rules.tolerance === DEFAULT_TOLERANCE ? 'worse-gap' : `worse-gap:${clean(rules.tolerance * 100)}`);
  if (rules.riskUp) active.push('risk-up');
  if (rules.unknown) active.push('unknown');
  if (rules.relianceUp !== null) active.push(`reliance-up:${clean(rules.relianceUp * 100)}`);
  if (rules.hhiUp !== null) active.push(`hhi-up:${rules.hhiUp}`);
  if (rules.geopolUp !== null) active.push(`geopol-up:${rules.geopolUp}`);
  return active;
}

function clean(value: number): number {
  return Number(value.toPrecision(12));
}

export interface YearChange {
  base: number | null;
  current: number | null;
}

export interface StageDiff {
  material: string;
  stage: Stage;
  status: 'added' | 'removed' | 'both';
  /** Year of the world block and of the importer block on each side. */
  worldYear: YearChange;
  importerYear: YearChange;
  worldHhi: Change;
  worldTop: CountryChange;
  /** Importer volumes: supply S = P + I (null when P is not exactly known) and imports I. */
  supply: Change;
  imports: Change;
  importReliance: Change;
  supplierHhi: Change;
  topSupplier: CountryChange;
  topOrigin: CountryChange;
  geopolRisk: Change;
  /** The importer block's unknown parts on each side; null where there is no importer block. */
  unknown: { base: UnknownPart[] | null; current: UnknownPart[] | null };
  risk: { base: RiskLevel | null; current: RiskLevel | null };
  /** Every gap of either side. */
  gaps: GapChange[];
  gapsAppeared: GapKey[];
  gapsGone: GapKey[];
  /** New, worse, improved and resolved, in that order. */
  findings: Finding[];
  /** Supplier HHI rose by more than the hhi-up threshold (--fail-on-increase). */
  exceeded: boolean;
}

export interface Diff {
  stages: StageDiff[];
  /** Stages whose figures or gaps changed. */
  changed: number;
  exceeded: number;
  /** The hhi-up threshold (--fail-on-increase), for the JSON's failOnIncrease. */
  threshold: number | null;
  rules: GateRules;
  /** Findings that fail the gate under the rules. */
  failing: number;
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

function countryChange(
  base: { country: string; share: number } | null | undefined,
  current: { country: string; share: number } | null | undefined,
): CountryChange {
  return { ...change(base?.share, current?.share), baseCountry: base?.country ?? null, country: current?.country ?? null };
}

function stageOf(side: Side, material: string, stage: Stage): StageAnalysis | undefined {
  return side.analysis.materials.find((entry) => entry.material === material)?.stages[stage];
}

function assessed(side: Side, material: string, stage: Stage): { risk: RiskLevel; gaps: Gap[] } | undefined {
  return side.assessment.stages.find((entry) => entry.material === material && entry.stage === stage);
}

/**
 * A gap's identity across the two sides: its basis and dominant country; an HHI gap is one per stage
 * whoever its largest supplier is (a new largest supplier does not make the concentration new).
 */
const gapKey = (gap: GapKey): string => (gap.basis === 'hhi' ? 'hhi' : `${gap.basis}|${gap.country}`);

function gapState(gap: Gap): GapState {
  return {
    certainty: gap.certainty,
    accepted: gap.accepted,
    share: gap.share,
    value: gap.value,
    limit: gap.limit,
    excess: gap.excess,
    severity: gap.severity,
    unit: gap.unit,
    year: gap.year,
  };
}

function gapChanges(before: readonly Gap[], after: readonly Gap[]): GapChange[] {
  const byKey = new Map<string, GapChange>();
  for (const gap of before) byKey.set(gapKey(gap), { basis: gap.basis, country: gap.country, base: gapState(gap), current: null });
  for (const gap of after) {
    const entry = byKey.get(gapKey(gap));
    if (entry) Object.assign(entry, { country: gap.country, current: gapState(gap) });
    else byKey.set(gapKey(gap), { basis: gap.basis, country: gap.country, base: null, current: gapState(gap) });
  }
  return [...byKey.values()].sort((a, b) => compare(a.basis, b.basis) || compare(a.country, b.country));
}

/** Import reliance as the gate compares it: the exact figure, else the top of its range. */
export function relianceOf(block: ImporterBlock | undefined): number | null {
  if (!block) return null;
  return block.importReliance ?? block.importRelianceRange?.[1] ?? null;
}

/** `material|stage` keys by material, then in the chain's order (mining, refining, magnet). */
function byMaterialThenStage(a: string, b: string): number {
  const [materialA = '', stageA = ''] = a.split('|');
  const [materialB = '', stageB = ''] = b.split('|');
  return compare(materialA, materialB) || STAGES.indexOf(stageA as Stage) - STAGES.indexOf(stageB as Stage);
}

export function diffAnalyses(base: Side, current: Side, rules: GateRules = LIST_ONLY): Diff {
  const keys = new Set<string>();
  for (const side of [base, current]) {
    for (const material of side.analysis.materials) for (const stage of Object.keys(material.stages)) keys.add(`${material.material}|${stage}`);
  }
  const stages: StageDiff[] = [];
  for (const key of [...keys].sort(byMaterialThenStage)) {
    const [material = '', stageName = 'mining'] = key.split('|');
    const stage = stageName as Stage;
    const before = stageOf(base, material, stage);
    const after = stageOf(current, material, stage);
    const beforeGaps = assessed(base, material, stage);
    const afterGaps = assessed(current, material, stage);
    const oldKeys = new Set((beforeGaps?.gaps ?? []).map(gapKey));
    const newKeys = new Set((afterGaps?.gaps ?? []).map(gapKey));
    const supplierHhi = change(before?.importer?.supplierHhi, after?.importer?.supplierHhi);
    const entry: StageDiff = {
      material,
      stage,
      status: !before ? 'added' : !after ? 'removed' : 'both',
      worldYear: { base: before?.world?.year ?? null, current: after?.world?.year ?? null },
      importerYear: { base: before?.importer?.year ?? null, current: after?.importer?.year ?? null },
      worldHhi: change(before?.world?.hhi, after?.world?.hhi),
      worldTop: countryChange(before?.world?.top, after?.world?.top),
      supply: change(before?.importer?.supply, after?.importer?.supply),
      imports: change(before?.importer?.imports, after?.importer?.imports),
      importReliance: change(relianceOf(before?.importer), relianceOf(after?.importer)),
      supplierHhi,
      topSupplier: countryChange(before?.importer?.topSupplier, after?.importer?.topSupplier),
      topOrigin: countryChange(before?.importer?.topOrigin, after?.importer?.topOrigin),
      geopolRisk: change(before?.importer?.geopolRisk, after?.importer?.geopolRisk),
      unknown: { base: before?.importer ? [...before.importer.unknown] : null, current: after?.importer ? [...after.importer.unknown] : null },
      risk: { base: beforeGaps?.risk ?? null, current: afterGaps?.risk ?? null },
      gaps: gapChanges(beforeGaps?.gaps ?? [], afterGaps?.gaps ?? []),
      gapsAppeared: (afterGaps?.gaps ?? []).filter((gap) => !oldKeys.has(gapKey(gap))).map((gap) => ({ basis: gap.basis, country: gap.country })),
      gapsGone: (beforeGaps?.gaps ?? []).filter((gap) => !newKeys.has(gapKey(gap))).map((gap) => ({ basis: gap.basis, country: gap.country })),
      findings: [],
      exceeded: rules.hhiUp !== null && supplierHhi.change !== null && supplierHhi.change > rules.hhiUp,
    };
    entry.findings = stageFindings(entry, before?.importer, after?.importer, rules);
    stages.push(entry);
  }
  return {
    stages,
    changed: stages.filter(isChanged).length,
    exceeded: stages.filter((entry) => entry.exceeded).length,
    threshold: rules.hhiUp,
    rules,
    failing: stages.reduce((sum, entry) => sum + entry.findings.filter((finding) => finding.fails).length, 0),
  };
}

const RANK: Partial<Record<RiskLevel, number>> = { low: 0, medium: 1, high: 2 };
const ORDER: Record<FindingCategory, number> = { new: 0, worse: 1, improved: 2, resolved: 3 };
/** Differences below this are rounding, not change. */
const EPSILON = 1e-9;

/** Whether the importer's trade at a stage is known (a block whose trade is covered). */
function tradeKnown(block: ImporterBlock | undefined): boolean {
  return block !== undefined && !block.unknown.includes('trade');
}

function stageFindings(entry: StageDiff, before: ImporterBlock | undefined, after: ImporterBlock | undefined, rules: GateRules): Finding[] {
  const { material, stage } = entry;
  const findings: Finding[] = [];
  const add = (finding: Omit<Finding, 'material' | 'stage'>): void => {
    findings.push({ material, stage, ...finding });
  };

  // Data that turned unknown: the base knew, the data no longer tells.
  const knownBefore = before ? (['trade', 'exports', 'production'] as const).filter((part) => !before.unknown.includes(part)) : [];
  const lost: UnknownPart[] = !after ? (tradeKnown(before) ? ['trade'] : []) : knownBefore.filter((part) => after.unknown.includes(part));
  // A block whose trade is unknown names only its trade: what else it lacks matters little then.
  const lostParts = lost.includes('trade') ? (['trade'] as UnknownPart[]) : lost;
  const currentKnown = tradeKnown(after);
  if (lostParts.length > 0) {
    const unchecked = entry.gaps
      .filter((gap) => gap.base?.certainty === 'certain' && !gap.base.accepted && gap.current?.certainty !== 'certain')
      .map((gap) => ({ basis: gap.basis, country: gap.country }));
    add({
      category: 'worse',
      condition: 'unknown',
      fails: rules.unknown,
      parts: lostParts,
      ...(entry.status === 'removed' ? { removed: true } : {}),
      unchecked,
    });
  }
  if (before && after) {
    const gained = before.unknown.filter((part) => !after.unknown.includes(part));
    if (gained.length > 0) add({ category: 'improved', condition: 'unknown', fails: false, parts: gained });
  }

  // Gaps. Where the current trade is unknown, the base's gaps are neither resolved nor improved:
  // the unknown finding above names them.
  for (const gap of entry.gaps) {
    const { base, current } = gap;
    if (current?.certainty === 'certain') {
      if (!base || base.certainty === 'possible') {
        add({ category: 'new', condition: 'new-gap', fails: rules.newGap && !current.accepted, gap });
        continue;
      }
      const grown = current.severity - base.severity;
      if (grown > rules.tolerance + EPSILON) add({ category: 'worse', condition: 'worse-gap', fails: rules.worseGap && !current.accepted, gap });
      else if (grown < -rules.tolerance - EPSILON) add({ category: 'improved', condition: 'worse-gap', fails: false, gap });
    } else if (current) {
      // A possible gap never fails; one that was certain is listed as improved.
      if (!base) add({ category: 'new', condition: 'new-gap', fails: false, gap });
      else if (base.certainty === 'certain' && currentKnown && !lost.includes('production'))
        add({ category: 'improved', condition: 'new-gap', fails: false, gap });
    } else if (base && currentKnown) {
      add({ category: 'resolved', condition: 'new-gap', fails: false, gap });
    }
  }

  // Risk level.
  const rankBefore = entry.risk.base === null ? undefined : RANK[entry.risk.base];
  const rankAfter = entry.risk.current === null ? undefined : RANK[entry.risk.current];
  // A level that fell because the data lost something is no improvement: the unknown finding says so.
  if (rankBefore !== undefined && rankAfter !== undefined && rankAfter !== rankBefore && (rankAfter > rankBefore || lostParts.length === 0)) {
    const up = rankAfter > rankBefore;
    add({ category: up ? 'worse' : 'improved', condition: 'risk-up', fails: up && rules.riskUp, base: entry.risk.base, current: entry.risk.current });
  }

  // Figures with a threshold: listed only when the rule is in force.
  const figure = (condition: Condition, value: Change, threshold: number | null): void => {
    if (threshold === null || value.change === null || Math.abs(value.change) <= threshold + EPSILON) return;
    const up = value.change > 0;
    add({ category: up ? 'worse' : 'improved', condition, fails: up, base: value.base, current: value.current });
  };
  figure('reliance-up', entry.importReliance, rules.relianceUp);
  figure('hhi-up', entry.supplierHhi, rules.hhiUp);
  figure('geopol-up', entry.geopolRisk, rules.geopolUp);

  return findings.sort((a, b) => ORDER[a.category] - ORDER[b.category] || Number(b.fails) - Number(a.fails));
}

export function isChanged(entry: StageDiff): boolean {
  if (entry.status !== 'both' || entry.gapsAppeared.length > 0 || entry.gapsGone.length > 0 || entry.findings.length > 0) return true;
  const numbers = [
    entry.worldHhi,
    entry.worldTop,
    entry.supply,
    entry.imports,
    entry.importReliance,
    entry.supplierHhi,
    entry.topSupplier,
    entry.topOrigin,
    entry.geopolRisk,
  ];
  const moved = numbers.some(
    (value) => value.base !== value.current && (value.change === null || Math.abs(value.change) > EPSILON * Math.max(1, Math.abs(value.base ?? 0))),
  );
  const countries = [entry.worldTop, entry.topSupplier, entry.topOrigin].some((value) => value.baseCountry !== value.country);
  const years = entry.worldYear.base !== entry.worldYear.current || entry.importerYear.base !== entry.importerYear.current;
  const unknown = (entry.unknown.base ?? []).join() !== (entry.unknown.current ?? []).join();
  const gaps = entry.gaps.some(
    (gap) => gap.base?.certainty !== gap.current?.certainty || Math.abs((gap.current?.severity ?? 0) - (gap.base?.severity ?? 0)) > EPSILON,
  );
  return moved || countries || years || unknown || gaps || entry.risk.base !== entry.risk.current;
}

/** Every finding of the diff, stage by stage. */
export function allFindings(diff: Diff): Finding[] {
  return diff.stages.flatMap((entry) => entry.findings);
}
