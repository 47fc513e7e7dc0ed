// OpenSSH's host patterns, shared by ssh_config `Host` lines and known_hosts host lists.

/** `*` matches any run of characters (also none), `?` exactly one; everything else itself. */
export function matchPattern(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A list matches when one plain pattern matches and no negated (`!`) one does. */
export function matchPatternList(text: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchPattern(text, pattern.slice(1))) return false;
    } else if (matchPattern(text, pattern)) {
      matched = true;
    }
  }
  return matched;
}
