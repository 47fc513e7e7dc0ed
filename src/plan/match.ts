// Which published ports each policy rule is about, and why a rule matched none.
import type { PolicyRule, PublishedPort, Target } from '../model.js';
import { targetLabel } from '../policy/conflicts.js';

export interface Match {
  rule: PolicyRule;
  port: PublishedPort;
}

/** `policy office-only (policies/office-only.yaml:6)` */
export function origin(rule: PolicyRule): string {
  return `policy ${rule.policy} (${rule.where.file}:${rule.where.line})`;
}

export function matchRules(
  rules: PolicyRule[],
  ports: PublishedPort[],
): { matches: Match[]; warnings: string[] } {
  const matches: Match[] = [];
  const warnings: string[] = [];
  for (const rule of rules) {
    const found = portsOf(rule.target, ports);
    if (typeof found === 'string') {
      warnings.push(`${origin(rule)}: ${found}, so the rule does nothing`);
    }
    else matches.push(...found.map((port) => ({ rule, port })));
  }
  return { matches, warnings };
}

type ContainerTarget = Extract<Target, { kind: 'container' }>;

/** The ports `target` means, or why there are none. */
function portsOf(target: Target, ports: PublishedPort[]): PublishedPort[] | string {
  if (target.kind === 'container') return containerPorts(target, ports);
  const { hostPort, protocol } = target;
  const found = ports.filter((p) => p.hostPort === hostPort && p.protocol === protocol);
  return found.length > 0 ? found : `no container publishes ${targetLabel(target)}`;
}

function containerPorts(target: ContainerTarget, ports: PublishedPort[]): PublishedPort[] | string {
  const mine = ports.filter((p) => p.container === target.container);
  if (mine.length === 0) return `container ${target.container} is not running or publishes no port`;
  const same = mine.filter((p) => p.protocol === target.protocol);
  const { port } = target;
  const found = port === undefined ? onlyPort(same) : same.filter((p) => p.containerPort === port);
  if (found.length > 0) return found;
  if (port !== undefined) {
    const what = `${port}/${target.protocol}`;
    return `${target.container} does not publish ${what} (it publishes ${published(mine)})`;
  }
  const count = new Set(same.map((p) => p.containerPort)).size;
  const which = count === 0 ? `no ${target.protocol} port` : `${count} ${target.protocol} ports`;
  return `${target.container} publishes ${which} (${published(mine)})` +
    ' and the rule names no `port`';
}

/** The bindings of the one container port among `ports`; none when there are several. */
function onlyPort(ports: PublishedPort[]): PublishedPort[] {
  return new Set(ports.map((p) => p.containerPort)).size === 1 ? ports : [];
}

function published(ports: PublishedPort[]): string {
  return [...new Set(ports.map((p) => `${p.containerPort}/${p.protocol}`))].join(', ');
}
