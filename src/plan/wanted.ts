// The rules fleet wants in one family: per chain of fleet's, the jump into it, then per published
// port one RETURN per allowed source of that family and one REJECT for everyone else. Bindings
// Docker DNATs go in FLEET (from DOCKER-USER); bindings docker-proxy serves go in FLEET-INPUT
// (from INPUT), the only place their packets cross.
import type { Family, PolicyRule, PublishedPort, Rule } from '../model.js';
import type { Restriction } from './restrict.js';
import { FLEET, OWNED, chainOf, familyOf, portLabel, rejectSpec, returnSpec, type Owned } from './spec.js';

function jumpRule(family: Family, owned: Owned = OWNED[0]!): Rule {
  const reason =
    owned.chain === FLEET
      ? `send the traffic of DOCKER-USER through fleet's chain ${FLEET} first`
      : `send IPv${family} traffic to docker-proxy's ports through fleet's chain ${owned.chain} first`;
  return { family, chain: owned.parent, spec: owned.jump, reason };
}

/**
 * `restrictions` must all be of `family`. `forward`: the table has DOCKER-USER, so FLEET and its
 * jump are wanted even when no port needs them (an empty FLEET costs nothing and shows fleet is
 * in charge). FLEET-INPUT exists only while some port needs it.
 */
export function wantedRules(restrictions: Restriction[], family: Family, forward = true): Rule[] {
  return OWNED.flatMap((owned) => {
    const mine = restrictions.filter((r) => chainOf(r.port) === owned.chain);
    const wanted = owned.chain === FLEET ? forward : mine.length > 0;
    return wanted ? [jumpRule(family, owned), ...mine.flatMap((r) => portRules(r, family))] : [];
  });
}

function portRules(restriction: Restriction, family: Family): Rule[] {
  const { port } = restriction;
  const label = `${portLabel(port)}${via(port)}`;
  const why = restriction.rules.map(because).join('; ');
  const chain = chainOf(port);
  const rule = (spec: string, reason: string): Rule => ({ family, chain, spec, reason });
  const allows = restriction.allow
    .filter((source) => source.family === family)
    .map((source) => rule(returnSpec(port, source), `allow ${source.cidr} to ${label} — ${why}`));
  const others = allows.length > 0 ? 'everyone else' : 'everyone';
  return [...allows, rule(rejectSpec(port), `reject ${others} from ${label} — ${why}`)];
}

/** `` for IPv4, ` over IPv6` or ` over IPv6 (docker-proxy)`: how the packets arrive. */
export function via(port: PublishedPort): string {
  if (familyOf(port) === 4) return '';
  return port.path === 'proxy' ? ' over IPv6 (docker-proxy)' : ' over IPv6';
}

/** `policy office-only, policies/office-only.yaml:6` */
function because(rule: PolicyRule): string {
  return `policy ${rule.policy}, ${rule.where.file}:${rule.where.line}`;
}
