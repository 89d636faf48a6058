/**
 * People's views of a shock scenario (`shock`): a terminal table and a markdown briefing. Shares are
 * of the importer's supply at each stage, quantities in the stage's unit.
 */
import type { ChalkInstance } from 'chalk';
import type { Stage } from '../domain/fields.js';
import type { Policy } from '../policy/policy.js';
import type { MaterialShock, ShockResult, StageShock } from '../metrics/shock.js';
import { fitTable, widthOf, wrapParagraph } from './fit.js';
import { policyLine } from './gaps-render.js';
import { formatQuantity, formatShare } from './numbers.js';
import { markdownCell, safeText } from './text.js';
import { STAGES } from '../domain/fields.js';

export interface ShockContext {
  chalk: ChalkInstance;
  countryName: (code: string) => string;
  policy: Policy;
  /** Terminal width for the table (see fit.ts); default 100. */
  width?: number;
}

/** Shortfall shares above these are coloured (and the material is named in the summary). */
export const SHORTFALL_BANDS = { high: 0.25, moderate: 0.05 } as const;

const HEADER = ['material', 'stage', 'year', 'lost', 'direct', 'via others', 'lost qty', 'replaceable', 'shortfall', 'short %', 'replacements'];
const RIGHT = new Set([2, 3, 4, 5, 6, 7, 8, 9]);

interface ShockRow {
  material: MaterialShock;
  stage: Stage;
  entry: StageShock;
}

function shockRows(result: ShockResult): ShockRow[] {
  return result.materials.flatMap((material) =>
    STAGES.flatMap((stage) => {
      const entry = material.stages[stage];
      return entry ? [{ material, stage, entry }] : [];
    }),
  );
}

function quantity(value: number, unit: string): string {
  return `${formatQuantity(value)} ${unit}`.trim();
}

function plan(entry: StageShock, max = 3): string {
  if (entry.lostQuantity <= 0) return '';
  if (entry.worldYear === null) return 'no production data';
  if (entry.plan.length === 0) return 'none eligible';
  const shown = entry.plan.slice(0, max).map((item) => `${item.country} ${formatQuantity(item.quantity)}`);
  return entry.plan.length > max ? `${shown.join(', ')} +${entry.plan.length - max}` : shown.join(', ');
}

function cells(row: ShockRow): string[] {
  const { entry } = row;
  // Shares of imports where the importer's own production is not known: a mark, and a note below.
  const year = entry.shareBase === 'imports' ? `${entry.year}*` : String(entry.year);
  return [
    row.material.material,
    row.stage,
    year,
    formatShare(entry.total),
    formatShare(entry.direct),
    formatShare(entry.viaRefiners),
    quantity(entry.lostQuantity, entry.unit),
    quantity(entry.replaceable, entry.unit),
    quantity(entry.shortfall, entry.unit),
    formatShare(entry.shortfallShare),
    plan(entry),
  ];
}

export function scenarioText(result: ShockResult, countryName: (code: string) => string): string {
  const { country, fraction, stage } = result.scenario;
  const stages = stage === 'all' ? 'mining and refining' : stage;
  return `${countryName(country)} (${country}) supply falls by ${formatShare(fraction)} · ${stages} · importer ${countryName(result.importer)} (${result.importer})`;
}

function summary(result: ShockResult, name: (code: string) => string): string[] {
  const rows = shockRows(result).filter((row) => row.entry.total > 0);
  if (rows.length === 0) {
    const where = unknownStages(result).length > 0 ? 'at the stages the data covers' : 'at the stages shown';
    return [`No supply of ${result.importer} comes from ${name(result.scenario.country)} (${result.scenario.country}) ${where}.`];
  }
  const short = rows.filter((row) => row.entry.shortfallShare > 0).slice(0, 5);
  const lines = short.map(
    (row) =>
      `${row.material.material} ${row.stage}: ${formatShare(row.entry.total)} of supply lost (${quantity(row.entry.lostQuantity, row.entry.unit)}), ` +
      `${quantity(row.entry.replaceable, row.entry.unit)} replaceable, ${formatShare(row.entry.shortfallShare)} of supply short.`,
  );
  const covered = rows.filter((row) => row.entry.shortfallShare === 0).map((row) => `${row.material.material} ${row.stage}`);
  if (covered.length > 0) lines.push(`Fully replaceable: ${covered.join(', ')}.`);
  return lines;
}

/** Stages with nothing lost are listed on one line rather than as rows of zeros. */
function unexposed(result: ShockResult): string | null {
  const rows = shockRows(result).filter((row) => row.entry.total <= 0);
  if (rows.length === 0) return null;
  return `Nothing lost (no supply from ${result.scenario.country}): ${rows.map((row) => `${row.material.material} ${row.stage}`).join(', ')}.`;
}

export function renderShockTable(result: ShockResult, context: ShockContext): string {
  const { chalk } = context;
  const width = widthOf(context);
  const para = (text: string, paint?: (line: string) => string, hang = 0): string[] => wrapParagraph(text, width, { hang, ...(paint ? { paint } : {}) });
  const name = (code: string): string => safeText(context.countryName(code));
  const rows = shockRows(result).filter((row) => row.entry.total > 0);
  const lines = [...para(`Shock: ${scenarioText(result, name)}`, (line) => chalk.bold(line), 2), ...para(policyLine(context.policy), undefined, 2), ''];
  if (rows.length === 0) lines.push(...summary(result, name).flatMap((line) => para(line, undefined, 2)));
  else {
    const tone = (row: number, text: string): string => {
      const share = rows[row]?.entry.shortfallShare ?? 0;
      return share > SHORTFALL_BANDS.high ? chalk.red.bold(text) : share > SHORTFALL_BANDS.moderate ? chalk.yellow(text) : text;
    };
    const columns = HEADER.map((title, i) => ({ title, align: RIGHT.has(i) ? ('right' as const) : ('left' as const) }));
    lines.push(...fitTable(columns, rows.map(cells), { width, key: 2, paint: (row, _column, text) => tone(row, text) }).lines);
    lines.push('', ...summary(result, name).flatMap((line) => para(line, undefined, 2)));
    const transit = rows.filter((row) => row.entry.transit > 0.0005);
    if (transit.length > 0) {
      lines.push(
        '',
        ...para(
          `Not counted (shipped by ${result.scenario.country} but produced elsewhere, assumed re-routable): ` +
            transit.map((row) => `${row.material.material} ${row.stage} ${formatShare(row.entry.transit)}`).join(', '),
          undefined,
          2,
        ),
      );
    }
    lines.push(
      '',
      ...para(
        'lost = direct + via others, as shares of supply. direct: produced (refining) or mined and shipped (mining) by the country; ' +
          'via others: its ore refined (refining) or re-exported (mining) by third countries. replaceable: spare capacity of eligible ' +
          'candidates under the policy; year*: supply not known (own production not known or imports partly covered), shares of recorded imports.',
        (line) => chalk.dim(line),
      ),
    );
  }
  const none = unexposed(result);
  if (none && rows.length > 0) lines.push(...para(none, (line) => chalk.dim(line), 2));
  const unknown = unknownLine(result);
  if (unknown) lines.push('', ...para(unknown, (line) => chalk.yellow(line), 2));
  return `${lines.join('\n')}\n`;
}

/** Stages whose trade the data does not cover: the shock there is unknown, which is not "nothing lost". */
export function unknownStages(result: ShockResult): string[] {
  return result.materials.flatMap((material) => material.unknown.map(({ stage }) => `${material.material} ${stage}`));
}

function unknownLine(result: ShockResult): string | null {
  const stages = unknownStages(result);
  if (stages.length === 0) return null;
  return `Unknown (the data does not cover ${result.importer}'s imports there, so the loss cannot be measured): ${stages.join(', ')}.`;
}

export function renderShockMarkdown(result: ShockResult, context: ShockContext): string {
  const rows = shockRows(result);
  const lines = [`## Supply shock: ${markdownCell(scenarioText(result, context.countryName))}`, '', markdownCell(policyLine(context.policy)), ''];
  lines.push(...summary(result, context.countryName).map((line) => `- ${markdownCell(line)}`), '');
  if (rows.length > 0) {
    lines.push(`| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, i) => (RIGHT.has(i) ? ' ---: ' : ' --- ')).join('|')}|`);
    for (const row of rows.filter((entry) => entry.entry.total > 0)) lines.push(`| ${cells(row).map(markdownCell).join(' | ')} |`);
    lines.push(
      '',
      "*lost* = *direct* + *via others*, shares of the importer's supply. *direct*: refined in (refining) or mined and shipped by (mining) the country; " +
        '*via others*: its ore refined or re-exported by third countries. *replaceable*: spare capacity of eligible candidates under the policy.',
    );
    const none = unexposed(result);
    if (none) lines.push('', markdownCell(none));
  }
  const unknown = unknownLine(result);
  if (unknown) lines.push('', markdownCell(unknown));
  return `${lines.join('\n')}\n`;
}
