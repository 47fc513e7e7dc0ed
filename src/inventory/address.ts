// A host's SSH address: IPv4, IPv6 or a DNS name, checked, and reduced to a key that two ways of
// writing the same address share (for finding a host given twice).
import ipaddr from 'ipaddr.js';
import type { Parsed } from '../config/report.js';

const LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export function addressKey(text: string): Parsed<string> {
  if (text.includes(':')) {
    if (!ipaddr.IPv6.isValid(text)) return bad(text, 'IPv6 address');
    return { ok: true, value: ipaddr.IPv6.parse(text).toRFC5952String() };
  }
  if (/^[\d.]+$/.test(text)) {
    return ipaddr.IPv4.isValidFourPartDecimal(
      text) ? { ok: true,
      value: text } : bad(text,
      'IPv4 address',
    );
  }
  const name = text.replace(/\.$/, '');
  const labels = name.split('.');
  if (name.length > 253 || !labels.every((l) => LABEL.test(l))) return bad(text, 'DNS name');
  return { ok: true, value: name.toLowerCase() };
}

function bad(text: string, what: string): Parsed<never> {
  const fix = 'write an IPv4 or IPv6 address, or a DNS name';
  return { ok: false, problem: `\`${text}\` is not a valid ${what}`, fix };
}
