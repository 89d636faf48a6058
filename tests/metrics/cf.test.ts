/**
 * geopolrisk-py's characterisation factor on the importer block. Fixture tests/fixtures/cf, worked
 * by hand.
 *
 * geopolrisk-py v2 (github.com/akoyamp/geopolrisk-py, src/geopolrisk/assessment/core.py, GeoPolRisk()):
 *   Score = hhi x Numerator / (TotalTrade + ProdQty); CF = Score x Price / 0.409412948
 * with Price = sum of import values / sum of import quantities (utils.py aggregateTrade; BACI's
 * thousand USD over tonnes of product: USD per kg of traded product, gross weight).
 *
 * Cobalt refining 2023, importer JPN.
 * - World HHI = (60^2 + 30^2 + 10^2) / 100^2 = 0.46. JPN produces P = 10.
 * - Imports (contained tonnes): CHN 20, FIN 10, COD 5; S = 10 + 35 = 45.
 * - g = (2.5 - WGI) / 5: CHN (2.5 + 0.5) / 5 = 0.6, FIN (2.5 - 1) / 5 = 0.3, COD (2.5 + 2) / 5 = 0.9.
 * - GeoPolRisk = 0.46 x (0.6 x 20 + 0.3 x 10 + 0.9 x 5) / 45 = 0.46 x 19.5 / 45 = 0.199333...
 * - Gross weight: 15 t of CHN's 20 t came as oxide at 50% (trade-gross.csv: 30 t gross); the other
 *   5 t were not converted. CHN's flow weighs 20 - 15 + 30 = 35 t, FIN's 10 t; COD's has no value
 *   and is left out. Price = (600,000 + 350,000) USD / (45,000 kg) = 21.111 USD/kg
 *   (on contained tonnes it would read 950,000 / 30,000 = 31.667).
 * - Midpoint = 0.199333 x 21.111 = 4.208148; CF = 4.208148 / 0.409412948 = 10.27849 kg Cu-eq/kg.
 *
 * Alpha refining 2023, importer DUO (JPN and KOR, a group of countries.csv): world HHI = 1 (CHN
 * alone). Imports from outside: CHN -> JPN 10 (USD 100,000) + CHN -> KOR 10 (no value) = 20; between
 * members: KOR -> JPN 10 (USD 300,000), weight 0. GeoPolRisk = 1 x 0.6 x 20 / (0 + 20 + 10) = 0.4.
 * The regional price counts the members' imports from each other too (aggregateTrade sums every
 * member's imports): (100,000 + 300,000) / 20,000 kg = 20 USD/kg. Midpoint 8, CF = 8 / 0.409412948
 * = 19.54017.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import type { Flow } from '../../src/graph/slices.js';
import { analyse } from '../../src/metrics/analysis.js';
import { GEOPOLRISK_COPPER_MIDPOINT, kgPerUnit, meanImportPricePerKg } from '../../src/metrics/importer.js';
import { fixture, runCli } from '../helpers/cli.js';

async function block(importer: string, material: string) {
  const graph = buildSupplyGraph(await loadDataset(fixture('cf')));
  return analyse(graph, { importer, materials: [material] }).materials[0]?.stages.refining?.importer;
}

describe('geopolrisk-py characterisation factor', () => {
  it('uses the copper midpoint of geopolrisk-py v2', () => {
    expect(GEOPOLRISK_COPPER_MIDPOINT).toBe(0.409412948);
  });

  it('prices imports per kg of traded product (gross) and gives the midpoint and CF', async () => {
    const cobalt = await block('JPN', 'cobalt');
    const score = (0.46 * 19.5) / 45;
    const price = 950_000 / 45_000;
    expect(cobalt?.geopolRisk).toBeCloseTo(score, 12);
    expect(cobalt?.meanImportPriceUsdPerKg).toBeCloseTo(price, 12);
    expect(cobalt?.geopolRiskMidpoint).toBeCloseTo(score * price, 12);
    expect(cobalt?.geopolRiskCf).toBeCloseTo((score * price) / 0.409412948, 10);
    expect(cobalt?.geopolRiskCf).toBeCloseTo(10.27849, 5);
    // The unit value per tonne of contained cobalt stays what it was: USD 950,000 over 30 t.
    expect(cobalt?.unitValues?.meanImport).toBeCloseTo(950_000 / 30, 9);
  });

  it("a group's price counts the imports between its members (geopolrisk-py's regional rule)", async () => {
    const alpha = await block('DUO', 'alpha');
    expect(alpha?.geopolRisk).toBeCloseTo(0.4, 12);
    expect(alpha?.meanImportPriceUsdPerKg).toBeCloseTo(20, 12);
    expect(alpha?.geopolRiskMidpoint).toBeCloseTo(8, 12);
    expect(alpha?.geopolRiskCf).toBeCloseTo(8 / 0.409412948, 10);
  });

  it('without trade-gross.csv the trade quantities are the traded weight', async () => {
    // tests/fixtures/price: JPN imports 100 t of cobalt refining for USD 2,700,000: 27 USD/kg.
    const graph = buildSupplyGraph(await loadDataset(fixture('price')));
    const cobalt = analyse(graph, { importer: 'JPN' }).materials[0]?.stages.refining?.importer;
    expect(cobalt?.meanImportPriceUsdPerKg).toBeCloseTo(27, 12);
    // JPN's own production is 0 (listed producers, no remainder); every supplier has a score.
    expect(cobalt?.geopolRiskCf).toBeCloseTo(((cobalt?.geopolRisk ?? Number.NaN) * 27) / 0.409412948, 10);
  });

  it('is null, never 0, when no import carries a value or the unit is not a mass', () => {
    const flows: Flow[] = [
      { from: 'CHN', to: 'JPN', quantity: 10, valueUsd: null, valuedQuantity: 0 },
      { from: 'JPN', to: 'KOR', quantity: 5, valueUsd: 1000, valuedQuantity: 5 },
    ];
    expect(meanImportPricePerKg(flows, 'JPN', 't')).toBeNull();
    expect(meanImportPricePerKg([{ from: 'CHN', to: 'JPN', quantity: 1, valueUsd: 5000, valuedQuantity: 1 }], 'JPN', 'kt')).toBeNull();
    expect(kgPerUnit('t gross')).toBe(1000);
    expect(kgPerUnit('kg')).toBe(1);
  });

  it('leaves out a converted flow only part of whose rows carry a value', () => {
    // CHN: 10 t contained, 4 t of it valued, converted (gross 30 t): the gross weight of the valued
    // part is unknown, so the flow is left out. FIN: 6 t, 3 t valued (USD 3,000), not converted:
    // 3,000 / 3,000 kg = 1 USD/kg.
    const flows: Flow[] = [
      { from: 'CHN', to: 'JPN', quantity: 10, valueUsd: 8000, valuedQuantity: 4, grossQuantity: 30 },
      { from: 'FIN', to: 'JPN', quantity: 6, valueUsd: 3000, valuedQuantity: 3 },
    ];
    expect(meanImportPricePerKg(flows, 'JPN', 't')).toBeCloseTo(1, 12);
  });

  it('shows the CF in the report table and JSON', async () => {
    const table = await runCli(['report', '--data', 'tests/fixtures/cf', '--material', 'cobalt', '--quiet'], { COLUMNS: '100' });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/GeoPolRisk CF +no data +10\.3 kg Cu-eq\/kg at USD 21\.1\/kg/);
    const json = await runCli(['report', '--data', 'tests/fixtures/cf', '--material', 'cobalt', '--json', '--quiet']);
    const importer = JSON.parse(json.stdout).materials[0].stages.refining.importer;
    expect(importer).toMatchObject({
      meanImportPriceUsdPerKg: expect.closeTo(950 / 45, 9),
      geopolRiskMidpoint: expect.closeTo(((0.46 * 19.5) / 45) * (950 / 45), 9),
      geopolRiskCf: expect.closeTo(10.27849, 5),
    });
  });
});
