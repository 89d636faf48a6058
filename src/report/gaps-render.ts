/**
 * People's views of the gaps: a terminal table (`gaps`, `check`), markdown for pull-request comments
 * and $GITHUB_STEP_SUMMARY, and GitHub workflow annotations (`check --format github`).
 */
import type { ChalkInstance } from 'chalk';
import type { Policy } from '../policy/policy.js';
import { isOpen, type AcceptState, type Assessment, type Gap } from '../metrics/gaps.js';
import { fitTable, widthOf, wrapParagraph, type FitColumn } from './fit.js';
import { formatHhi, formatQuantity, formatShare } from './numbers.js';
import { markdownCell, safeText } from './text.js';
import { escapeControls, type Problem } from '../domain/problems.js';

export interface GapsContext {
  chalk: ChalkInstance;
  countryName: (code: string) => string;
  importer: string;
  policy: Policy;
  /** Terminal width for the table views (see fit.ts); default 100. */
  width?: number;
}

const BASIS_LABEL: Record<Gap['basis'], string> = {
  supplier: 'single supplier',
  hhi: 'supplier concentration',
  origin: 'single mine origin',
};

function who(code: string, context: GapsContext): string {
  return `${code} ${safeText(context.countryName(code))}`;
}

/** "78.0% > 65.0%" or "HHI 3,600 > 2,500". */
export function breachText(gap: Gap): string {
  if (gap.basis === 'hhi') return `HHI ${formatHhi(gap.value)} > ${formatHhi(gap.limit)}`;
  return `${formatShare(gap.share)} > ${formatShare(gap.limit)}`;
}

export function planText(gap: Gap, max = 4): string {
  if (gap.plan.length === 0) return gap.productionYear === null ? 'no production data' : 'none eligible';
  const shown = gap.plan.slice(0, max).map((entry) => `${entry.country} ${formatQuantity(entry.quantity)}`);
  return gap.plan.length > max ? `${shown.join(', ')} +${gap.plan.length - max} more` : shown.join(', ');
}

/**
 * The plan's premium in USD at trade unit values: "+100,000" (a premium), "-20,000" (a saving),
 * "unknown" when a unit value it needs is missing (never 0), "n/a" for the origin basis or no plan.
 */
export function premiumText(gap: Gap): string {
  const premium = gap.price?.premiumUsd;
  if (!gap.price || gap.plan.length === 0 || premium === undefined) return 'n/a';
  if (premium === null) return 'unknown';
  const rounded = formatQuantity(Math.abs(premium));
  return rounded === '0' ? '0' : `${premium > 0 ? '+' : '-'}${rounded}`;
}

/**
 * The plan at trade unit values, one sentence: each purchase at the candidate's unit value (marked
 * where it is the candidate's export unit value, as it does not supply the importer yet), the
 * purchases it displaces at what the importer pays now, and the premium or saving. Null when the
 * gap has no price (origin basis) or no plan.
 */
export function priceSentence(gap: Gap, importer = 'the importer'): string | null {
  const price = gap.price;
  if (!price || gap.plan.length === 0) return null;
  const unit = gap.unit ? ` ${gap.unit}` : '';
  const at = (country: string): string => {
    const value = price.unitValues[country] ?? null;
    return value === null ? 'unknown' : formatQuantity(value);
  };
  const exported = gap.plan.filter((entry) => price.sources[entry.country] === 'exports').map((entry) => entry.country);
  const exportsNote =
    exported.length === 0
      ? ''
      : ` ${exported.join(', ')} ${exported.length === 1 ? 'does' : 'do'} not supply ${importer} yet: ${exported.length === 1 ? 'its unit value is that of its' : 'theirs are those of their'} exports to every buyer.`;
  const line = (entry: { country: string; quantity: number }): string => `${entry.country} ${formatQuantity(entry.quantity)}${unit} at ${at(entry.country)}`;
  const displaced = gap.cuts.length > 0 ? `, instead of ${gap.cuts.map(line).join(', ')}` : '';
  const premium = price.premiumUsd;
  const head = `Price, estimated from trade unit values (USD per${unit || ' unit'})`;
  const countries = Object.keys(price.unitValues);
  if (countries.every((country) => price.unitValues[country] == null)) return `${head}: unknown (${price.reason ?? 'no unit value'}).`;
  const total =
    premium === null
      ? `premium unknown (${price.reason ?? 'a unit value is missing'})`
      : `${premium >= 0 ? `a premium of USD ${formatQuantity(premium)}` : `a saving of USD ${formatQuantity(-premium)}`} at ${gap.year} volumes`;
  return `${head}: ${gap.plan.map(line).join(', ')}${displaced}: ${total}.${exportsNote}`;
}

export function afterText(gap: Gap): string {
  const hhi = `HHI ${formatHhi(gap.hhiAfter)}${gap.basis === 'origin' ? ' (origins)' : ''}`;
  return `${gap.country} ${formatShare(gap.shareAfter)}, ${hhi}`;
}

/** One sentence a policy analyst can act on. */
export function gapSentence(gap: Gap, context: GapsContext): string {
  const unit = gap.unit ? ` ${gap.unit}` : '';
  const subject =
    gap.basis === 'origin'
      ? `${formatShare(gap.share)} of ${context.importer}'s ${gap.material} ${gap.stage} supply was mined in ${who(gap.country, context)}`
      : gap.basis === 'hhi'
        ? `${context.importer}'s ${gap.material} ${gap.stage} suppliers are concentrated (HHI ${formatHhi(gap.value)}, limit ${formatHhi(gap.limit)}; largest ${who(gap.country, context)} ${formatShare(gap.share)})`
        : `${who(gap.country, context)} supplies ${formatShare(gap.share)} of ${context.importer}'s ${gap.material} ${gap.stage} (limit ${formatShare(gap.limit)})`;
  const move = `${formatQuantity(gap.excess)}${unit} (${formatShare(gap.severity)} of supply) must come from elsewhere`;
  const noData = gap.productionYear === null;
  const plan =
    gap.plan.length > 0
      ? `; proposed: ${planText(gap, 6)}`
      : noData
        ? `; no ${gap.basis === 'origin' ? 'mine' : gap.stage} production data to find candidates`
        : '; no eligible candidate';
  const unfilled = gap.unfilled > 0 ? `; ${formatQuantity(gap.unfilled)}${unit} unfilled${noData ? ' (candidates unknown)' : ' (structural)'}` : '';
  const possible = gap.certainty === 'possible' ? `Possible (${context.importer}'s own production is not known, shares are of imports): ` : '';
  return `${possible}${subject}: ${move}${plan}${unfilled}.`;
}

const HEADER = [
  '#',
  'material',
  'stage',
  'basis',
  'dominant',
  'breach',
  'to move',
  'proposed suppliers',
  'unfilled',
  'after plan',
  'premium USD (est.)',
  'status',
];

function rows(gaps: readonly Gap[], context: GapsContext, markdown: boolean): string[][] {
  const country = (code: string): string => (markdown ? `${context.countryName(code)} (${code})` : who(code, context));
  return gaps.map((gap, i) => [
    String(i + 1),
    gap.material,
    `${gap.stage} ${gap.year}`,
    BASIS_LABEL[gap.basis],
    `${country(gap.country)} ${formatShare(gap.share)}`,
    breachText(gap),
    `${formatQuantity(gap.excess)} ${gap.unit}`.trim(),
    planText(gap),
    gap.unfilled > 0 ? `${formatQuantity(gap.unfilled)} ${gap.unit}`.trim() : '0',
    afterText(gap),
    premiumText(gap),
    gap.accepted ? 'accepted' : gap.certainty === 'possible' ? 'possible' : 'open',
  ]);
}

/** Stages whose trade the data does not cover: never "no gap". */
function unknownNote(assessment: Assessment): string | null {
  const stages = assessment.stages.filter((stage) => stage.risk === 'unknown').map((stage) => `${stage.material} ${stage.stage}`);
  if (stages.length === 0) return null;
  return `Not assessed (the data does not cover the importer's trade there, so a gap can be neither found nor ruled out): ${stages.join(', ')}.`;
}

function noGapsText(assessment: Assessment): string {
  return assessment.stages.some((stage) => stage.risk === 'unknown')
    ? 'No gaps among the stages the data covers.'
    : 'No gaps: every material and stage is within the policy limits.';
}

/** Columns that never wrap: the row number and quantities (a figure stays with its unit). */
const KEEP_WHOLE = new Set(['#', 'to move', 'unfilled', 'premium USD (est.)']);

/** The gaps as a table fitted to `width`; rows too wide even wrapped become blocks headed "# material stage". */
function textTable(header: string[], body: string[][], width: number, paint: (row: number, text: string) => string): string[] {
  const columns: FitColumn[] = header.map((title) => ({ title, wrap: !KEEP_WHOLE.has(title) }));
  return fitTable(columns, body, { width, key: 3, paint: (row, _column, text) => paint(row, text) }).lines;
}

export function policyLine(policy: Policy): string {
  const groups =
    (policy.partnerGroups.length > 0 ? `, partners ${policy.partnerGroups.join('/')}` : '') +
    (policy.excludeCountries.length > 0 ? `, never ${policy.excludeCountries.join('/')}` : '');
  const overrides = Object.keys(policy.materials).length > 0 ? `, overrides for ${Object.keys(policy.materials).join(', ')}` : '';
  return (
    `Policy: one supplier <= ${formatShare(policy.maxSingleCountryShare)}, supplier HHI <= ${formatHhi(policy.maxSupplierHhi)}, ` +
    `buy <= ${formatShare(policy.maxRedirectShare)} of a candidate's output, candidates WGI >= ${policy.minGovernance}${groups}${overrides}`
  );
}

export function renderGapsTable(assessment: Assessment, context: GapsContext): string {
  const { chalk } = context;
  const width = widthOf(context);
  const gaps = assessment.gaps;
  const lines = [
    ...wrapParagraph(`Diversification gaps for ${safeText(context.countryName(context.importer))} (${context.importer})`, width, {
      paint: (line) => chalk.bold(line),
    }),
    ...wrapParagraph(policyLine(context.policy), width, { hang: 2 }),
    '',
  ];
  if (gaps.length === 0) lines.push(...wrapParagraph(noGapsText(assessment), width));
  else {
    lines.push(
      ...textTable(HEADER, rows(gaps, context, false), width, (i, text) => {
        const gap = gaps[i];
        if (gap?.accepted) return chalk.dim(text);
        return gap && gap.unfilled > 0 ? chalk.red(text) : text;
      }),
    );
    lines.push('');
    gaps.forEach((gap, i) => {
      const price = priceSentence(gap, context.importer);
      const sentence = `${i + 1}. ${gapSentence(gap, context)}${price ? ` ${price}` : ''}${gap.accepted ? ` Accepted: ${safeText(gap.acceptReason ?? '')}` : ''}`;
      lines.push(...wrapParagraph(sentence, width, { hang: `${i + 1}. `.length }));
    });
    lines.push(
      '',
      ...wrapParagraph(
        '"to move": volume that must come from elsewhere, supply unchanged. "unfilled": what no eligible candidate can take (structural). ' +
          '"possible": holds only if the importer\'s unknown own production is small; figures at the low end. ' +
          '"premium USD (est.)": what the plan\'s purchases cost more (+) or less (-) than those they displace, at trade unit values ' +
          '(customs value per unit, an estimate, not a price quote); "unknown" where a unit value is missing.',
        width,
        { paint: (line) => chalk.dim(line) },
      ),
    );
  }
  const unknown = unknownNote(assessment);
  if (unknown) lines.push('', ...wrapParagraph(unknown, width, { paint: (line) => chalk.yellow(line) }));
  return `${lines.join('\n')}\n`;
}

function acceptNote(state: AcceptState): string {
  const entry = state.entry;
  const scope = [entry.material, entry.stage, entry.basis, entry.country].filter((part) => part !== undefined).join(' ');
  if (state.status === 'expired')
    return `accept[${state.index}] (${scope}) expired on ${entry.expires}${state.matched > 0 ? '; its gap counts again' : ' and matches nothing; remove it'}`;
  if (state.status === 'stale') return `accept[${state.index}] (${scope}) matches no gap; remove it (stale)`;
  return `accept[${state.index}] (${scope}) accepts ${state.matched} gap${state.matched === 1 ? '' : 's'}${entry.expires ? ` until ${entry.expires}` : ''}`;
}

export function acceptWarnings(assessment: Assessment): string[] {
  return assessment.accepts.filter((state) => state.status !== 'active').map(acceptNote);
}

export function renderCheckTable(assessment: Assessment, context: GapsContext): string {
  const failing = assessment.gaps.filter(isOpen);
  const verdict = failing.length === 0 ? context.chalk.green('PASS') : context.chalk.red.bold('FAIL');
  const accepted = assessment.gaps.filter((gap) => gap.accepted).length;
  const possible = assessment.gaps.filter((gap) => !gap.accepted && gap.certainty === 'possible').length;
  const summary = `${verdict}: ${failing.length} open gap${failing.length === 1 ? '' : 's'}, ${accepted} accepted${possible > 0 ? `, ${possible} possible` : ''}`;
  const notes = assessment.accepts.flatMap((state) => wrapParagraph(`  ${acceptNote(state)}`, widthOf(context), { hang: 4 }));
  return `${renderGapsTable(assessment, context)}\n${summary}\n${notes.length > 0 ? `Accepted risks:\n${notes.join('\n')}\n` : ''}`;
}

export function renderGapsMarkdown(assessment: Assessment, context: GapsContext, check = false): string {
  const gaps = assessment.gaps;
  const failing = gaps.filter(isOpen).length;
  const title = check
    ? `## supply-risk check: ${failing === 0 ? 'passed' : `failed, ${failing} open gap${failing === 1 ? '' : 's'}`}`
    : `## Diversification gaps for ${markdownCell(context.countryName(context.importer))} (${context.importer})`;
  const lines = [title, '', markdownCell(policyLine(context.policy)), ''];
  if (gaps.length === 0) lines.push(noGapsText(assessment));
  else {
    lines.push(`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => ' --- ').join('|')}|`);
    for (const row of rows(gaps, context, true)) lines.push(`| ${row.map(markdownCell).join(' | ')} |`);
    lines.push(
      '',
      ...gaps.map((gap, i) => {
        const price = priceSentence(gap, context.importer);
        return `${i + 1}. ${markdownCell(gapSentence(gap, context))}${price ? ` ${markdownCell(price)}` : ''}${gap.accepted ? ` *Accepted: ${markdownCell(gap.acceptReason ?? '')}*` : ''}`;
      }),
    );
  }
  const unknown = unknownNote(assessment);
  if (unknown) lines.push('', markdownCell(unknown));
  const notes = assessment.accepts.filter((state) => state.status !== 'active');
  if (notes.length > 0) lines.push('', '**Accept entries to review**', '', ...notes.map((state) => `- ${markdownCell(acceptNote(state))}`));
  return `${lines.join('\n')}\n`;
}

/** GitHub's workflow-command escaping: data (%, CR, LF) and properties (also : and ,). */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A problem of the input as a workflow command: `::error file=data/trade.csv,line=187,col=6::message`
 * (file as the problem names it: the CLI makes data paths relative to the working directory).
 */
export function problemAnnotation(problem: Problem): string {
  const where = [`file=${escapeProperty(problem.file)}`];
  if (problem.line !== undefined) where.push(`line=${problem.line}`);
  if (problem.line !== undefined && problem.column !== undefined) where.push(`col=${problem.column}`);
  return `::error ${where.join(',')}::${escapeData(escapeControls(problem.message))}`;
}

/** `check --format github`: an annotation per gap, accept entry to review and data warning (unless --quiet). */
export function renderGithub(
  assessment: Assessment,
  context: GapsContext,
  files: { trade: string; policy: string | null },
  warnings: readonly string[] = [],
): string {
  const lines: string[] = [];
  for (const gap of assessment.gaps) {
    const level = gap.accepted ? 'notice' : gap.certainty === 'possible' ? 'warning' : 'error';
    const title = `${gap.material} ${gap.stage}: ${BASIS_LABEL[gap.basis]} ${gap.country} ${breachText(gap)}`;
    const suffix = gap.accepted ? ` Accepted: ${gap.acceptReason ?? ''}` : '';
    lines.push(`::${level} file=${escapeProperty(files.trade)},title=${escapeProperty(title)}::${escapeData(gapSentence(gap, context) + suffix)}`);
  }
  for (const state of assessment.accepts.filter((entry) => entry.status !== 'active')) {
    const where = files.policy ? `file=${escapeProperty(files.policy)},` : '';
    lines.push(`::warning ${where}title=${escapeProperty(`accept entry ${state.status}`)}::${escapeData(acceptNote(state))}`);
  }
  for (const warning of warnings) lines.push(`::warning title=supply-risk::${escapeData(warning)}`);
  const failing = assessment.gaps.filter(isOpen).length;
  const accepted = assessment.gaps.filter((gap) => gap.accepted).length;
  lines.push(`supply-risk check: ${failing === 0 ? 'passed' : 'failed'}, ${failing} open gap${failing === 1 ? '' : 's'}, ${accepted} accepted`);
  return `${lines.join('\n')}\n`;
}
