import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, limitsFor, mergePolicy } from '../../src/input/policy.js';
import { parsePolicy } from '../../src/input/policy-file.js';
import { InputError } from '../../src/input/problems.js';

function problems(text: string): string[] {
  try {
    parsePolicy(text, 'policy.json');
  } catch (error) {
    if (error instanceof InputError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('policy file', () => {
  it('has the documented defaults', () => {
    expect(mergePolicy({})).toEqual({
      importer: 'JPN',
      maxSingleCountryShare: 0.65,
      maxSupplierHhi: 2500,
      maxRedirectShare: 0.25,
      minGovernance: -0.5,
      partnerGroups: [],
      materials: {},
      accept: [],
    });
    expect(Object.isFrozen(DEFAULT_POLICY)).toBe(true);
  });

  it('names a misspelt key with its line and column and suggests the right one', () => {
    const lines = problems('{\n  "importer": "JPN",\n  "maxSupplierHHI": 2000\n}\n');
    expect(lines).toEqual([expect.stringMatching(/^policy\.json:3:3: unknown key "maxSupplierHHI" \(did you mean "maxSupplierHhi"\?\)/)]);
  });

  it('names unknown keys inside materials and accept entries', () => {
    const lines = problems(
      '{ "materials": { "gallium": { "maxShare": 0.9 } },\n  "accept": [ { "material": "gallium", "reason": "x", "expiry": "2027-01-01" } ] }',
    );
    expect(lines).toEqual([
      expect.stringMatching(/^policy\.json:1:31: unknown key "materials\.gallium\.maxShare"/),
      expect.stringMatching(/^policy\.json:2:55: unknown key "accept\[0\]\.expiry" \(did you mean "expires"\?\)/),
    ]);
  });

  it('gives line:column of a JSON syntax error', () => {
    expect(problems('{\n  "maxSupplierHhi": 2000,\n}\n')).toEqual(['policy.json:3:1: invalid JSON: trailing comma before "}"']);
    expect(problems("{ 'importer': 'JPN' }")).toEqual(['policy.json:1:3: invalid JSON: expected a key in double quotes, found "\'"']);
  });

  it('checks ranges and dates', () => {
    const lines = problems(
      JSON.stringify({ maxSingleCountryShare: 1.5, maxSupplierHhi: -1, minGovernance: 3, accept: [{ material: 'gallium', reason: 'r', expires: '2027-02-30' }] }),
    );
    expect(lines.join('\n')).toContain('maxSingleCountryShare: must be from 0 to 1');
    expect(lines.join('\n')).toContain('maxSupplierHhi: must be from 0 to 10000');
    expect(lines.join('\n')).toContain('minGovernance: must be from -2.5 to 2.5');
    expect(lines.join('\n')).toContain('accept[0].expires: expected a real date written YYYY-MM-DD');
  });

  it('reports a key given twice', () => {
    expect(problems('{"maxSupplierHhi": 1, "maxSupplierHhi": 2}')).toEqual(['policy.json:1:23: key "maxSupplierHhi" appears twice']);
  });

  it('merges defaults < file < flags, and a flag replaces per-material values', () => {
    const file = parsePolicy(
      JSON.stringify({ importer: 'KOR', maxSingleCountryShare: 0.5, materials: { gallium: { maxSingleCountryShare: 0.9, minGovernance: 0 } } }),
      'p.json',
    );
    const fromFile = mergePolicy(file);
    expect(fromFile.importer).toBe('KOR');
    expect(limitsFor(fromFile, 'gallium').maxSingleCountryShare).toBe(0.9);
    expect(limitsFor(fromFile, 'cobalt').maxSingleCountryShare).toBe(0.5);
    expect(limitsFor(fromFile, 'cobalt').maxSupplierHhi).toBe(2500);
    const withFlag = mergePolicy(file, { maxSingleCountryShare: 0.7, importer: 'JPN' });
    expect(withFlag.importer).toBe('JPN');
    expect(limitsFor(withFlag, 'gallium').maxSingleCountryShare).toBe(0.7);
    expect(limitsFor(withFlag, 'gallium').minGovernance).toBe(0);
    expect(withFlag.materials).toEqual({ gallium: { minGovernance: 0 } });
  });
});
