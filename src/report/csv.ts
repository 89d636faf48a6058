/**
 * The report as CSV: one row per material and stage, for spreadsheets and data pipelines. A value the
 * data cannot support is an empty cell, never a 0; `unknown` names what is missing.
 */
import type { Analysis } from '../metrics/analysis.js';
import { clean } from './numbers.js';
import { csvCell, csvNumber } from './text.js';
import { STAGES } from '../domain/fields.js';

export const CSV_COLUMNS = [
  'material',
  'stage',
  'unit',
  'world_year',
  'world_total',
  'world_producers',
  'world_hhi',
  'world_top_country',
  'world_top_share',
  'world_cr3',
  'world_hhi_wgi',
  'world_unattributed_share',
  'importer',
  'importer_year',
  'unknown',
  'share_base',
  'production',
  'production_low',
  'production_high',
  'imports',
  'exports',
  'supply',
  'import_reliance',
  'import_reliance_low',
  'import_reliance_high',
  'supplier_hhi',
  'top_supplier_country',
  'top_supplier_share',
  'top_origin_country',
  'top_origin_share',
  'untraced_share',
  'geopol_risk',
] as const;

export function renderCsv(analysis: Analysis): string {
  const lines = [CSV_COLUMNS.join(',')];
  const num = (value: number | null | undefined): string => csvNumber(value === undefined || value === null ? null : clean(value));
  const str = (value: string | null | undefined): string => csvCell(value ?? '');
  for (const material of analysis.materials) {
    for (const stage of STAGES) {
      const entry = material.stages[stage];
      if (!entry) continue;
      const { world, importer } = entry;
      lines.push(
        [
          str(material.material),
          str(stage),
          str(world?.unit ?? importer?.unit),
          num(world?.year),
          num(world?.total),
          num(world?.producers),
          num(world?.hhi),
          str(world?.top?.country),
          num(world?.top?.share),
          num(world?.cr3),
          num(world?.hhiWgi),
          num(world?.unattributedShare),
          str(analysis.importer),
          num(importer?.year),
          str(importer?.unknown.join(';')),
          str(importer?.shareBase),
          num(importer?.production),
          num(importer?.productionRange[0]),
          num(importer?.productionRange[1]),
          num(importer?.imports),
          num(importer?.exports),
          num(importer?.supply),
          num(importer?.importReliance),
          num(importer?.importRelianceRange?.[0]),
          num(importer?.importRelianceRange?.[1]),
          num(importer?.supplierHhi),
          str(importer?.topSupplier?.country),
          num(importer?.topSupplier?.share),
          str(importer?.topOrigin?.country),
          num(importer?.topOrigin?.share),
          num(importer?.untracedShare),
          num(importer?.geopolRisk),
        ].join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
