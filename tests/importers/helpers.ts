import { fileURLToPath } from 'node:url';

/** A file under tests/fixtures/importers/. */
export function importerFixture(path: string): string {
  return fileURLToPath(new URL(`../fixtures/importers/${path}`, import.meta.url));
}

export const HS_MAP = fileURLToPath(new URL('../../data/hs-codes.csv', import.meta.url));
