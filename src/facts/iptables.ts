// `iptables-save` / `ip6tables-save` output to the filter table, rules in printed order.
import type { FilterTable } from '../model.js';

/**
 * The `*filter` part of `text`; other tables, comments and packet counters (`[0:0]`, printed by
 * `-c`) are skipped. Text with no `*filter` part gives a table with no chains.
 */
export function parseFilterTable(text: string): FilterTable {
  const table: FilterTable = { chains: new Map(), rules: [] };
  let inFilter = false;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('*')) inFilter = line === '*filter';
    else if (inFilter && line !== '' && !line.startsWith('#') && line !== 'COMMIT') {
      readLine(table, line, index + 1);
    }
  });
  return table;
}

function readLine(table: FilterTable, line: string, lineNo: number): void {
  const chain = /^:(\S+) (\S+)(?: \[\d+:\d+\])?$/.exec(line);
  if (chain?.[1] && chain[2]) {
    table.chains.set(chain[1], chain[2]);
    return;
  }
  const rule = /^(?:\[(\d+):\d+\] )?-A (\S+)(?: (.*))?$/.exec(line);
  if (!rule?.[2]) throw new Error(`iptables-save line ${lineNo} is not a chain or a rule: ${line}`);
  const packets = rule[1] === undefined ? {} : { packets: Number(rule[1]) };
  table.rules.push({ chain: rule[2], spec: rule[3] ?? '', ...packets });
}
