// Files fleet reads again on every connection, since they may change meanwhile (known_hosts,
// ~/.ssh/config). Parsing each one per connection made a run over N hosts of a file that lists
// them all cost N² lines, so the last text parsed per file is kept with its result, and the result
// is used again while the file reads the same.

/** `parse`, remembering its last result per file for as long as the file's text is the same. */
export function parsedWhileUnchanged<T>(
  parse: (text: string, file: string) => T,
): (file: string, text: string) => T {
  const last = new Map<string, { text: string; value: T }>();
  return (file, text) => {
    const kept = last.get(file);
    if (kept?.text === text) return kept.value;
    const value = parse(text, file);
    last.set(file, { text, value });
    return value;
  };
}
