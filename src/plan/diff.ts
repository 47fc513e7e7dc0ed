// The shortest list of adds and removes that turns one ordered list of lines into another.

export type Step =
  | { op: 'keep' | 'remove'; line: string }
  | { op: 'add'; line: string; index: number };

/** Steps in order; `index` of an add is its place in `wanted`. */
export function diffLines(live: string[], wanted: string[]): Step[] {
  const common = commonAfter(live, wanted);
  const steps: Step[] = [];
  let i = 0;
  let j = 0;
  while (i < live.length || j < wanted.length) {
    const step = nextStep(live, wanted, common, [i, j]);
    steps.push(step);
    if (step.op !== 'add') i++;
    if (step.op !== 'remove') j++;
  }
  return steps;
}

function nextStep(
  live: string[],
  wanted: string[],
  common: number[][],
  at: [number, number],
): Step {
  const [i, j] = at;
  const line = live[i];
  if (line !== undefined && line === wanted[j]) return { op: 'keep', line };
  const afterRemove = common[i + 1]?.[j] ?? 0;
  const afterAdd = common[i]?.[j + 1] ?? 0;
  if (line !== undefined && (j >= wanted.length || afterRemove >= afterAdd)) {
    return { op: 'remove', line };
  }
  return { op: 'add', line: wanted[j] ?? '', index: j };
}

/** common[i][j]: length of the longest common subsequence of live[i..] and wanted[j..]. */
function commonAfter(live: string[], wanted: string[]): number[][] {
  const common = live.map(() => new Array<number>(wanted.length + 1).fill(0));
  common.push(new Array<number>(wanted.length + 1).fill(0));
  for (let i = live.length - 1; i >= 0; i--) {
    const row = common[i]!;
    const below = common[i + 1]!;
    for (let j = wanted.length - 1; j >= 0; j--) {
      row[j] = live[i] === wanted[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
    }
  }
  return common;
}
