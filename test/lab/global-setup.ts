// One lab for all lab tests (2 docker hosts and 1 stand-in), torn down after them, also when a
// test or the setup itself fails. Not being root or missing a tool fails the run: never a skip.
import type { TestProject } from 'vitest/node';
import { down, preflight, up, type LabInfo } from './lab.js';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo;
  }
}

const SHAPE = { hosts: 3, dockerHosts: 2 };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  preflight(SHAPE); // makes nothing, so a failure here leaves nothing to tear down
  try {
    const started = Date.now();
    const info = await up(SHAPE);
    console.error(`lab up in ${Date.now() - started} ms`);
    project.provide('lab', info);
  } catch (e) {
    await down();
    throw e;
  }
  return async () => {
    await down();
  };
}
