/**
 * Views of a supply-chain trace (`trace`): a terminal table, Graphviz dot and a Mermaid flowchart
 * (GitHub renders ```mermaid blocks). Names come from data files, so every label is escaped for its
 * language: dot double-quoted strings (backslash, quote), Mermaid entity codes (#quot; style numeric
 * codes for anything but letters, digits and plain punctuation). Node ids are generated from the tier
 * and the validated country code, never from names.
 */
import type { ChalkInstance } from 'chalk';
import { OTHER, type Tier, type Trace, type TraceLink, type TraceNode } from '../metrics/trace.js';
import { formatQuantity, formatShare } from './numbers.js';
import { safeText } from './text.js';
import { fitTable, widthOf, wrapParagraph } from './fit.js';

export interface TraceContext {
  chalk: ChalkInstance;
  countryName: (code: string) => string;
  /** Terminal width for the table (see fit.ts); default 100. */
  width?: number;
}

const TIER_PREFIX: Record<Tier, string> = { origin: 'o', middle: 'm', importer: 'i' };

function nodeId(tier: Tier, country: string): string {
  return `${TIER_PREFIX[tier]}_${country === OTHER ? 'other' : country.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** How each kind of middle tier is named: its title, one of it, its note under the table and its diagram id. */
const MIDDLE_WORDS: Record<Trace['middle'], { title: string; one: string; note: string; id: string }> = {
  refiner: {
    title: 'Refining countries',
    one: 'refining country',
    note: 'Refining countries: where the metal was refined (traced through re-exports); each split by its ore feed.',
    id: 'refiners',
  },
  maker: {
    title: 'Magnet makers',
    one: 'magnet maker',
    note: "Magnet makers: where the magnets were made (traced through re-exports); each split by its refined feed, then by that feed's ore.",
    id: 'makers',
  },
  shipper: {
    title: 'Shipping countries',
    one: 'shipping country',
    note: 'Shipping countries: who shipped the ore to the importer; each split by the traced origin of its supply.',
    id: 'shippers',
  },
};

function tierTitles(trace: Trace): Record<Tier, string> {
  return {
    origin: 'Mine origins',
    middle: MIDDLE_WORDS[trace.middle].title,
    importer: 'Importer',
  };
}

function label(country: string, name: (code: string) => string, tier: Tier): string {
  if (country === OTHER) return tier === 'origin' ? 'Other origins and small flows' : 'Other (each below the threshold)';
  return `${name(country)} (${country})`;
}

function amount(trace: Trace, quantity: number, share: number): string {
  return `${formatQuantity(quantity)} ${trace.unit}`.trim() + ` · ${formatShare(share)}`;
}

function heading(trace: Trace, name: (code: string) => string): string {
  const base = trace.shareBase === 'imports' ? ' (imports only: own production not known or imports partly covered; shares are of recorded imports)' : '';
  return (
    `${trace.material} ${trace.stage} · supply of ${name(trace.importer)} (${trace.importer}) in ${trace.year}: ${formatQuantity(trace.supply)} ${trace.unit}`.trimEnd() +
    base
  );
}

function nodesOf(trace: Trace, tier: Tier): TraceNode[] {
  return trace.nodes.filter((node) => node.tier === tier);
}

function linksFrom(trace: Trace, tier: Tier): TraceLink[] {
  return trace.links.filter((link) => link.from.tier === tier);
}

export function renderTraceTable(trace: Trace, context: TraceContext): string {
  const name = (code: string): string => safeText(context.countryName(code));
  const { chalk } = context;
  const titles = tierTitles(trace);
  const who = (country: string, tier: Tier): string => (country === OTHER ? label(country, name, tier) : `${country} ${name(country)}`);
  const mark = (traced: boolean): string => (traced ? '' : 'untraced');
  const unit = (quantity: number): string => `${formatQuantity(quantity)} ${trace.unit}`.trim();
  const width = widthOf(context);
  const bold = (line: string): string => chalk.bold(line);
  const section = (title: string, header: string[], body: string[][]): string[] => {
    const columns = header.map((column, i) => ({
      title: column,
      align: i === header.length - 3 || i === header.length - 2 ? ('right' as const) : ('left' as const),
    }));
    return [...wrapParagraph(title, width, { hang: 2, paint: bold }), ...fitTable(columns, body, { width, indent: 2 }).lines, ''];
  };
  const lines = [...wrapParagraph(heading(trace, name), width, { hang: 2, paint: bold }), ''];
  lines.push(
    ...section(
      `${titles.middle} -> ${trace.importer}`,
      ['country', 'quantity', 'share', 'note'],
      nodesOf(trace, 'middle').map((node) => [who(node.country, 'middle'), unit(node.quantity), formatShare(node.share), mark(node.traced)]),
    ),
  );
  lines.push(
    ...section(
      titles.origin,
      ['country', 'quantity', 'share', 'note'],
      nodesOf(trace, 'origin').map((node) => [who(node.country, 'origin'), unit(node.quantity), formatShare(node.share), mark(node.traced)]),
    ),
  );
  lines.push(
    ...section(
      `Links: mine origin -> ${MIDDLE_WORDS[trace.middle].one}`,
      ['from', 'to', 'quantity', 'share', 'note'],
      linksFrom(trace, 'origin').map((link) => [
        who(link.from.country, 'origin'),
        who(link.to.country, 'middle'),
        unit(link.quantity),
        formatShare(link.share),
        mark(link.traced),
      ]),
    ),
  );
  const note = MIDDLE_WORDS[trace.middle].note;
  lines.push(
    ...wrapParagraph(
      `${note} Shares are of the importer's supply. Links below ${formatShare(trace.minShare)} folded into "other". "untraced": origin not known beyond this country.`,
      width,
      {
        paint: (line) => chalk.dim(line),
      },
    ),
  );
  return `${lines.join('\n')}\n`;
}

const UNTRACED_NOTE = 'ore origin not traced';

function titleLines(trace: Trace, name: (code: string) => string, line = 'dashed'): string[] {
  const untraced = trace.links.some((link) => !link.traced);
  return [heading(trace, name), ...(untraced ? [`${line}: origin not traced beyond this country`] : [])];
}

/** Links carrying at least this share of supply are drawn thick in Mermaid (it has no variable width). */
const THICK = 0.25;

/** A dot double-quoted string: backslashes and quotes escaped, control characters dropped. */
export function dotString(value: string): string {
  return `"${value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')}"`;
}

/** Several lines of a dot label, each escaped; joined with dot's own centred line break. */
function dotLabel(...parts: string[]): string {
  return parts.map((part) => dotString(part).slice(1, -1)).join('\\n');
}

export function renderTraceDot(trace: Trace, countryName: (code: string) => string): string {
  const titles = tierTitles(trace);
  const lines = [
    'digraph supply {',
    '  rankdir=LR;',
    `  graph [fontname="Helvetica", fontsize=12, nodesep=0.25, ranksep=1.6, labelloc=t, label="${dotLabel(...titleLines(trace, countryName))}"];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#f4f4f4", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9, color="#4a6fa5a0", arrowsize=0.6];',
  ];
  for (const tier of ['origin', 'middle'] as const) {
    lines.push(`  subgraph cluster_${tier} {`, `    label=${dotString(titles[tier])}; style=dashed; color="#999999";`);
    for (const node of nodesOf(trace, tier)) {
      const style = node.traced ? '' : ', style="rounded,filled,dashed"';
      const parts = [
        label(node.country, countryName, tier),
        amount(trace, node.quantity, node.share),
        ...(node.traced || tier !== 'origin' ? [] : [UNTRACED_NOTE]),
      ];
      lines.push(`    ${nodeId(tier, node.country)} [label="${dotLabel(...parts)}"${style}];`);
    }
    lines.push('  }');
  }
  lines.push(
    `  ${nodeId('importer', trace.importer)} [label="${dotLabel(label(trace.importer, countryName, 'importer'), `${formatQuantity(trace.supply)} ${trace.unit}`.trim())}", fillcolor="#dde8f5"];`,
  );
  for (const link of trace.links) {
    const width = (1 + 11 * link.share).toFixed(2);
    const style = link.traced ? '' : ', style=dashed';
    lines.push(
      `  ${nodeId(link.from.tier, link.from.country)} -> ${nodeId(link.to.tier, link.to.country)} [label="${dotLabel(amount(trace, link.quantity, link.share))}", penwidth=${width}${style}];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * Text inside a quoted Mermaid label: letters, digits, spaces and plain punctuation kept, anything
 * else (quotes, #, <, >, &, |, brackets, backticks, control characters) written as a #NNN; entity code.
 */
export function mermaidText(value: string): string {
  let result = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 32;
    if (code < 32 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) result += ' ';
    else if (/[\p{L}\p{N} .,()%·'/:_+-]/u.test(char)) result += char;
    else result += `#${code};`;
  }
  return result;
}

/** A YAML double-quoted scalar (JSON strings are valid YAML) for the front-matter title; no control characters. */
function yamlString(value: string): string {
  return JSON.stringify(value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' '));
}

export function renderTraceMermaid(trace: Trace, countryName: (code: string) => string): string {
  const titles = tierTitles(trace);
  const lines = ['---', `title: ${yamlString(titleLines(trace, countryName, 'dotted').join(' · '))}`, '---', 'flowchart LR'];
  const subgraphs: [Tier, string][] = [
    ['origin', 'origins'],
    ['middle', MIDDLE_WORDS[trace.middle].id],
  ];
  for (const [tier, id] of subgraphs) {
    lines.push(`  subgraph ${id}["${mermaidText(titles[tier])}"]`);
    for (const node of nodesOf(trace, tier)) {
      const note = node.traced || tier !== 'origin' ? '' : `<br/>${mermaidText(UNTRACED_NOTE)}`;
      lines.push(
        `    ${nodeId(tier, node.country)}["${mermaidText(label(node.country, countryName, tier))}<br/>${mermaidText(amount(trace, node.quantity, node.share))}${note}"]`,
      );
    }
    lines.push('  end');
  }
  lines.push(
    `  ${nodeId('importer', trace.importer)}["${mermaidText(label(trace.importer, countryName, 'importer'))}<br/>${mermaidText(`${formatQuantity(trace.supply)} ${trace.unit}`.trim())}"]`,
  );
  for (const link of trace.links) {
    const arrow = !link.traced ? '-.->' : link.share >= THICK ? '==>' : '-->';
    lines.push(
      `  ${nodeId(link.from.tier, link.from.country)} ${arrow}|"${mermaidText(amount(trace, link.quantity, link.share))}"| ${nodeId(link.to.tier, link.to.country)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
