/** Views of `supply-risk diff`: a terminal table, markdown and JSON of the changes between two datasets. */
import type { ChalkInstance } from 'chalk';
import { isChanged, type Change, type CountryChange, type Diff, type GapKey, type StageDiff } from '../metrics/diff.js';
import { envelopeHead, type ToolInfo } from './json.js';
import { clean, formatHhi, formatShare } from './numbers.js';
import { markdownCell } from './text.js';

function num(value: number | null): number | null {
  return value === null ? null : clean(value);
}

function changeJson(value: Change): Record<string, unknown> {
  return { base: num(value.base), current: num(value.current), change: num(value.change) };
}

function countryJson(value: CountryChange): Record<string, unknown> {
  return { baseCountry: value.baseCountry, country: value.country, ...changeJson(value) };
}

export function diffEnvelope(diff: Diff, context: { importer: string; base: string; data: string; tool: ToolInfo; warnings: readonly string[] }): Record<string, unknown> {
  return {
    ...envelopeHead(context.tool),
    importer: context.importer,
    base: context.base,
    data: context.data,
    failOnIncrease: diff.threshold,
    changed: diff.changed,
    exceeded: diff.exceeded,
    stages: diff.stages.map((entry) => ({
      material: entry.material,
      stage: entry.stage,
      status: entry.status,
      changed: isChanged(entry),
      worldHhi: changeJson(entry.worldHhi),
      worldTop: countryJson(entry.worldTop),
      importReliance: changeJson(entry.importReliance),
      supplierHhi: changeJson(entry.supplierHhi),
      topSupplier: countryJson(entry.topSupplier),
      topOrigin: countryJson(entry.topOrigin),
      risk: entry.risk,
      gapsAppeared: entry.gapsAppeared,
      gapsGone: entry.gapsGone,
      exceeded: entry.exceeded,
    })),
    warnings: [...context.warnings],
  };
}

function signed(value: number, format: (value: number) => string): string {
  const text = format(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : `±${text}`;
}

function hhiText(value: Change): string {
  if (value.base === null && value.current === null) return '';
  if (value.base === null) return `new ${formatHhi(value.current ?? 0)}`;
  if (value.current === null) return `gone (was ${formatHhi(value.base)})`;
  return `${formatHhi(value.base)} → ${formatHhi(value.current)} (${signed(value.change ?? 0, formatHhi)})`;
}

function shareText(value: Change): string {
  if (value.base === null && value.current === null) return '';
  if (value.base === null) return `new ${formatShare(value.current ?? 0)}`;
  if (value.current === null) return `gone (was ${formatShare(value.base)})`;
  const points = (value.change ?? 0) * 100;
  return `${formatShare(value.base)} → ${formatShare(value.current)} (${signed(points, (v) => `${v.toFixed(1)} pt`)})`;
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

const HEADER = ['material', 'stage', 'world HHI', 'world top', 'import reliance', 'supplier HHI', 'top supplier', 'top origin', 'risk', 'gaps'];

function rows(diff: Diff): { entry: StageDiff; cells: string[] }[] {
  return diff.stages.filter(isChanged).map((entry) => ({
    entry,
    cells: [
      entry.material,
      entry.status === 'both' ? entry.stage : `${entry.stage} (${entry.status})`,
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

function verdict(diff: Diff): string {
  if (diff.threshold === null) return '';
  return diff.exceeded > 0
    ? `FAIL: supplier HHI rose by more than ${formatHhi(diff.threshold)} points in ${diff.exceeded} stage${diff.exceeded === 1 ? '' : 's'} (marked !)`
    : `PASS: no supplier HHI rose by more than ${formatHhi(diff.threshold)} points`;
}

export function renderDiffTable(diff: Diff, context: { chalk: ChalkInstance; base: string; data: string }): string {
  const body = rows(diff);
  const lines = [context.chalk.bold(`Changes from ${context.base} to ${context.data}`), ''];
  if (body.length === 0) lines.push('No change in any material or stage.');
  else {
    const widths = HEADER.map((title, i) => Math.max(title.length, ...body.map((row) => row.cells[i]?.length ?? 0)));
    const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
    lines.push(line(HEADER), line(widths.map((width) => '-'.repeat(width))));
    for (const row of body) lines.push(row.entry.exceeded ? context.chalk.red(line(row.cells)) : line(row.cells));
    const same = diff.stages.length - body.length;
    if (same > 0) lines.push('', context.chalk.dim(`${same} other stage${same === 1 ? '' : 's'} unchanged.`));
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
  }
  const result = verdict(diff);
  if (result) lines.push('', `**${result}**`);
  return `${lines.join('\n')}\n`;
}
