/**
 * Numeric country codes of UN Comtrade and CEPII BACI -> ISO 3166-1 alpha-3.
 *
 * Most are ISO 3166-1 numeric codes (from `i18n-iso-countries`). A few are the statistical
 * offices' own: the UN uses 842 for the USA, 251 France, 579 Norway, 699 India and 757 Switzerland
 * (codes that include overseas parts or territories), and 490 "Other Asia, nes", which is Taiwan in
 * practice (BACI writes its ISO3 as S19). Regional "nes" (not elsewhere specified) codes are flows
 * whose partner is unknown: they become the reserved unattributed code ZZZ. 0 is the World total.
 */
import { createRequire } from 'node:module';
import { UNATTRIBUTED } from '../domain/countries.js';

export type CodeMatch = { kind: 'country'; code: string } | { kind: 'unattributed'; code: typeof UNATTRIBUTED } | { kind: 'world' } | { kind: 'unknown' };

const STATISTICAL_CODES: Readonly<Record<string, string>> = {
  '842': 'USA',
  '251': 'FRA',
  '579': 'NOR',
  '699': 'IND',
  '757': 'CHE',
  '490': 'TWN',
};

/** Comtrade/BACI areas "not elsewhere specified", bunkers, free zones and special categories. */
const NOT_SPECIFIED = new Set([
  '129',
  '221',
  '290',
  '471',
  '472',
  '473',
  '492',
  '527',
  '536',
  '568',
  '577',
  '636',
  '637',
  '697',
  '837',
  '838',
  '839',
  '879',
  '899',
]);

/** BACI's own alpha codes for areas with no ISO code. */
const ALPHA_ALIASES: Readonly<Record<string, string>> = { S19: 'TWN' };

interface IsoNumeric {
  numericToAlpha3(code: string | number): string | undefined;
  isValid(code: string): boolean;
}

let iso: IsoNumeric | undefined;

function isoCodes(): IsoNumeric {
  if (!iso) iso = createRequire(import.meta.url)('i18n-iso-countries') as IsoNumeric;
  return iso;
}

export function resolveNumericCode(raw: string): CodeMatch {
  const code = raw.trim().replace(/^0+(?=\d)/, '');
  if (!/^\d+$/.test(code)) return { kind: 'unknown' };
  if (code === '0') return { kind: 'world' };
  const special = STATISTICAL_CODES[code];
  if (special) return { kind: 'country', code: special };
  if (NOT_SPECIFIED.has(code)) return { kind: 'unattributed', code: UNATTRIBUTED };
  const alpha3 = isoCodes().numericToAlpha3(code.padStart(3, '0'));
  return alpha3 ? { kind: 'country', code: alpha3 } : { kind: 'unknown' };
}

/** An ISO3 code as BACI writes it (S19 for Taiwan); "WLD" is the world. */
export function resolveAlpha3Code(raw: string): CodeMatch {
  const code = raw.trim().toUpperCase();
  if (code === 'WLD') return { kind: 'world' };
  const alias = ALPHA_ALIASES[code];
  if (alias) return { kind: 'country', code: alias };
  return /^[A-Z]{3}$/.test(code) && isoCodes().isValid(code) ? { kind: 'country', code } : { kind: 'unknown' };
}
