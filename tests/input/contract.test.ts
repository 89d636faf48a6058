/**
 * The data contract is declared once (src/input/contract.ts): the loader's header check, the
 * importers' headers and the embedded files' first lines all come from it, and its field rules are
 * the ones the loader applies.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  COUNTRIES_FILE,
  COVERAGE_FILE,
  GOVERNANCE_FILE,
  GROSS_FILE,
  headerOf,
  parsersOf,
  PRODUCTION_FILE,
  specOf,
  TRADE_FILE,
} from '../../src/input/contract.js';
import { COVERAGE_SPEC, PRODUCTION_SPEC, TRADE_SPEC } from '../../src/input/loading.js';
import { COVERAGE_HEADER, GROSS_HEADER, PRODUCTION_HEADER, TRADE_HEADER } from '../../src/importers/contract-csv.js';
import { FieldError } from '../../src/domain/fields.js';
import { ROOT } from '../helpers/cli.js';

const FILES = [PRODUCTION_FILE, TRADE_FILE, COUNTRIES_FILE, GOVERNANCE_FILE, COVERAGE_FILE, GROSS_FILE];

describe('the data contract, declared once', () => {
  it('the embedded files start with the contract header of their file', () => {
    for (const file of FILES) {
      const firstLine = readFileSync(`${ROOT}data/${file.label}`, 'utf8').split(/\r?\n/, 1)[0];
      expect(firstLine, file.label).toBe(headerOf(file).join(','));
    }
  });

  it("the loader's header check and the importers' headers are the contract's columns", () => {
    expect(PRODUCTION_SPEC).toEqual({ label: 'production.csv', required: ['material', 'stage', 'country', 'year', 'quantity', 'unit'], optional: ['source'] });
    expect(TRADE_SPEC).toEqual(specOf(TRADE_FILE));
    expect(COVERAGE_SPEC.optional).toEqual(['extent', 'source']);
    expect(specOf(GROSS_FILE).optional).toEqual(['hs6', 'content_factor', 'source']);
    expect(PRODUCTION_HEADER).toEqual(headerOf(PRODUCTION_FILE));
    expect(TRADE_HEADER).toEqual(['material', 'stage', 'exporter', 'importer', 'year', 'quantity', 'unit', 'value_usd', 'source']);
    expect(COVERAGE_HEADER).toEqual(headerOf(COVERAGE_FILE));
    expect(GROSS_HEADER).toEqual(headerOf(GROSS_FILE));
  });

  it('each column carries its field rule, with the folder country check bound in', () => {
    const known = (code: string): boolean => code === 'JPN' || code === 'CHN';
    const trade = parsersOf(TRADE_FILE, known);
    expect(trade.stage('magnet')).toBe('magnet');
    expect(trade.exporter(' CHN ')).toBe('CHN');
    expect(() => trade.importer('XXX')).toThrow(FieldError);
    expect(() => trade.importer('XXX')).toThrow(/importer/);
    expect(trade.value_usd('')).toBeNull();
    expect(trade.value_usd('12.5')).toBe(12.5);
    expect(parsersOf(PRODUCTION_FILE, known).quantity('W')).toBeNull();
    const coverage = parsersOf(COVERAGE_FILE, known);
    expect(coverage.extent('')).toBe('full');
    expect(() => coverage.flow('both')).toThrow('flow "both" is not one of import, export');
    expect(() => parsersOf(GOVERNANCE_FILE, known).governance('')).toThrow('governance is empty');
    expect(() => parsersOf(COUNTRIES_FILE, known).country('ZZZ')).toThrow(/reserved/);
  });
});
