import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FieldError, parseGroups } from '../../src/domain/fields.js';
import { importWgi } from '../../src/importers/wgi.js';
import { checkPolicyAgainstData, closestName, DEFAULT_POLICY, didYouMean, limitsFor, mergePolicy } from '../../src/policy/policy.js';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { InputError } from '../../src/domain/problems.js';
import { runCli } from '../helpers/cli.js';
import { importerFixture } from '../importers/helpers.js';

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
      excludeCountries: ['PRK'],
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
      JSON.stringify({
        maxSingleCountryShare: 1.5,
        maxSupplierHhi: -1,
        minGovernance: '3',
        accept: [{ material: 'gallium', reason: 'r', expires: '2027-02-30' }],
      }),
    );
    expect(lines.join('\n')).toContain('maxSingleCountryShare: must be from 0 to 1');
    expect(lines.join('\n')).toContain('maxSupplierHhi: must be from 0 to 10000');
    expect(lines.join('\n')).toContain('minGovernance: expected a WGI estimate (a number)');
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

  it('accepts any finite minGovernance: WGI estimates can lie outside -2.5..2.5', () => {
    expect(parsePolicy('{ "minGovernance": 3 }', 'p.json').minGovernance).toBe(3);
    expect(parsePolicy('{ "materials": { "cobalt": { "minGovernance": -2.7 } } }', 'p.json').materials?.cobalt?.minGovernance).toBe(-2.7);
  });

  it('takes excludeCountries globally and per material; a file list replaces the default', () => {
    const file = parsePolicy(JSON.stringify({ excludeCountries: ['PRK', 'RUS'], materials: { graphite: { excludeCountries: [] } } }), 'p.json');
    const policy = mergePolicy(file);
    expect(policy.excludeCountries).toEqual(['PRK', 'RUS']);
    expect(limitsFor(policy, 'cobalt').excludeCountries).toEqual(['PRK', 'RUS']);
    expect(limitsFor(policy, 'graphite').excludeCountries).toEqual([]);
    // Not given: the default (UN Security Council export bans) applies to every material.
    expect(limitsFor(mergePolicy({}), 'graphite').excludeCountries).toEqual(['PRK']);
    expect(problems('{ "excludeCountries": ["prk"] }')).toEqual([
      expect.stringMatching(/^policy\.json:1:24: excludeCountries\[0\]: expected an upper-case ISO 3166-1 alpha-3 code/),
    ]);
    expect(problems('{ "excludeCountries": "PRK" }')).toEqual(['policy.json:1:3: excludeCountries: expected an array of country codes']);
  });
});

describe('group tags: one rule for countries.csv, groups.csv and the policy', () => {
  // Valid: starts with a letter or digit, then letters, digits, "-", "_" (case kept).
  const accepted = ['EU', 'G7', '7G', 'like-minded', 'Five_Eyes', 'ASEAN'];
  // "-eu" and "_eu" used to pass the policy's own rule while countries.csv rejected them.
  const rejected = ['-eu', '_eu', 'like minded', 'EU+', 'café', 'a/b'];

  const inCountriesCsv = (tag: string): boolean => {
    try {
      parseGroups(tag);
      return true;
    } catch (error) {
      if (error instanceof FieldError) return false;
      throw error;
    }
  };
  const inPolicy = (tag: string): boolean => {
    try {
      parsePolicy(JSON.stringify({ partnerGroups: [tag], materials: { cobalt: { partnerGroups: [tag] } } }), 'p.json');
      return true;
    } catch (error) {
      if (error instanceof InputError) return false;
      throw error;
    }
  };
  const inGroupsCsv = async (tag: string): Promise<boolean> => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-tags-'));
    const groups = join(dir, 'groups.csv');
    writeFileSync(groups, `country,group\nJPN,${tag}\n`);
    try {
      await importWgi([importerFixture('wgi/API_PV.EST_excerpt.csv'), importerFixture('wgi/Metadata_Country_excerpt.csv')], { groups });
      return true;
    } catch (error) {
      if (error instanceof InputError) return false;
      throw error;
    }
  };

  it('accepts and rejects the same tags everywhere', async () => {
    for (const tag of [...accepted, ...rejected]) {
      const expected = accepted.includes(tag);
      expect({ tag, countriesCsv: inCountriesCsv(tag), groupsCsv: await inGroupsCsv(tag), policy: inPolicy(tag) }).toEqual({
        tag,
        countriesCsv: expected,
        groupsCsv: expected,
        policy: expected,
      });
    }
  });

  it('says the same thing about a bad tag in each place', () => {
    expect(() => parseGroups('-eu')).toThrow('group tag "-eu" must start with a letter or digit');
    expect(problems('{ "partnerGroups": ["-eu"] }')).toEqual(['policy.json:1:21: partnerGroups[0]: group tag "-eu" must start with a letter or digit']);
    expect(problems('{ "partnerGroups": ["like minded"] }')).toEqual([
      'policy.json:1:21: partnerGroups[0]: group tag "like minded" may hold only letters, digits, "-" and "_"',
    ]);
  });
});

describe('policy names against the data', () => {
  it('suggests the closest known name for a likely typo, and nothing for an unrelated word', () => {
    expect(closestName('aesan', ['ASEAN', 'EU', 'G7'])).toBe('ASEAN'); // a swap counts as one edit
    expect(closestName('eu', ['ASEAN', 'EU', 'G7'])).toBe('EU'); // case only
    expect(closestName('grafite', ['graphite', 'gallium'])).toBe('graphite');
    expect(closestName('XX', ['EU', 'G7'])).toBeUndefined(); // as far as the word is long: no hint
    expect(closestName('mercury', ['graphite', 'gallium'])).toBeUndefined();
    expect(didYouMean('aesan', ['ASEAN'])).toBe(' (did you mean "ASEAN"?)');
    expect(didYouMean('mercury', ['ASEAN'])).toBe('');
  });

  it('makes an unknown partner group an error and a missing material a warning', () => {
    const policy = mergePolicy({ partnerGroups: ['aesan', 'G7'], materials: { grafite: { maxSingleCountryShare: 0.9 }, cobalt: { partnerGroups: ['eu'] } } });
    const { errors, warnings } = checkPolicyAgainstData(policy, { groups: new Set(['ASEAN', 'EU', 'G7']), materials: new Set(['cobalt', 'graphite']) });
    expect(errors).toEqual([
      { path: ['partnerGroups', 0], message: 'unknown partner group "aesan" (did you mean "ASEAN"?); groups in the data: ASEAN, EU, G7' },
      { path: ['materials', 'cobalt', 'partnerGroups', 0], message: 'unknown partner group "eu" (did you mean "EU"?); groups in the data: ASEAN, EU, G7' },
    ]);
    expect(warnings).toEqual(['policy: materials.grafite matches no material in the data (did you mean "graphite"?)']);
  });

  // tests/fixtures/gaps/basic knows the groups ASEAN, Africa, EU, G7, LatAm, Quad, like-minded.
  const BASIC = 'tests/fixtures/gaps/basic';
  const policyFile = (text: string): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'supply-risk-policy-')), 'policy.json');
    writeFileSync(path, text);
    return path;
  };

  it('exits 2 on an unknown partner group in the file, at its line:column, with the suggestion', async () => {
    const path = policyFile('{\n  "partnerGroups": ["G7", "aesan"],\n  "materials": { "alpha": { "partnerGroups": ["latam"] } }\n}\n');
    const { code, stdout, stderr } = await runCli(['gaps', '--data', BASIC, '--policy', path]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const groups = 'groups in the data: ASEAN, Africa, EU, G7, LatAm, Quad, like-minded';
    expect(stderr).toContain(`error: ${path}:2:27: partnerGroups[1]: unknown partner group "aesan" (did you mean "ASEAN"?); ${groups}\n`);
    expect(stderr).toContain(`error: ${path}:3:47: materials.alpha.partnerGroups[0]: unknown partner group "latam" (did you mean "LatAm"?); ${groups}\n`);
  });

  it('exits 2 on an unknown group given with --partner-groups, for check too', async () => {
    for (const command of ['gaps', 'check']) {
      const { code, stderr } = await runCli([command, '--data', BASIC, '--partner-groups', 'G7,aesan']);
      expect(code).toBe(2);
      expect(stderr).toContain('error: --partner-groups: unknown partner group "aesan" (did you mean "ASEAN"?)');
    }
  });

  it('only warns, with a suggestion, on a materials entry the data lacks', async () => {
    const path = policyFile('{ "materials": { "alpah": { "maxSingleCountryShare": 0.9 } } }');
    const { code, stderr } = await runCli(['gaps', '--data', BASIC, '--policy', path]);
    expect(code).toBe(0);
    expect(stderr).toContain('policy: materials.alpah matches no material in the data (did you mean "alpha"?)');
    // Checked against the whole data set, not only the materials analysed: --material beta does not
    // make the alpha override "unknown".
    const known = policyFile('{ "materials": { "alpha": { "maxSingleCountryShare": 0.9 } } }');
    const filtered = await runCli(['gaps', '--data', BASIC, '--policy', known, '--material', 'beta']);
    expect(filtered.code).toBe(0);
    expect(filtered.stderr).not.toContain('matches no material');
  });
});
