// The rules fleet wants in one family: the jump into FLEET, then per published port one RETURN per
// allowed source of that family and one REJECT for everyone else.
import type { Family, PolicyRule, Rule } from '../model.js';
import type { Restriction } from './restrict.js';
import { DOCKER_USER, FLEET, JUMP, portLabel, rejectSpec, returnSpec } from './spec.js';

export function jumpRule(family: Family): Rule {
  const reason = `send the traffic of DOCKER-USER through fleet's chain ${FLEET} first`;
  return { family, chain: DOCKER_USER, spec: JUMP, reason };
}

/** `restrictions` must all be of `family`. */
export function wantedRules(restrictions: Restriction[], family: Family): Rule[] {
  return [jumpRule(family), ...restrictions.flatMap((r) => portRules(r, family))];
}

function portRules(restriction: Restriction, family: Family): Rule[] {
  const { port } = restriction;
  const label = portLabel(port);
  const why = restriction.rules.map(because).join('; ');
  const rule = (spec: string, reason: string): Rule => ({ family, chain: FLEET, spec, reason });
  const allows = restriction.allow
    .filter((source) => source.family === family)
    .map((source) => rule(returnSpec(port, source), `allow ${source.cidr} to ${label} — ${why}`));
  const others = allows.length > 0 ? 'everyone else' : 'everyone';
  return [...allows, rule(rejectSpec(port), `reject ${others} from ${label} — ${why}`)];
}

/** `policy office-only, policies/office-only.yaml:5` */
function because(rule: PolicyRule): string {
  return `policy ${rule.policy}, ${rule.where.file}:${rule.where.line}`;
}
