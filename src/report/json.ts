// `--json`: the same results for scripts, one object, hosts sorted by name.
import type { HostResult } from '../run/fleet.js';
import { byName, counts } from './text.js';

export function toJson(command: string, results: HostResult[]): string {
  const hosts = byName(results).map((r) => ({
    host: r.host.name,
    address: r.host.address,
    ok: !r.error,
    error: r.error ? { step: r.error.step, message: r.error.message } : undefined,
    matched: r.plan?.matched,
    ...counts(r.plan),
    changes: r.plan?.changes.map(({ op, rule }) => ({ op, ...rule })),
    warnings: r.plan?.warnings,
    notes: r.plan?.notes,
    applied: r.applied,
    seconds: Number(r.seconds.toFixed(3)),
  }));
  return `${JSON.stringify({ command, hosts }, null, 2)}\n`;
}
