// "did you mean" for a misspelt key or name.

/** The candidate closest to `word`, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** `did you mean \`x\`?` when one is close, else the list of what would be accepted. */
export function suggest(word: string, candidates: readonly string[], listAs: string): string {
  const near = closest(word, candidates);
  if (near) return `did you mean \`${near}\`?`;
  return candidates.length ? `${listAs}: ${candidates.join(', ')}` : `there are no ${listAs}`;
}

/** Edits (insert, delete, change, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = cellDistance(d, a, b, i, j);
  }
  return d[a.length]![b.length]!;
}

function cellDistance(d: number[][], a: string, b: string, i: number, j: number): number {
  const change = a[i - 1] === b[j - 1] ? 0 : 1;
  let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + change);
  if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
    best = Math.min(best, d[i - 2]![j - 2]! + 1);
  }
  return best;
}
