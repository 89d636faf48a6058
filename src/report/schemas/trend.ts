/** `supply-risk trend --format json`: yearly (or rolling-mean) series per material and stage. */
import { z } from 'zod';
import { countryCode, envelopeHead, fraction, hhi, materialName, shareBase, warnings, year } from './common.js';

const trendPoint = z
  .strictObject({
    year: year.describe('The year.'),
    worldHhi: hhi.nullable().describe('HHI of world production; null without production figures that year.'),
    topProducer: countryCode.nullable().describe('The largest producer that year; null without production figures.'),
    topProducerShare: fraction.nullable().describe('Its share of world production; null without production figures.'),
    importReliance: fraction
      .nullable()
      .describe("The importer's import reliance; null when its trade is unknown that year, it neither imports nor produces, or it is known only as a range."),
    importRelianceRange: z
      .tuple([fraction, fraction])
      .nullable()
      .describe('[low, high] of import reliance over what the data does not know (equal ends when exact); null when the trade is unknown that year.'),
    topSupplier: countryCode.nullable().describe('The largest foreign supplier; null as importReliance, or with no foreign supplier.'),
    topSupplierShare: fraction.nullable().describe("Its share of the importer's supply (see shareBase)."),
    topOrigin: countryCode.nullable().describe('The largest mine origin; null also when origins cannot be traced that year.'),
    topOriginShare: fraction.nullable().describe("Its share of the importer's supply (see shareBase)."),
    shareBase: shareBase.nullable().describe("What the importer's shares are of that year: supply (P + I) or imports; null without an importer block."),
    productionSource: z
      .string()
      .nullable()
      .describe(
        'Publisher of that year\'s world production rows (the source column\'s text before its first comma, e.g. "USGS MCS 2024"; "; " between several); null without production rows or a source column.',
      ),
    sourceChanged: z
      .strictObject({
        from: z.string().describe('Publisher of the world production of the year with figures before this one.'),
        to: z.string().describe("Publisher of this year's world production."),
      })
      .nullable()
      .describe(
        "Set on the first year whose world production comes from another publication than the year with figures before it (a new edition of the same publication is not a change); a step in worldHhi or topProducerShare there may be the sources', not the market's. Null otherwise.",
      ),
  })
  .describe('One year (a rolling mean with --average > 1); a value the data cannot give is null, never 0.');

const change = (what: string) => z.number().nullable().describe(`Last minus first value shown of ${what}; null with fewer than two values.`);

const stageTrend = z
  .strictObject({
    unit: z.string().describe("Unit of the stage's quantities."),
    change: z
      .strictObject({
        worldHhi: change('world HHI (HHI points)'),
        topProducerShare: change("the top producer's share"),
        importReliance: change('import reliance'),
        topSupplierShare: change("the top supplier's share"),
        topOriginShare: change("the top origin's share"),
      })
      .describe('Change over the period, per series.'),
    years: z.array(trendPoint).describe('One point per year from the first to the last year with data, gaps included.'),
  })
  .describe('The series of one stage.');

export const trendSchema = z
  .strictObject({
    ...envelopeHead,
    importer: countryCode.describe('The importing country, ISO 3166-1 alpha-3.'),
    from: year.nullable().describe('First year shown; null when the data has no year.'),
    to: year.nullable().describe('Last year shown; null when the data has no year.'),
    average: z.number().int().min(1).describe('Rolling-mean window in years (--average); 1 = yearly values.'),
    materials: z
      .array(
        z
          .strictObject({
            material: materialName,
            stages: z
              .strictObject({
                mining: stageTrend.optional().describe('Mining stage; absent when the data has nothing on it.'),
                refining: stageTrend.optional().describe('Refining stage; absent when the data has nothing on it.'),
                magnet: stageTrend.optional().describe('Magnet stage; absent when the data has nothing on it.'),
              })
              .describe('The stages, by name.'),
          })
          .describe('One material.'),
      )
      .describe('Every material, sorted by id.'),
    warnings,
  })
  .meta({
    title: 'supply-risk trend --format json',
    description: 'Per material and stage, year by year: world HHI, top producer, import reliance, top supplier and top origin shares.',
  });
