// Sorting that gives the same order on every machine: by code unit, never by locale.

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
