/**
 * The policy file of `gaps`, `check` and `report --policy`: the limits an importer sets on its
 * exposure, per-material overrides, and accepted (known, tolerated) risks.
 *
 * JSON, validated by a strict zod schema: an unknown or misspelt key is an error naming the key, the
 * file and the key's line:column, with a suggestion. Syntax errors name line:column too (Node 20's
 * JSON.parse does not give a position, so a small scanner finds it). Merge order: defaults < file <
 * command-line flags.
 */
import { readFile } from 'node:fs/promises';
import { didYouMean } from '../domain/did-you-mean.js';
import type { AcceptEntry, Limits, PolicyFile } from './policy-model.js';
import { InputError } from '../domain/problems.js';

// The file's model (shared with policy-file.ts) and the name hints live in lower modules, so that
// policy-file.ts needs nothing from this one; re-exported for existing imports.
export { closestName, didYouMean } from '../domain/did-you-mean.js';
export { GAP_BASES, isIsoDate, type AcceptEntry, type GapBasis, type Limits, type PolicyFile } from './policy-model.js';

export interface Policy extends Limits {
  importer: string;
  materials: Record<string, Partial<Limits>>;
  accept: AcceptEntry[];
}

export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  importer: 'JPN',
  maxSingleCountryShare: 0.65,
  maxSupplierHhi: 2500,
  maxRedirectShare: 0.25,
  minGovernance: -0.5,
  partnerGroups: [],
  // UN Security Council resolutions 2270 (2016), 2321 (2016), 2371 (2017) and 2397 (2017) bar the
  // DPRK's exports of iron, lead, gold, titanium, vanadium, rare earths, copper, nickel, silver, zinc,
  // earth and stone (graphite, magnesite) and machinery: no member state may buy them (README).
  excludeCountries: ['PRK'],
  materials: {},
  accept: [],
});

/** Flags given on the command line; each overrides the file. */
export type PolicyOverrides = Partial<
  Pick<Policy, 'importer' | 'maxSingleCountryShare' | 'maxSupplierHhi' | 'maxRedirectShare' | 'minGovernance' | 'partnerGroups'>
>;

/** Reads and validates a policy file, then merges defaults < file < overrides. */
export async function loadPolicy(path: string | undefined, label: string | undefined, overrides: PolicyOverrides = {}): Promise<Policy> {
  if (path === undefined) return mergePolicy({}, overrides);
  const file = label ?? path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String((error as NodeJS.ErrnoException).code) : '';
    const reason =
      code === 'ENOENT'
        ? 'policy file not found'
        : code === 'EISDIR'
          ? 'is a folder; --policy takes a JSON file'
          : `cannot read the policy file (${code || String(error)})`;
    throw new InputError([{ file, message: reason }]);
  }
  // The schema (and zod) load only when there is a file to check: most runs use the defaults.
  const { parsePolicy } = await import('./policy-file.js');
  return mergePolicy(parsePolicy(text, file), overrides);
}

export function mergePolicy(file: PolicyFile, overrides: PolicyOverrides = {}): Policy {
  const pick = <K extends keyof PolicyOverrides>(key: K): NonNullable<Policy[K]> =>
    (overrides[key] ?? (file as Partial<Policy>)[key] ?? DEFAULT_POLICY[key]) as NonNullable<Policy[K]>;
  return {
    importer: pick('importer'),
    maxSingleCountryShare: pick('maxSingleCountryShare'),
    maxSupplierHhi: pick('maxSupplierHhi'),
    maxRedirectShare: pick('maxRedirectShare'),
    minGovernance: pick('minGovernance'),
    partnerGroups: [...pick('partnerGroups')],
    excludeCountries: [...(file.excludeCountries ?? DEFAULT_POLICY.excludeCountries)],
    // A flag sets its limit for every material, so it also replaces the file's per-material values.
    materials: Object.fromEntries(
      Object.entries(file.materials ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([material, limits]) => [
          material,
          withoutKeys(
            limits,
            Object.keys(overrides).filter((key) => overrides[key as keyof PolicyOverrides] !== undefined),
          ),
        ])
        .filter(([, limits]) => Object.keys(limits as object).length > 0),
    ),
    accept: (file.accept ?? []).map((entry) => ({ ...entry })),
  };
}

function withoutKeys(limits: Partial<Limits>, keys: readonly string[]): Partial<Limits> {
  return Object.fromEntries(Object.entries(limits).filter(([key]) => !keys.includes(key))) as Partial<Limits>;
}

/**
 * The limits that apply to one material: its override in the file, else the global value. (A
 * command-line flag has already replaced both in mergePolicy: the user asked for it everywhere.)
 */
export function limitsFor(policy: Policy, material: string): Limits {
  const own = policy.materials[material] ?? {};
  const pick = <K extends keyof Limits>(key: K): Limits[K] => (own[key] ?? policy[key]) as Limits[K];
  return {
    maxSingleCountryShare: pick('maxSingleCountryShare'),
    maxSupplierHhi: pick('maxSupplierHhi'),
    maxRedirectShare: pick('maxRedirectShare'),
    minGovernance: pick('minGovernance'),
    partnerGroups: [...pick('partnerGroups')],
    excludeCountries: [...pick('excludeCountries')],
  };
}

/** A policy entry that names something the data does not have, with its JSON path in the policy. */
export interface PolicyDataIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Checks the names in the policy against the data it is applied to. A partner group no country of
 * the data carries is an error (it would silently rule out every candidate); a `materials` entry for
 * a material the data lacks is only a warning (one policy file may serve several data folders). Both
 * name the closest known name when there is a likely typo.
 */
export function checkPolicyAgainstData(
  policy: Policy,
  data: { groups: ReadonlySet<string>; materials: ReadonlySet<string> },
): { errors: PolicyDataIssue[]; warnings: string[] } {
  const errors: PolicyDataIssue[] = [];
  const known = [...data.groups].sort();
  const listed = known.length === 0 ? 'the data defines no groups (countries.csv `groups`)' : `groups in the data: ${known.join(', ')}`;
  const checkGroups = (groups: readonly string[], path: (string | number)[]): void => {
    groups.forEach((group, index) => {
      if (data.groups.has(group)) return;
      errors.push({ path: [...path, index], message: `unknown partner group "${group}"${didYouMean(group, known)}; ${listed}` });
    });
  };
  checkGroups(policy.partnerGroups, ['partnerGroups']);
  for (const [material, limits] of Object.entries(policy.materials)) checkGroups(limits.partnerGroups ?? [], ['materials', material, 'partnerGroups']);
  const warnings = Object.keys(policy.materials)
    .filter((material) => !data.materials.has(material))
    .map((material) => `policy: materials.${material} matches no material in the data${didYouMean(material, data.materials)}`);
  return { errors, warnings };
}
