/**
 * English country names as the publishers write them -> ISO 3166-1 alpha-3.
 *
 * The names come from the maintained `i18n-iso-countries` list (every English name and alias it
 * knows), plus a small alias table for the spellings it does not know (USGS "Congo (Kinshasa)" and
 * "Burma", ITC "Taipei, Chinese", IEA "Democratic Republic of Congo", ...). Footnote marks that
 * USGS glues onto names ("Russiae", "New Caledonia11") are removed before the look-up. A name that
 * matches nothing is reported as unknown: it is never guessed.
 */
import { createRequire } from 'node:module';
import { UNATTRIBUTED } from '../domain/countries.js';

export type NameMatch =
  | { kind: 'country'; code: string }
  /** "Other countries", "Rest of world": counted as the reserved code ZZZ. */
  | { kind: 'unattributed'; code: typeof UNATTRIBUTED }
  /** "World", "World total (rounded)": a total, not a country. */
  | { kind: 'world' }
  | { kind: 'unknown' };

/** Spellings the ISO list does not carry, keyed by their normalised form (see normalise()). */
const ALIASES: Readonly<Record<string, string>> = {
  // USGS Mineral Commodity Summaries
  'congo (kinshasa)': 'COD',
  'congo (brazzaville)': 'COG',
  // ISO 3166's own short name for COG; i18n-iso-countries also lists "Congo" as an alias of COD.
  congo: 'COG',
  burma: 'MMR',
  'korea, north': 'PRK',
  laos: 'LAO',
  syria: 'SYR',
  // ITC Trade Map
  'taipei, chinese': 'TWN',
  'viet nam': 'VNM',
  'congo, democratic republic of the': 'COD',
  'tanzania, united republic of': 'TZA',
  'iran, islamic republic of': 'IRN',
  'bolivia, plurinational state of': 'BOL',
  'venezuela, bolivarian republic of': 'VEN',
  "korea, democratic people's republic of": 'PRK',
  'hong kong, china': 'HKG',
  'macao, china': 'MAC',
  'north macedonia': 'MKD',
  'moldova, republic of': 'MDA',
  moldova: 'MDA',
  'palestine, state of': 'PSE',
  'czech republic': 'CZE',
  swaziland: 'SWZ',
  'cabo verde': 'CPV',
  // IEA Critical Minerals Data Explorer
  'democratic republic of congo': 'COD',
  'democratic republic of the congo': 'COD',
  // World Mining Data (BMF Austria)
  'congo, d.r.': 'COD',
  'congo, rep.': 'COG',
  'korea, south': 'KOR',
  'bosnia-herzegovina': 'BIH',
  brunei: 'BRN',
};

const WORLD = /^world\b/;
const REMAINDER = /^(other countries|others?|rest of (the )?world)\b/;

let table: ReadonlyMap<string, string> | undefined;

/** Resolves one name; see NameMatch. */
export function resolveCountryName(raw: string): NameMatch {
  const name = normalise(raw);
  if (name === '') return { kind: 'unknown' };
  if (WORLD.test(name)) return { kind: 'world' };
  if (REMAINDER.test(name)) return { kind: 'unattributed', code: UNATTRIBUTED };
  for (const candidate of candidates(name)) {
    const code = lookup(candidate);
    if (code) return { kind: 'country', code };
  }
  return { kind: 'unknown' };
}

/** The name as printed in messages: no-break spaces and runs of spaces made single spaces. */
export function cleanName(raw: string): string {
  return raw.replace(/[\u00a0\s]+/g, ' ').trim();
}

/** Lower case, no accents, straight apostrophes, single spaces: the key of every look-up. */
export function normalise(raw: string): string {
  return cleanName(raw)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/^"|"$/g, '')
    .toLowerCase()
    .trim();
}

/**
 * The name itself, then the name without USGS footnote marks: trailing digits ("Italy8"), a
 * trailing qualifier in parentheses ("Denmark (processed)5"), and a trailing "e" (estimated) that is
 * only removed when the shortened name is a country ("Russiae", but never "Ukraine" -> "Ukrain").
 */
function candidates(name: string): string[] {
  const out = [name];
  let current = name;
  for (;;) {
    const next = current
      .replace(/\d+$/, '')
      .replace(/\s*\([^()]*\)$/, '')
      .trim();
    if (next === current || next === '') break;
    out.push(next);
    current = next;
  }
  for (const base of [...out]) {
    if (base.endsWith('e') && !lookup(base)) out.push(base.slice(0, -1));
  }
  return out;
}

function lookup(name: string): string | undefined {
  return ALIASES[name] ?? isoNames().get(name);
}

interface IsoCountries {
  registerLocale(locale: unknown): void;
  getNames(lang: string, options: { select: 'all' }): Record<string, string[]>;
  alpha2ToAlpha3(code: string): string | undefined;
}

/** Every English name and alias of the ISO list; a name two countries share is left out (ambiguous). */
function isoNames(): ReadonlyMap<string, string> {
  if (table) return table;
  const require = createRequire(import.meta.url);
  const iso = require('i18n-iso-countries') as IsoCountries;
  iso.registerLocale(require('i18n-iso-countries/langs/en.json'));
  const byName = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const [alpha2, names] of Object.entries(iso.getNames('en', { select: 'all' }))) {
    const alpha3 = iso.alpha2ToAlpha3(alpha2);
    if (!alpha3) continue;
    for (const name of names) {
      const key = normalise(name);
      const known = byName.get(key);
      if (known !== undefined && known !== alpha3) ambiguous.add(key);
      byName.set(key, alpha3);
    }
  }
  for (const key of ambiguous) byName.delete(key);
  table = byName;
  return byName;
}
