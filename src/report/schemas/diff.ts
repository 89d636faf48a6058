/**
 * `supply-risk diff --base DIR --format json`: what changed between the report on --base and on
 * --data, and the findings the gate classifies (metrics/diff.ts). Also the findings `check
 * --baseline` prints. Kept in its own module: whoever changes diff-render's JSON changes this
 * contract beside it.
 */
import { z } from 'zod';
import { countryCode, envelopeHead, fraction, gapBasis, hhi, materialName, riskLevel, stageName, warnings, year } from './common.js';

const unknownPart = z.enum(['trade', 'exports', 'production']);
const condition = z.enum(['new-gap', 'worse-gap', 'risk-up', 'unknown', 'reliance-up', 'hhi-up', 'geopol-up']);

const change = (what: string, value: z.ZodNumber = z.number()) =>
  z
    .strictObject({
      base: value.nullable().describe(`${what} on --base; null when that side has none or it is unknown.`),
      current: value.nullable().describe(`${what} on --data; null when that side has none or it is unknown.`),
      change: z.number().nullable().describe('current - base; null when either side is missing.'),
    })
    .describe(`${what}, before and after.`);

const countryChange = (what: string) =>
  z
    .strictObject({
      baseCountry: countryCode.nullable().describe('The country on --base; null when that side has none.'),
      country: countryCode.nullable().describe('The country on --data; null when that side has none.'),
      base: fraction.nullable().describe('Its share on --base; null when that side has none.'),
      current: fraction.nullable().describe('Its share on --data; null when that side has none.'),
      change: z.number().nullable().describe('current - base (the countries may differ); null when either side is missing.'),
    })
    .describe(`${what}, before and after.`);

const yearChange = (what: string) =>
  z
    .strictObject({
      base: year.nullable().describe(`Year of the ${what} on --base; null when that side has none.`),
      current: year.nullable().describe(`Year of the ${what} on --data; null when that side has none.`),
    })
    .describe(`Year of the ${what} on each side.`);

const gapKey = z
  .strictObject({
    basis: gapBasis.describe('The limit broken.'),
    country: countryCode.describe('The dominant country of the gap.'),
  })
  .describe('A gap, by basis and country.');

const gapState = (side: string) =>
  z
    .strictObject({
      certainty: z.enum(['certain', 'possible']).describe('certain: holds over the whole range of own production; possible: over part of it.'),
      accepted: z.boolean().describe('True when an unexpired accept entry matches the gap.'),
      share: fraction.describe("The dominant country's share of the importer's supply."),
      value: z.number().min(0).max(10000).describe('The value compared with the limit: the share, or the supplier HHI.'),
      limit: z.number().min(0).max(10000).describe('The policy limit broken.'),
      excess: z.number().min(0).describe('Volume that must come from elsewhere, in unit.'),
      severity: fraction.describe('excess / supply.'),
      unit: z.string().describe('Unit of the quantities.'),
      year: year.describe('Year of the importer block the gap was found in.'),
    })
    .nullable()
    .describe(`The gap on ${side}; null when that side does not have it.`);

const gapChange = z
  .strictObject({
    ...gapKey.shape,
    base: gapState('--base'),
    current: gapState('--data'),
  })
  .describe('One gap (basis and country) on both sides.');

const figure = z.union([z.number(), z.string()]).nullable();

export const findingSchema = z
  .strictObject({
    material: materialName,
    stage: stageName.describe('Supply-chain stage.'),
    category: z.enum(['new', 'worse', 'improved', 'resolved']).describe('What happened, relative to --base (or --baseline).'),
    condition: condition.describe('The rule the finding belongs to (an improvement names the rule it is the reverse of).'),
    fails: z.boolean().describe('True when the rules in force (--fail-on, check --baseline) make this finding fail the gate.'),
    gap: gapChange.optional().describe('Gap findings (new-gap, worse-gap): the gap on both sides.'),
    base: figure.optional().describe('Figure findings: the value on the base side (a risk level, or a number); null when absent.'),
    current: figure.optional().describe('Figure findings: the value on the current side; null when absent.'),
    parts: z.array(unknownPart).optional().describe('Unknown findings: the parts of the importer block that became unknown (or known).'),
    removed: z.literal(true).optional().describe('Unknown findings: present (true) when the stage is gone altogether.'),
    unchecked: z.array(gapKey).optional().describe("Unknown findings: the base's certain gaps that can no longer be checked."),
    text: z.string().describe('The finding as one sentence, as the table and markdown print it.'),
  })
  .describe('A change the gate classifies: new, worse, improved or resolved.');

export const diffSchema = z
  .strictObject({
    ...envelopeHead,
    importer: countryCode.describe('The importing country, ISO 3166-1 alpha-3.'),
    base: z.string().describe('The --base folder, as given.'),
    data: z.string().describe('The --data folder, as given, or "the embedded data".'),
    failOnIncrease: z.number().nullable().describe('The supplier-HHI threshold in points (--fail-on-increase, or hhi-up in --fail-on); null when not given.'),
    failOn: z.array(z.string()).describe('The conditions that fail, as --fail-on writes them (e.g. "worse-gap:2", "hhi-up:100"); empty when nothing fails.'),
    tolerance: fraction.describe("Share points of supply (a fraction) a gap's severity may change before it counts as worse or improved."),
    changed: z.number().int().min(0).describe('Stages whose figures or gaps changed.'),
    exceeded: z.number().int().min(0).describe('Stages whose supplier HHI rose by more than failOnIncrease.'),
    failing: z.number().int().min(0).describe('Findings that fail under failOn (exit code 1 when above 0).'),
    passed: z.boolean().describe('True when no finding fails.'),
    stages: z
      .array(
        z
          .strictObject({
            material: materialName,
            stage: stageName.describe('Supply-chain stage.'),
            status: z.enum(['added', 'removed', 'both']).describe('added: only on --data; removed: only on --base; both: on both sides.'),
            changed: z.boolean().describe('True when a figure or a gap of the stage changed.'),
            worldYear: yearChange('world block'),
            importerYear: yearChange('importer block'),
            worldHhi: change('World production HHI', hhi),
            worldTop: countryChange('The top producer and its share of world production'),
            supply: change("The importer's supply S = P + I (null when own production is not exactly known)", z.number().min(0)),
            imports: change("The importer's imports", z.number().min(0)),
            importReliance: change('Import reliance', fraction),
            supplierHhi: change('Supplier HHI', hhi),
            topSupplier: countryChange('The top supplier and its share'),
            topOrigin: countryChange('The top mine origin and its share'),
            geopolRisk: change('GeoPolRisk', fraction),
            unknown: z
              .strictObject({
                base: z.array(unknownPart).nullable().describe('Unknown parts of the importer block on --base; null without an importer block.'),
                current: z.array(unknownPart).nullable().describe('Unknown parts of the importer block on --data; null without an importer block.'),
              })
              .describe('What the importer block does not know, on each side.'),
            risk: z
              .strictObject({
                base: riskLevel.nullable().describe('Risk level on --base; null when the stage is not there.'),
                current: riskLevel.nullable().describe('Risk level on --data; null when the stage is not there.'),
              })
              .describe('The risk level, before and after.'),
            gaps: z.array(gapChange).describe('Every gap of either side.'),
            gapsAppeared: z.array(gapKey).describe('Gaps on --data that --base did not have.'),
            gapsGone: z.array(gapKey).describe('Gaps on --base that --data no longer has.'),
            findings: z.array(findingSchema).describe('New, worse, improved and resolved findings, in that order.'),
            exceeded: z.boolean().describe('True when the supplier HHI rose by more than failOnIncrease.'),
          })
          .describe('One material and stage, on either side.'),
      )
      .describe('Every material and stage of either side, changed or not.'),
    warnings,
  })
  .meta({
    title: 'supply-risk diff --format json',
    description: 'Changes between the report on --base DIR and on --data: figures, years, unknowns, risk, gaps, and the findings the gate classifies.',
  });
