/** The report as a markdown table, for briefings, pull-request comments and wikis. */
import type { Analysis } from '../metrics/analysis.js';
import { nothingTraced } from '../metrics/importer.js';
import { formatHhi, formatQuantity, formatReliance, formatShare } from './numbers.js';
import { markdownCell } from './text.js';
import { STAGES } from '../domain/fields.js';

const HEADER = [
  'Material',
  'Stage',
  'World year',
  'World production',
  'Top producer',
  'World HHI',
  'Importer year',
  'Import reliance',
  'Top supplier',
  'Supplier HHI',
  'Top mine origin',
];

function ofBase(text: string, base: 'supply' | 'imports'): string {
  return base === 'imports' && text !== '' ? `${text} of imports` : text;
}

export function renderMarkdown(analysis: Analysis, countryName: (code: string) => string): string {
  const who = (code: string | undefined, share: number | undefined): string =>
    code === undefined || share === undefined ? '' : `${countryName(code)} (${code}) ${formatShare(share)}`;
  const lines = [
    `## Supply risk for ${markdownCell(countryName(analysis.importer))} (${analysis.importer})`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map((_, i) => (i >= 2 ? ' ---: ' : ' --- ')).join('|')}|`,
  ];
  for (const material of analysis.materials) {
    for (const stage of STAGES) {
      const entry = material.stages[stage];
      if (!entry) continue;
      const { world, importer } = entry;
      const cells = [
        material.material,
        stage,
        world ? String(world.year) : 'no data',
        world ? `${formatQuantity(world.total)} ${world.unit}` : '',
        who(world?.top?.country, world?.top?.share),
        world ? formatHhi(world.hhi) : '',
        importer ? String(importer.year) : 'no data',
        importer ? formatReliance(importer.importRelianceRange) : '',
        importer?.low ? ofBase(who(importer.topSupplier?.country, importer.topSupplier?.share), importer.shareBase) : importer ? 'unknown' : '',
        importer ? (importer.supplierHhi === null ? 'unknown' : formatHhi(importer.supplierHhi)) : '',
        importer?.low
          ? nothingTraced(importer)
            ? 'unknown (not traced)'
            : ofBase(who(importer.topOrigin?.country, importer.topOrigin?.share), importer.shareBase)
          : importer
            ? 'unknown'
            : '',
      ];
      lines.push(`| ${cells.map(markdownCell).join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
