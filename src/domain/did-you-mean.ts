/** "Did you mean" hints: the closest known name to a likely typo (policy keys, partner groups, materials). */

/**
 * The name in `known` closest to `word` (case-insensitive; a swap of two neighbouring letters counts
 * as one edit), when it is close enough to be a likely typo; else undefined. Used for "did you mean"
 * hints on policy keys, partner groups and materials.
 */
export function closestName(word: string, known: Iterable<string>): string | undefined {
  const target = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(name.toLowerCase(), target);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  if (best === undefined) return undefined;
  const close = bestDistance <= Math.max(2, Math.floor(word.length / 4)) && bestDistance < Math.min(word.length, best.length);
  return close || bestDistance === 0 ? best : undefined;
}

/** ` (did you mean "X"?)` for the closest known name, or an empty string. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const best = closestName(word, known);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((rows[i - 1]?.[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (rows[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(value);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}
