/**
 * Conventional short English names for people, where the official name is long or formal
 * ("Democratic Republic of the Congo" -> "DR Congo"). Display only: JSON and CSV carry codes.
 */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  ARE: 'UAE',
  BIH: 'Bosnia-Herzegovina',
  BOL: 'Bolivia',
  CAF: 'Central African Rep.',
  COD: 'DR Congo',
  COG: 'Congo',
  CZE: 'Czechia',
  DOM: 'Dominican Rep.',
  GBR: 'United Kingdom',
  IRN: 'Iran',
  KOR: 'South Korea',
  LAO: 'Laos',
  MDA: 'Moldova',
  MKD: 'North Macedonia',
  PNG: 'Papua New Guinea',
  PRK: 'North Korea',
  RUS: 'Russia',
  SYR: 'Syria',
  TWN: 'Taiwan',
  TZA: 'Tanzania',
  USA: 'United States',
  VEN: 'Venezuela',
  VNM: 'Vietnam',
};

const MAX_NAME = 18;

/** The conventional short form of an official name ("Russian Federation" -> "Russia"). */
export function conventionalName(code: string, name: string): string {
  return SHORT_NAMES[code] ?? name;
}

/** A name cut to fit a table column. */
export function displayName(name: string): string {
  return name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name;
}
