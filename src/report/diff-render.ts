/**
 * Views of the comparison of two datasets (metrics/diff.ts): `diff` as a terminal table, markdown and
 * JSON, and `check --baseline` as a table, markdown, GitHub annotations and JSON. Both list the same
 * findings: new, worse, improved, resolved.
 */
import type { ChalkInstance } from 'chalk';
import {
  activeConditions,
  allFindings,
  isChanged,
  type Change,
  type CountryChange,
  type Diff,
  type Finding,
  type FindingCategory,
  type GapChange,
  type GapKey,
  type GapState,
  type GateRules,
  type StageDiff,
  type YearChange,
} from '../metrics/diff.js';
import { envelopeHead, type ToolInfo } from './json.js';
import { clean, formatHhi, formatQuantity, formatShare } from './numbers.js';
import { markdownCell, safeText } from './text.js';
import { escapeData, escapeProperty } from './gaps-render.js';

function num(value: number | null): number | null {
  return value === null ? null : clean(value);
}

function changeJson(value: Change): Record<string, unknown> {
  return { base: num(value.base), current: num(value.current), change: num(value.change) };
}

function countryJson(value: CountryChange): Record<string, unknown> {
  return { baseCountry: value.baseCountry, country: value.country, ...changeJson(value) };
}

function gapStateJson(state: GapState | null): Record<string, unknown> | null {
  if (!state) return null;
  return {
    certainty: state.certainty,
    accepted: state.accepted,
    share: clean(state.share),
    value: clean(state.value),
    limit: clean(state.limit),
    excess: clean(state.excess),
    severity: clean(state.severity),
    unit: state.unit,
    year: state.year,
  };
}

function gapChangeJson(gap: GapChange): Record<string, unknown> {
  return { basis: gap.basis, country: gap.country, base: gapStateJson(gap.base), current: gapStateJson(gap.current) };
}

/** One finding as JSON: what it is, whether it fails, the sentence the other views print. */
export function findingJson(finding: Finding, rules: GateRules): Record<string, unknown> {
  const value = (v: number | string | null | undefined): number | string | null => (typeof v === 'number' ? clean(v) : (v ?? null));
  return {
    material: finding.material,
    stage: finding.stage,
    category: finding.category,
    condition: finding.condition,
    fails: finding.fails,
    ...(finding.gap ? { gap: gapChangeJson(finding.gap) } : {}),
    ...(finding.base !== undefined || finding.current !== undefined ? { base: value(finding.base), current: value(finding.current) } : {}),
    ...(finding.parts ? { parts: [...finding.parts] } : {}),
    ...(finding.removed ? { removed: true } : {}),
    ...(finding.unchecked ? { unchecked: finding.unchecked } : {}),
    text: findingText(finding, rules),
  };
}

export function diffEnvelope(
  diff: Diff,
  context: { importer: string; base: string; data: string; tool: ToolInfo; warnings: readonly string[] },
): Record<string, unknown> {
  return {
    ...envelopeHead(context.tool),
    importer: context.importer,
    base: context.base,
    data: context.data,
    failOnIncrease: diff.threshold,
    failOn: activeConditions(diff.rules),
    tolerance: clean(diff.rules.tolerance),
    changed: diff.changed,
    exceeded: diff.exceeded,
    failing: diff.failing,
    passed: diff.failing === 0,
    stages: diff.stages.map((entry) => ({
      material: entry.material,
      stage: entry.stage,
      status: entry.status,
      changed: isChanged(entry),
      worldYear: entry.worldYear,
      importerYear: entry.importerYear,
      worldHhi: changeJson(entry.worldHhi),
      worldTop: countryJson(entry.worldTop),
      supply: changeJson(entry.supply),
      imports: changeJson(entry.imports),
      importReliance: changeJson(entry.importReliance),
      supplierHhi: changeJson(entry.supplierHhi),
      topSupplier: countryJson(entry.topSupplier),
      topOrigin: countryJson(entry.topOrigin),
      geopolRisk: changeJson(entry.geopolRisk),
      unknown: entry.unknown,
      risk: entry.risk,
      gaps: entry.gaps.map(gapChangeJson),
      gapsAppeared: entry.gapsAppeared,
      gapsGone: entry.gapsGone,
      findings: entry.findings.map((finding) => findingJson(finding, diff.rules)),
      exceeded: entry.exceeded,
    })),
    warnings: [...context.warnings],
  };
}

function signed(value: number, format: (value: number) => string): string {
  const text = format(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : `±${text}`;
}

const points = (fraction: number): string => `${(fraction * 100).toFixed(1)} pt`;

function hhiText(value: Change): string {
  if (value.base === null && value.current === null) return '';
  if (value.base === null) return `new ${formatHhi(value.current ?? 0)}`;
  if (value.current === null) return `unknown (was ${formatHhi(value.base)})`;
  return `${formatHhi(value.base)} → ${formatHhi(value.current)} (${signed(value.change ?? 0, formatHhi)})`;
}

function shareText(value: Change): string {
  if (value.base === null && value.current === null) return '';
  if (value.base === null) return `new ${formatShare(value.current ?? 0)}`;
  if (value.current === null) return `unknown (was ${formatShare(value.base)})`;
  return `${formatShare(value.base)} → ${formatShare(value.current)} (${signed(value.change ?? 0, points)})`;
}

function quantityText(value: Change): string {
  if (value.base === null && value.current === null) return '';
  if (value.base === null) return `new ${formatQuantity(value.current ?? 0)}`;
  if (value.current === null) return `unknown (was ${formatQuantity(value.base)})`;
  if (value.base === value.current) return formatQuantity(value.current);
  const percent = value.base === 0 ? '' : `, ${signed(((value.change ?? 0) / value.base) * 100, (v) => `${v.toFixed(1)}%`)}`;
  return `${formatQuantity(value.base)} → ${formatQuantity(value.current)} (${signed(value.change ?? 0, formatQuantity)}${percent})`;
}

function yearText(value: YearChange): string {
  if (value.base === value.current) return value.current === null ? '' : String(value.current);
  return `${value.base ?? 'none'} → ${value.current ?? 'none'}`;
}

function countryText(value: CountryChange): string {
  const who = value.baseCountry === value.country || value.baseCountry === null ? (value.country ?? '') : `${value.baseCountry} → ${value.country ?? 'none'}`;
  const share = shareText(value);
  return share === '' ? who : `${who} ${share}`.trim();
}

function gapsText(appeared: readonly GapKey[], gone: readonly GapKey[]): string {
  const parts = [...appeared.map((gap) => `+${gap.basis} ${gap.country}`), ...gone.map((gap) => `-${gap.basis} ${gap.country}`)];
  return parts.join(', ');
}

const BASIS_LABEL: Record<GapKey['basis'], string> = { supplier: 'single supplier', hhi: 'supplier concentration', origin: 'single mine origin' };

function breach(gap: GapKey, state: GapState): string {
  return gap.basis === 'hhi' ? `HHI ${formatHhi(state.value)} > ${formatHhi(state.limit)}` : `${formatShare(state.share)} > ${formatShare(state.limit)}`;
}

function gapName(gap: GapChange, state: GapState): string {
  return `${BASIS_LABEL[gap.basis]} ${gap.country} ${breach(gap, state)}`;
}

const keys = (list: readonly GapKey[]): string => list.map((gap) => `${BASIS_LABEL[gap.basis]} ${gap.country}`).join(', ');

/** The sentence of one finding, without its stage. */
export function findingText(finding: Finding, rules: GateRules): string {
  const gap = finding.gap;
  if (gap) {
    const { base, current } = gap;
    const accepted = current?.accepted ? ' (accepted by the policy)' : '';
    if (finding.category === 'new' && current) {
      const move = `${formatShare(current.severity)} of supply to move`;
      if (current.certainty === 'possible') return `new possible gap: ${gapName(gap, current)}, ${move} (possible gaps do not fail)`;
      if (base?.certainty === 'possible') return `possible gap became certain: ${gapName(gap, current)}, ${move}${accepted}`;
      return `new gap: ${gapName(gap, current)}, ${move}${accepted}`;
    }
    if (finding.category === 'resolved' && base) return `gap closed: ${gapName(gap, base)} in the base`;
    if (base && current && current.certainty === 'possible') return `gap now only possible: ${gapName(gap, current)}`;
    if (base && current) {
      const verb = finding.category === 'worse' ? 'gap grew' : 'gap shrank';
      const move = `${formatShare(base.severity)} → ${formatShare(current.severity)} of supply to move`;
      return `${verb}: ${gapName(gap, current)}, ${move} (${signed(current.severity - base.severity, points)}, tolerance ${points(rules.tolerance)})${accepted}`;
    }
  }
  if (finding.condition === 'unknown') {
    const parts = (finding.parts ?? []).join(', ');
    if (finding.category === 'improved') return `now known: ${parts}`;
    const what = finding.removed ? 'stage no longer in the data (its trade was covered in the base)' : `became unknown: ${parts} (known in the base)`;
    const open = finding.unchecked && finding.unchecked.length > 0 ? `; open gap no longer checked: ${keys(finding.unchecked)}` : '';
    return `${what}${open}`;
  }
  const base = finding.base ?? null;
  const current = finding.current ?? null;
  if (finding.condition === 'risk-up') return `risk ${base ?? 'none'} → ${current ?? 'none'}`;
  const numbers = typeof base === 'number' && typeof current === 'number';
  if (finding.condition === 'reliance-up' && numbers) {
    return `import reliance ${formatShare(base)} → ${formatShare(current)} (${signed(current - base, points)}, threshold ${points(rules.relianceUp ?? 0)})`;
  }
  if (finding.condition === 'hhi-up' && numbers) {
    return `supplier HHI ${formatHhi(base)} → ${formatHhi(current)} (${signed(current - base, formatHhi)}, threshold ${formatHhi(rules.hhiUp ?? 0)})`;
  }
  if (finding.condition === 'geopol-up' && numbers) {
    const three = (v: number): string => v.toFixed(3);
    return `GeoPolRisk ${three(base)} → ${three(current)} (${signed(current - base, three)}, threshold ${rules.geopolUp ?? 0})`;
  }
  return finding.condition;
}

const HEADER = [
  'material',
  'stage',
  'year (world, importer)',
  'supply',
  'imports',
  'world HHI',
  'world top',
  'import reliance',
  'supplier HHI',
  'top supplier',
  'top origin',
  'risk',
  'gaps',
];

function rows(diff: Diff): { entry: StageDiff; cells: string[] }[] {
  return diff.stages.filter(isChanged).map((entry) => ({
    entry,
    cells: [
      entry.material,
      entry.status === 'both' ? entry.stage : `${entry.stage} (${entry.status === 'added' ? 'new' : 'removed'})`,
      `${yearText(entry.worldYear) || '-'}, ${yearText(entry.importerYear) || '-'}`,
      quantityText(entry.supply),
      quantityText(entry.imports),
      hhiText(entry.worldHhi),
      countryText(entry.worldTop),
      shareText(entry.importReliance),
      hhiText(entry.supplierHhi) + (entry.exceeded ? ' !' : ''),
      countryText(entry.topSupplier),
      countryText(entry.topOrigin),
      entry.risk.base === entry.risk.current ? (entry.risk.current ?? '') : `${entry.risk.base ?? 'none'} → ${entry.risk.current ?? 'none'}`,
      gapsText(entry.gapsAppeared, entry.gapsGone),
    ],
  }));
}

const CATEGORY_TITLE: Record<FindingCategory, string> = { new: 'New', worse: 'Worse', improved: 'Improved', resolved: 'Resolved' };
const CATEGORIES: readonly FindingCategory[] = ['new', 'worse', 'improved', 'resolved'];

function findingLine(finding: Finding, rules: GateRules): string {
  return `${finding.material} ${finding.stage}: ${findingText(finding, rules)}`;
}

/** The findings under New / Worse / Improved / Resolved; FAIL before each that fails. */
function findingSections(findings: readonly Finding[], rules: GateRules, format: 'text' | 'markdown', chalk?: ChalkInstance): string[] {
  const lines: string[] = [];
  for (const category of CATEGORIES) {
    const list = findings.filter((finding) => finding.category === category);
    if (list.length === 0) continue;
    if (format === 'markdown') {
      lines.push('', `**${CATEGORY_TITLE[category]}**`, '');
      for (const finding of list) lines.push(`- ${finding.fails ? '**FAIL** ' : ''}${markdownCell(findingLine(finding, rules))}`);
    } else {
      lines.push('', chalk ? chalk.bold(CATEGORY_TITLE[category]) : CATEGORY_TITLE[category]);
      for (const finding of list) {
        const text = `  ${finding.fails ? 'FAIL  ' : '      '}${safeText(findingLine(finding, rules))}`;
        lines.push(finding.fails && chalk ? chalk.red(text) : text);
      }
    }
  }
  return lines;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

const CONDITION_TEXT: Record<Finding['condition'], string> = {
  'new-gap': 'new gap',
  'worse-gap': 'worse gap',
  'risk-up': 'risk up',
  unknown: 'became unknown',
  'reliance-up': 'reliance up',
  'hhi-up': 'supplier HHI up',
  'geopol-up': 'GeoPolRisk up',
};

/** "2 new gap, 1 became unknown": the failing findings counted by condition. */
function failingSummary(findings: readonly Finding[]): string {
  const counts = new Map<Finding['condition'], number>();
  for (const finding of findings) if (finding.fails) counts.set(finding.condition, (counts.get(finding.condition) ?? 0) + 1);
  return [...counts].map(([condition, count]) => `${CONDITION_TEXT[condition]} ${count}`).join(', ');
}

function verdict(diff: Diff): string {
  const active = activeConditions(diff.rules);
  if (active.length === 0) return '';
  const findings = allFindings(diff);
  if (diff.failing === 0) return `PASS: nothing new or worse (--fail-on ${active.join(',')})`;
  // The supplier HHI sentence of --fail-on-increase stays as it was.
  const hhi =
    diff.exceeded > 0 ? [`supplier HHI rose by more than ${formatHhi(diff.threshold ?? 0)} points in ${plural(diff.exceeded, 'stage')} (marked !)`] : [];
  const others = findings.filter((finding) => finding.fails && finding.condition !== 'hhi-up');
  const rest = others.length > 0 ? [`${plural(others.length, 'finding')} new or worse (${failingSummary(others)})`] : [];
  return `FAIL: ${[...hhi, ...rest].join('; ')}`;
}

export function renderDiffTable(diff: Diff, context: { chalk: ChalkInstance; base: string; data: string }): string {
  const body = rows(diff);
  const lines = [context.chalk.bold(`Changes from ${safeText(context.base)} to ${safeText(context.data)}`), ''];
  if (body.length === 0) lines.push('No change in any material or stage.');
  else {
    const widths = HEADER.map((title, i) => Math.max(title.length, ...body.map((row) => row.cells[i]?.length ?? 0)));
    const line = (cells: string[]): string =>
      cells
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    lines.push(line(HEADER), line(widths.map((width) => '-'.repeat(width))));
    for (const row of body) lines.push(row.entry.findings.some((f) => f.fails) ? context.chalk.red(line(row.cells)) : line(row.cells));
    const same = diff.stages.length - body.length;
    if (same > 0) lines.push('', context.chalk.dim(`${plural(same, 'other stage')} unchanged.`));
    lines.push(...findingSections(allFindings(diff), diff.rules, 'text', context.chalk));
  }
  const result = verdict(diff);
  if (result) lines.push('', result);
  return `${lines.join('\n')}\n`;
}

export function renderDiffMarkdown(diff: Diff, context: { base: string; data: string }): string {
  const body = rows(diff);
  const lines = [`## supply-risk diff: ${markdownCell(context.base)} → ${markdownCell(context.data)}`, ''];
  if (body.length === 0) lines.push('No change in any material or stage.');
  else {
    lines.push(`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => ' --- ').join('|')}|`);
    for (const row of body) lines.push(`| ${row.cells.map(markdownCell).join(' | ')} |`);
    lines.push(...findingSections(allFindings(diff), diff.rules, 'markdown'));
  }
  const result = verdict(diff);
  if (result) lines.push('', `**${result}**`);
  return `${lines.join('\n')}\n`;
}

/** What `check --baseline` reports besides the findings. */
export interface GateContext {
  baseline: string;
  importer: string;
  importerName: string;
  /** Open gaps (certain, not accepted) that were certain in the baseline too: they pass unless they grew. */
  unchangedOpen: number;
  policyLine: string;
}

function gateVerdict(diff: Diff, context: GateContext): string {
  const unchanged = context.unchangedOpen > 0 ? ` ${plural(context.unchangedOpen, 'open gap')} carried over from the baseline.` : '';
  if (diff.failing === 0) return `PASS: nothing new or worse than ${context.baseline}.${unchanged}`;
  return `FAIL: ${plural(diff.failing, 'finding')} new or worse than ${context.baseline} (${failingSummary(allFindings(diff))}).${unchanged}`;
}

export function renderGateTable(diff: Diff, context: GateContext & { chalk: ChalkInstance }): string {
  const { chalk } = context;
  const findings = allFindings(diff);
  const lines = [
    chalk.bold(`Supply-risk gate for ${safeText(context.importerName)} (${context.importer}) against ${safeText(context.baseline)}`),
    context.policyLine,
  ];
  if (findings.length === 0) lines.push('', 'No gap, risk level or coverage changed.');
  else lines.push(...findingSections(findings, diff.rules, 'text', chalk));
  const result = gateVerdict(diff, context);
  lines.push('', diff.failing === 0 ? chalk.green(result) : chalk.red.bold(result));
  return `${lines.join('\n')}\n`;
}

export function renderGateMarkdown(diff: Diff, context: GateContext): string {
  const findings = allFindings(diff);
  const title = `## supply-risk check against ${markdownCell(context.baseline)}: ${diff.failing === 0 ? 'passed' : 'failed'}`;
  const lines = [title, '', markdownCell(context.policyLine)];
  if (findings.length === 0) lines.push('', 'No gap, risk level or coverage changed.');
  else lines.push(...findingSections(findings, diff.rules, 'markdown'));
  lines.push('', `**${markdownCell(gateVerdict(diff, context))}**`);
  return `${lines.join('\n')}\n`;
}

/**
 * Workflow commands: an error for each failing finding, a warning for what is new or worse but does
 * not fail (a possible gap, an accepted one), a notice for what improved or was resolved.
 */
export function renderGateGithub(diff: Diff, context: GateContext & { trade: string; warnings: readonly string[] }): string {
  const lines: string[] = [];
  for (const finding of allFindings(diff)) {
    const level = finding.fails ? 'error' : finding.category === 'new' || finding.category === 'worse' ? 'warning' : 'notice';
    const title = `${finding.material} ${finding.stage}: ${CATEGORY_TITLE[finding.category].toLowerCase()}`;
    lines.push(`::${level} file=${escapeProperty(context.trade)},title=${escapeProperty(title)}::${escapeData(findingLine(finding, diff.rules))}`);
  }
  for (const warning of context.warnings) lines.push(`::warning title=supply-risk::${escapeData(warning)}`);
  lines.push(`supply-risk check: ${gateVerdict(diff, context)}`);
  return `${lines.join('\n')}\n`;
}
