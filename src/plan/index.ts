// The planner and what renders its result for a host.
export { planHost } from './plan.js';
export { renderClear, renderRestore } from './restore.js';
export { fleetLines } from './live.js';
