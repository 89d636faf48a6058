import { describe, expect, it } from 'vitest';
import { resolveCountryName } from '../../src/importers/country-names.js';
import { resolveAlpha3Code, resolveNumericCode } from '../../src/importers/numeric-codes.js';

const code = (name: string): string => {
  const match = resolveCountryName(name);
  return match.kind === 'country' || match.kind === 'unattributed' ? match.code : match.kind;
};

describe('country names -> ISO3', () => {
  it('reads the USGS spellings, footnote marks and no-break spaces', () => {
    expect(code('Congo (Kinshasa)')).toBe('COD');
    expect(code('Burma')).toBe('MMR');
    expect(code('Russiae')).toBe('RUS');
    expect(code('Korea, Republic ofe')).toBe('KOR');
    expect(code('New Caledonia11')).toBe('NCL');
    expect(code('United\u00a0States1')).toBe('USA');
    expect(code('Vietnam\u00a0')).toBe('VNM');
    expect(code('Côte d\u2019Ivoire')).toBe('CIV');
    expect(code('Denmark (processed)5')).toBe('DNK');
  });

  it('never shortens a real name ending in e', () => {
    expect(code('Ukraine')).toBe('UKR');
    expect(code('Zimbabwe')).toBe('ZWE');
    expect(code('France')).toBe('FRA');
  });

  it('reads the ITC and IEA spellings', () => {
    expect(code('Taipei, Chinese')).toBe('TWN');
    expect(code('Korea, Republic of')).toBe('KOR');
    expect(code('Viet Nam')).toBe('VNM');
    expect(code('Russian Federation')).toBe('RUS');
    expect(code('Congo')).toBe('COG');
    expect(code('Democratic Republic of Congo')).toBe('COD');
    expect(code('United States of America')).toBe('USA');
  });

  it('maps remainders to ZZZ and totals to world', () => {
    expect(code('Other countries6')).toBe('ZZZ');
    expect(code('Other countries\u00a0')).toBe('ZZZ');
    expect(code('Rest of world')).toBe('ZZZ');
    expect(code('World total (rounded)10')).toBe('world');
    expect(code('World')).toBe('world');
  });

  it('reports an unknown name instead of guessing', () => {
    expect(code('Atlantis')).toBe('unknown');
    expect(code('Kazakhstan, concentrate')).toBe('unknown');
    expect(code('')).toBe('unknown');
  });
});

describe('Comtrade and BACI codes -> ISO3', () => {
  it('uses the statistical offices own numbers where they differ from ISO', () => {
    expect(resolveNumericCode('842')).toEqual({ kind: 'country', code: 'USA' });
    expect(resolveNumericCode('251')).toEqual({ kind: 'country', code: 'FRA' });
    expect(resolveNumericCode('699')).toEqual({ kind: 'country', code: 'IND' });
    expect(resolveNumericCode('757')).toEqual({ kind: 'country', code: 'CHE' });
    expect(resolveNumericCode('490')).toEqual({ kind: 'country', code: 'TWN' });
  });

  it('reads ISO numeric codes, the World and unspecified areas', () => {
    expect(resolveNumericCode('392')).toEqual({ kind: 'country', code: 'JPN' });
    expect(resolveNumericCode('36')).toEqual({ kind: 'country', code: 'AUS' });
    expect(resolveNumericCode('0')).toEqual({ kind: 'world' });
    expect(resolveNumericCode('899')).toEqual({ kind: 'unattributed', code: 'ZZZ' });
    expect(resolveNumericCode('58')).toEqual({ kind: 'unknown' });
  });

  it('reads BACI alpha codes, S19 being Taiwan', () => {
    expect(resolveAlpha3Code('S19')).toEqual({ kind: 'country', code: 'TWN' });
    expect(resolveAlpha3Code('JPN')).toEqual({ kind: 'country', code: 'JPN' });
    expect(resolveAlpha3Code('XXX')).toEqual({ kind: 'unknown' });
  });
});
