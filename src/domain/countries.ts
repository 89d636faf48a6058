/**
 * The country table: ISO 3166-1 alpha-3 codes and English names from the maintained
 * `i18n-iso-countries` list, extended and overridden by a data folder's countries.csv
 * (governance score and group tags live only there).
 */
import { createRequire } from 'node:module';

export interface Country {
  code: string;
  name: string;
  /** World Bank WGI Political Stability estimate, -2.5..2.5; null when the data gives none. */
  governance: number | null;
  groups: string[];
}

/**
 * Reserved code for production or trade that a source does not attribute to a country
 * ("Other countries", "Rest of world"). It counts in totals so shares stay honest, but it is never
 * a concentration term, never the top country and never a candidate supplier.
 */
export const UNATTRIBUTED = 'ZZZ';

interface IsoCountries {
  registerLocale(locale: unknown): void;
  getAlpha3Codes(): Record<string, string>;
  getName(code: string, lang: string, options: { select: 'all' }): string[] | undefined;
}

let builtIn: ReadonlyMap<string, Country> | undefined;

/** Every ISO alpha-3 code with a short English name, plus the reserved unattributed code. */
export function builtInCountries(): ReadonlyMap<string, Country> {
  if (builtIn) return builtIn;
  const require = createRequire(import.meta.url);
  // The package's index without its ~80 locale files (its default entry registers every one).
  const iso = require('i18n-iso-countries/index.js') as IsoCountries;
  iso.registerLocale(require('i18n-iso-countries/langs/en.json'));
  const namesByCode = new Map<string, string[]>();
  for (const code of Object.keys(iso.getAlpha3Codes())) {
    namesByCode.set(code, iso.getName(code, 'en', { select: 'all' }) ?? [code]);
  }
  const aliasCount = new Map<string, number>();
  for (const names of namesByCode.values()) for (const name of names) aliasCount.set(name, (aliasCount.get(name) ?? 0) + 1);
  const table = new Map<string, Country>();
  for (const [code, names] of namesByCode) {
    table.set(code, { code, name: shortName(names, (alias) => (aliasCount.get(alias) ?? 0) > 1), governance: null, groups: [] });
  }
  table.set(UNATTRIBUTED, { code: UNATTRIBUTED, name: 'Unattributed (other countries)', governance: null, groups: [] });
  builtIn = table;
  return table;
}

/** Takes the table from the prebuilt embedded data (prebuilt.ts) unless this process has built it already. */
export function primeBuiltInCountries(entries: Iterable<[string, Country]>): void {
  builtIn ??= new Map(entries);
}

const MAX_NAME_LENGTH = 24;

/** The official English name when it is short, else the shortest alias no other country shares. */
function shortName(names: string[], shared: (alias: string) => boolean): string {
  const official = names[0] ?? '';
  if (official.length <= MAX_NAME_LENGTH) return official;
  const usable = names.filter((alias) => /[a-z]/.test(alias) && !shared(alias));
  usable.sort((a, b) => a.length - b.length);
  return usable[0] ?? official;
}

export function isIsoAlpha3(code: string): boolean {
  return code !== UNATTRIBUTED && builtInCountries().has(code);
}
