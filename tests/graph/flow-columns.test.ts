/**
 * A slice's flows as columns (slices.ts FlowColumns) carry the same flows as its flow objects, and
 * the metrics read the same numbers from either.
 *
 * tests/fixtures/cf, cobalt refining 2023 (trade.csv, trade-gross.csv), flows in exporter order:
 *   CHN -> JPN 20 t, USD 600,000; 15 t of it converted from 30 t gross oxide, so gross = 20 - 15 + 30 = 35 t
 *   COD -> JPN  5 t, no value
 *   FIN -> JPN 10 t, USD 350,000
 * JPN's mean import price per kg of product: the valued flows' USD over their gross weight,
 * (600,000 + 350,000) / ((35 + 10) t x 1000 kg/t) = 950,000 / 45,000 = 21.111... USD/kg.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { buildSupplyGraph } from '../../src/graph/supply-graph.js';
import { flowColumns, flowObjects, sliceIndex, type Flow } from '../../src/graph/slices.js';
import { chainGraph, stageFlows } from '../../src/graph/chain.js';
import { meanImportPricePerKg, unitValuesOf } from '../../src/metrics/importer.js';
import { traceOrigins } from '../../src/metrics/kastner.js';
import { fixture } from '../helpers/cli.js';

async function cobaltRefining() {
  const index = sliceIndex(buildSupplyGraph(await loadDataset(fixture('cf'))));
  const slice = index.slice('cobalt', 'refining', 2023);
  if (!slice) throw new Error('the cf fixture has cobalt refining 2023');
  return { index, slice };
}

describe('flow columns', () => {
  it('hold the slice flows, gross weights included, in the same order', async () => {
    const { slice } = await cobaltRefining();
    const { columns } = slice;
    expect(columns.length).toBe(3);
    expect([...columns.from].map((id) => columns.codes[id])).toEqual(['CHN', 'COD', 'FIN']);
    expect([...columns.to].map((id) => columns.codes[id])).toEqual(['JPN', 'JPN', 'JPN']);
    expect([...columns.quantity]).toEqual([20, 5, 10]);
    expect([...columns.valueUsd]).toEqual([600000, Number.NaN, 350000]);
    expect([...(columns.grossQuantity ?? [])]).toEqual([35, Number.NaN, Number.NaN]);
    expect(flowObjects(columns)).toEqual(slice.flows);
    expect(slice.flows[0]).toEqual({ from: 'CHN', to: 'JPN', quantity: 20, valueUsd: 600000, valuedQuantity: 20, grossQuantity: 35 });
    expect(columns.idOf('JPN')).toBe(columns.to[0]);
    expect(columns.idOf('ZZZ')).toBe(-1);
  });

  it('give the metrics the same numbers as the flow objects', async () => {
    const { slice } = await cobaltRefining();
    expect(meanImportPricePerKg(slice.columns, 'JPN', 't')).toBeCloseTo(950000 / 45000, 12);
    expect(meanImportPricePerKg(slice.flows, 'JPN', 't')).toBe(meanImportPricePerKg(slice.columns, 'JPN', 't'));
    expect(unitValuesOf(slice.columns, 'JPN')).toEqual(unitValuesOf(slice.flows, 'JPN'));
    expect(unitValuesOf(slice.columns, 'JPN').importsFrom).toEqual(
      new Map([
        ['CHN', 30000],
        ['FIN', 35000],
      ]),
    );
  });

  it('made from objects number countries in order of first appearance, and round-trip', () => {
    const flows: Flow[] = [
      { from: 'AUS', to: 'CHN', quantity: 20, valueUsd: null, valuedQuantity: 0 },
      { from: 'CHN', to: 'JPN', quantity: 5, valueUsd: 50, valuedQuantity: 5, grossQuantity: 7 },
    ];
    const columns = flowColumns(flows);
    expect(columns.codes).toEqual(['AUS', 'CHN', 'JPN']);
    expect([...columns.from]).toEqual([0, 1]);
    expect([...columns.to]).toEqual([1, 2]);
    expect(flowObjects(columns)).toEqual(flows);
    expect(flowColumns([]).grossQuantity).toBeNull();
  });

  it('trace the same origins as the flow objects (AUS mines 50, CHN 100; AUS ships 20 to CHN)', () => {
    // CHN supply = 100 + 20 = 120, of which 20/120 = 1/6 is Australian and 5/6 Chinese.
    const production = new Map([
      ['AUS', 50],
      ['CHN', 100],
    ]);
    const flows: Flow[] = [{ from: 'AUS', to: 'CHN', quantity: 20 }];
    const fromColumns = traceOrigins(production, flowColumns(flows), ['CHN']).get('CHN');
    const fromObjects = traceOrigins(production, flows, ['CHN']).get('CHN');
    expect(fromColumns).toEqual(fromObjects);
    expect(fromColumns?.traced.get('AUS')).toBeCloseTo(1 / 6, 15);
    expect(fromColumns?.traced.get('CHN')).toBeCloseTo(5 / 6, 15);
  });

  it('of a stage keep only covered imports when asked (tests/fixtures/coverage, lithium refining 2022)', async () => {
    // coverage.csv covers JPN's imports only: of CHN -> JPN 30, CHL -> JPN 10, CHN -> KOR 20 and
    // JPN -> USA 4 (exporter order: CHL, CHN, CHN, JPN), the covered flows are the two into JPN.
    const index = sliceIndex(buildSupplyGraph(await loadDataset(fixture('coverage'))));
    const chain = chainGraph(index, 'lithium', 2022);
    const pick = (flows: ReturnType<typeof stageFlows>) => flowObjects(flows).map(({ from, to, quantity }) => `${from}>${to} ${quantity}`);
    expect(pick(stageFlows(chain, 'refining'))).toEqual(['CHL>JPN 10', 'CHN>JPN 30', 'CHN>KOR 20', 'JPN>USA 4']);
    expect(pick(stageFlows(chain, 'refining', { coveredOnly: true }))).toEqual(['CHL>JPN 10', 'CHN>JPN 30']);
  });
});
