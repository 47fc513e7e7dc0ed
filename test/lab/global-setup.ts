// One lab for all lab tests (2 docker hosts and 1 stand-in), torn down after them, also when a
// test or the setup itself fails. Not being root or missing a tool fails the run: never a skip.
// While another lab is up (someone else's test run or demo on this machine), it waits its turn.
import type { TestProject } from 'vitest/node';
import { sleep } from './exec.js';
import { down, LabBusy, preflight, up, type LabInfo, type UpOptions } from './lab.js';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo;
  }
}

const SHAPE = { hosts: 3, dockerHosts: 2 };
const WAIT_MS = 10 * 60_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const info = await upWhenFree(SHAPE);
  console.error(`lab up in ${Date.now() - started} ms`);
  project.provide('lab', info);
  return async () => {
    await down();
  };
}

async function upWhenFree(shape: UpOptions): Promise<LabInfo> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      preflight(shape); // makes nothing, so a failure here leaves nothing to tear down
    } catch (e) {
      if (!(e instanceof LabBusy) || Date.now() > deadline) throw e;
      await sleep(2000);
      continue;
    }
    const info = await upOrUndo(shape);
    if (info) return info;
  }
}

/** The lab, or undefined when another one claimed the machine first; any other failure undoes. */
async function upOrUndo(shape: UpOptions): Promise<LabInfo | undefined> {
  try {
    return await up(shape);
  } catch (e) {
    if (e instanceof LabBusy) return undefined;
    await down();
    throw e;
  }
}
