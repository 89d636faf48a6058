/**
 * Parsers for the fields of the data contract. Each returns the typed value or throws a FieldError
 * whose message says what was expected; the row reader adds file, line and column.
 *
 * These are hand-written rather than zod schemas because they run once per field of files with
 * millions of rows; zod validates the small structured inputs (policy files, the report contract).
 */
import { UNATTRIBUTED } from './countries.js';

export class FieldError extends Error {}

/**
 * The stages of a material's supply chain, in order: each stage's output is made from the output of
 * the one before it. Ore is mined, then refined (or separated) into metal or compounds, then made
 * into a component. `magnet` is the first component stage: permanent magnets (HS 850511), made from
 * separated rare earths. A data file may use any of them for any material.
 */
export const STAGES = ['mining', 'refining', 'magnet'] as const;
export type Stage = (typeof STAGES)[number];

/** The stage whose output feeds `stage` (refining for magnet, mining for refining); null for mining. */
export function upstreamOf(stage: Stage): Stage | null {
  const at = STAGES.indexOf(stage);
  return at > 0 ? (STAGES[at - 1] ?? null) : null;
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

const MATERIAL_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PLAIN_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const YEAR = /^\d{4}$/;
const COUNTRY_CODE = /^[A-Z][A-Z0-9]{2}$/;

export function parseMaterial(raw: string): string {
  const value = raw.trim();
  if (value === '') throw new FieldError('material is empty');
  if (!MATERIAL_ID.test(value)) {
    const hint = MATERIAL_ID.test(value.toLowerCase().replace(/[ _]+/g, '-')) ? ` (write "${value.toLowerCase().replace(/[ _]+/g, '-')}")` : '';
    throw new FieldError(`material "${value}" is not a lower-case id such as cobalt or rare-earths${hint}`);
  }
  return value;
}

export function parseStage(raw: string): Stage {
  const value = raw.trim();
  const stage = STAGES.find((known) => known === value);
  if (stage) return stage;
  if ((STAGES as readonly string[]).includes(value.toLowerCase())) {
    throw new FieldError(`stage "${value}" must be lower-case: ${value.toLowerCase()}`);
  }
  throw new FieldError(`stage "${value}" is not one of ${STAGES.join(', ')}`);
}

export function parseYear(raw: string): number {
  const value = raw.trim();
  if (!YEAR.test(value)) {
    // 2021.0: a year a spreadsheet saved as a decimal number.
    const hint = /^\d{4}\.0*$/.test(value) ? ` (write ${value.slice(0, 4)})` : '';
    throw new FieldError(`year "${value}" is not a four-digit year${hint}`);
  }
  const year = Number(value);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new FieldError(`year ${year} is outside ${MIN_YEAR}..${MAX_YEAR}`);
  }
  return year;
}

/** A quantity: finite, >= 0, written with plain digits and an optional "." decimal part. */
export function parseQuantity(raw: string, name = 'quantity'): number {
  const value = raw.trim();
  if (value === '') throw new FieldError(`${name} is empty`);
  if (PLAIN_NUMBER.test(value)) return Number(value);
  throw new FieldError(`${name} "${value}" ${quantityHint(value)}`);
}

function quantityHint(value: string): string {
  if (/^[-\u2212]/.test(value) && PLAIN_NUMBER.test(value.slice(1))) return 'is negative; quantities must be >= 0';
  if (/^[+-]?(nan|inf(inity)?)$/i.test(value)) return 'is not a finite number';
  // A first group of 0 is no thousands grouping: 0,342 is a decimal comma (0.342).
  if (/^[1-9]\d{0,2}(,\d{3})+(\.\d+)?$/.test(value)) {
    return `has a thousands separator; write ${value.replace(/,/g, '')} (plain digits, "." for decimals)`;
  }
  if (/^\d+,\d+$/.test(value)) return `has a decimal comma; write ${value.replace(',', '.')} (plain digits, "." for decimals)`;
  if (/^[+]?\d*\.?\d+e[+-]?\d+$/i.test(value)) return `uses exponent notation; write it as plain digits (${Number(value)})`;
  if (/^\d{1,3}([ \u00a0']\d{3})+(\.\d+)?$/.test(value)) return 'has digit-group spaces or apostrophes; write plain digits';
  return 'is not a number written plainly (digits with an optional "." decimal part)';
}

/** An ISO alpha-3 code, the reserved unattributed code, or a code the data's countries.csv defines. */
export function parseCountry(raw: string, isKnown: (code: string) => boolean, name = 'country'): string {
  const value = raw.trim();
  if (value === '') throw new FieldError(`${name} is empty`);
  if (value === UNATTRIBUTED || (COUNTRY_CODE.test(value) && isKnown(value))) return value;
  const upper = value.toUpperCase();
  if (upper !== value && (upper === UNATTRIBUTED || isKnown(upper))) {
    throw new FieldError(`${name} "${value}" must be upper-case: ${upper}`);
  }
  if (value.length !== 3) {
    throw new FieldError(`${name} "${value}" is not an ISO 3166-1 alpha-3 code (three letters, e.g. JPN)`);
  }
  throw new FieldError(`${name} "${value}" is not an ISO 3166-1 alpha-3 code; define it in countries.csv if it is a custom code`);
}

export function parseUnit(raw: string): string {
  const value = raw.trim();
  if (value === '') throw new FieldError('unit is empty');
  return value;
}

/**
 * A WGI estimate; an empty cell means "no score". Estimates are standard-normal units and mostly lie
 * within -2.5..2.5, but real ones fall outside (Syria -2.80 in 2022), so any finite number is kept.
 */
export function parseGovernance(raw: string): number | null {
  const value = raw.trim();
  if (value === '') return null;
  if (!/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(value)) {
    throw new FieldError(`governance "${value}" is not a number (a WGI estimate such as -0.51)`);
  }
  return Number(value);
}

/** USGS marks a figure it withholds to avoid disclosing company data with "W". */
export const WITHHELD = 'W';

/** A production quantity, or null for a cell the source withholds (`W`). */
export function parseProductionQuantity(raw: string): number | null {
  return raw.trim() === WITHHELD ? null : parseQuantity(raw);
}

const GROUP_TAG = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * The one rule for a group tag, wherever a tag is written: countries.csv `groups`, groups.csv (import
 * wgi) and the policy's `partnerGroups`. A tag starts with a letter or a digit and holds only letters,
 * digits, "-" and "_" (case is kept: "EU" and "eu" are two tags). Returns what is wrong with `tag`, or
 * undefined when it is a valid tag.
 */
export function groupTagError(tag: string): string | undefined {
  if (GROUP_TAG.test(tag)) return undefined;
  if (tag === '') return 'group tag is empty';
  if (/^[A-Za-z0-9_-]+$/.test(tag)) return `group tag "${tag}" must start with a letter or digit`;
  return `group tag "${tag}" may hold only letters, digits, "-" and "_"`;
}

export function parseGroups(raw: string): string[] {
  const tags = raw
    .split(';')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  for (const tag of tags) {
    const error = groupTagError(tag);
    if (error !== undefined) throw new FieldError(error);
  }
  return [...new Set(tags)].sort();
}

export function parseCountryCodeDefinition(raw: string): string {
  const value = raw.trim();
  if (!COUNTRY_CODE.test(value)) {
    throw new FieldError(`country "${value}" is not a three-character upper-case code (e.g. JPN)`);
  }
  return value;
}
