/**
 * Conventional short English names for the table, where the official name is too long for a column
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

/** The name to show in a table column: the short form where one exists, else the name, cut to fit. */
export function displayName(code: string, name: string): string {
  const short = name.length > MAX_NAME ? (SHORT_NAMES[code] ?? name) : name;
  return short.length > MAX_NAME ? `${short.slice(0, MAX_NAME - 1)}…` : short;
}
