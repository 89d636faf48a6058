/**
 * The policy file's schema and parser, loaded only when a policy file is given (zod is a large
 * module and most runs use the default policy). See policy.ts for the format.
 */
import { z } from 'zod';
import { groupTagError, STAGES } from '../domain/fields.js';
import { didYouMean } from '../domain/did-you-mean.js';
import { GAP_BASES, isIsoDate, type PolicyFile } from './policy-model.js';
import { InputError, type Problem } from '../domain/problems.js';

const share = z.number({ error: 'expected a number from 0 to 1' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');
const hhi = z.number({ error: 'expected a number from 0 to 10000' }).min(0, 'must be from 0 to 10000').max(10000, 'must be from 0 to 10000');
// Any finite number: WGI estimates can lie outside the nominal -2.5..2.5 (JSON has no NaN or Infinity).
const governance = z.number({ error: 'expected a WGI estimate (a number)' });
// The same rule as countries.csv and groups.csv (fields.ts groupTagError).
const groupTag = z.string({ error: 'expected a group tag' }).superRefine((tag, context) => {
  const error = groupTagError(tag);
  if (error !== undefined) context.addIssue({ code: 'custom', message: error });
});
const groups = z.array(groupTag, { error: 'expected an array of group tags' });
const countryCode = z.string({ error: 'expected a country code' }).regex(/^[A-Z][A-Z0-9]{2}$/, 'expected an upper-case ISO 3166-1 alpha-3 code such as JPN');
const countries = z.array(countryCode, { error: 'expected an array of country codes' });
const materialId = z.string({ error: 'expected a material id' }).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a lower-case material id such as cobalt');

const isoDate = z.string({ error: 'expected a date YYYY-MM-DD' }).refine(isIsoDate, 'expected a real date written YYYY-MM-DD');

const limitsShape = {
  maxSingleCountryShare: share,
  maxSupplierHhi: hhi,
  maxRedirectShare: share,
  minGovernance: governance,
  partnerGroups: groups,
  excludeCountries: countries,
};

const overrideSchema = z.strictObject(
  Object.fromEntries(Object.entries(limitsShape).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof typeof limitsShape]: z.ZodOptional<(typeof limitsShape)[K]>;
  },
);

const acceptSchema = z.strictObject({
  material: materialId,
  stage: z.enum(STAGES, { error: `expected one of ${STAGES.join(', ')}` }).optional(),
  basis: z.enum(GAP_BASES, { error: `expected one of ${GAP_BASES.join(', ')}` }).optional(),
  country: countryCode.optional(),
  reason: z.string({ error: 'expected a reason' }).trim().min(1, 'give a reason for accepting the risk'),
  expires: isoDate.optional(),
});

export const policyFileSchema = z.strictObject({
  $schema: z.string().optional(),
  importer: countryCode.optional(),
  ...Object.fromEntries(Object.entries(limitsShape).map(([key, schema]) => [key, schema.optional()])),
  materials: z.record(materialId, overrideSchema, { error: 'expected an object keyed by material' }).optional(),
  accept: z.array(acceptSchema, { error: 'expected an array of accept entries' }).optional(),
});

const KNOWN_KEYS: Record<'top' | 'material' | 'accept', readonly string[]> = {
  top: Object.keys(policyFileSchema.shape),
  material: Object.keys(limitsShape),
  accept: Object.keys(acceptSchema.shape),
};

/** Parses and validates the text of a policy file; throws InputError with every problem found. */
export function parsePolicy(text: string, file: string): PolicyFile {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const scan = scanJson(source);
  if (scan.error) {
    const { line, column } = lineColumn(source, scan.error.offset);
    throw new InputError([{ file, line, column, message: `invalid JSON: ${scan.error.message}` }]);
  }
  const problems: Problem[] = scan.duplicates.map((dup) => ({ file, ...dup.at, message: `key "${dup.key}" appears twice` }));
  const value: unknown = JSON.parse(source);
  const result = policyFileSchema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = [...issue.path, key];
          const hint = suggestion(key, issue.path);
          problems.push({ file, ...scan.at(path), message: `unknown key "${dottedPath(path)}"${hint}` });
        }
      } else {
        const where = issue.path.length > 0 ? `${dottedPath(issue.path)}: ` : '';
        problems.push({ file, ...scan.at(issue.path), message: `${where}${issue.message}` });
      }
    }
  }
  if (problems.length > 0) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new InputError(problems);
  }
  return result.data as PolicyFile;
}

function dottedPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('');
}

function suggestion(key: string, parent: readonly PropertyKey[]): string {
  const known = parent.length === 0 ? KNOWN_KEYS.top : parent[0] === 'materials' ? KNOWN_KEYS.material : parent[0] === 'accept' ? KNOWN_KEYS.accept : [];
  return `${didYouMean(key, known)}; allowed keys: ${known.filter((name) => name !== '$schema').join(', ')}`;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line += 1;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

interface JsonScan {
  error?: { offset: number; message: string };
  duplicates: { key: string; at: { line?: number; column?: number } }[];
  /** Where the value (or, for an object member, the key) at a path starts. */
  at(path: readonly PropertyKey[]): { line?: number; column?: number };
}

/**
 * A small JSON scanner (RFC 8259) that records where each member starts, finds duplicate keys and
 * the offset of the first syntax error. JSON.parse does the actual parsing once this passes.
 */
export function scanJson(text: string): JsonScan {
  const positions = new Map<string, number>();
  const duplicates: { key: string; offset: number }[] = [];
  let pos = 0;
  class Stop extends Error {
    constructor(
      readonly offset: number,
      message: string,
    ) {
      super(message);
    }
  }
  const fail = (message: string, offset = pos): never => {
    throw new Stop(offset, message);
  };
  const describe = (): string => (pos >= text.length ? 'end of file' : `"${text[pos]}"`);
  const skip = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos] ?? '')) pos++;
  };
  const key = (path: readonly PropertyKey[]): string => JSON.stringify(path.map(String));
  const string = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length) {
      const ch = text[pos] ?? '';
      if (ch === '"') {
        pos++;
        return JSON.parse(text.slice(start, pos)) as string;
      }
      if (ch === '\\') {
        const next = text[pos + 1] ?? '';
        if ('"\\/bfnrt'.includes(next) && next !== '') pos += 2;
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) pos += 6;
        else fail('invalid escape in string');
        continue;
      }
      if (ch < ' ') fail('control character or line break inside a string (unterminated string?)');
      pos++;
    }
    return fail('unterminated string', start);
  };
  const value = (path: PropertyKey[]): void => {
    skip();
    positions.set(key(path), pos);
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      skip();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      const seen = new Set<string>();
      for (;;) {
        skip();
        if (text[pos] !== '"') fail(`expected a key in double quotes, found ${describe()}`);
        const keyStart = pos;
        const name = string();
        if (seen.has(name)) duplicates.push({ key: name, offset: keyStart });
        seen.add(name);
        skip();
        if (text[pos] !== ':') fail(`expected ":" after key "${name}", found ${describe()}`);
        pos++;
        value([...path, name]);
        positions.set(key([...path, name]), keyStart);
        skip();
        if (text[pos] === ',') {
          pos++;
          skip();
          if (text[pos] === '}') fail('trailing comma before "}"');
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        fail(`expected "," or "}", found ${describe()}`);
      }
    }
    if (ch === '[') {
      pos++;
      skip();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (let index = 0; ; index++) {
        value([...path, index]);
        skip();
        if (text[pos] === ',') {
          pos++;
          skip();
          if (text[pos] === ']') fail('trailing comma before "]"');
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        fail(`expected "," or "]", found ${describe()}`);
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(pos));
    if (literal) {
      pos += literal[0].length;
      return;
    }
    fail(ch === "'" ? 'strings take double quotes' : `unexpected ${describe()}`);
  };
  let error: JsonScan['error'];
  try {
    value([]);
    skip();
    if (pos < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
  } catch (caught) {
    if (!(caught instanceof Stop)) throw caught;
    error = { offset: caught.offset, message: caught.message };
  }
  return {
    ...(error ? { error } : {}),
    duplicates: duplicates.map(({ key: name, offset }) => ({ key: name, at: lineColumn(text, offset) })),
    at(path) {
      for (let length = path.length; length >= 0; length--) {
        const offset = positions.get(key(path.slice(0, length)));
        if (offset !== undefined) return lineColumn(text, offset);
      }
      return {};
    },
  };
}
