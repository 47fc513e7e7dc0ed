// The one place where values become remote shell text. Everything a remote host runs is built
// from fixed script text plus values passed through quote().

/** Quote one value for a POSIX shell: the result is always a single literal word. */
export function quote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The command line that runs a short `script` in `sh`, as root through `sudo -n` when asked. */
export function shCommand(script: string, sudo: boolean): string {
  const sh = `sh -c ${quote(script)}`;
  return sudo ? `sudo -n ${sh}` : sh;
}

/**
 * A script of any size, sent on stdin rather than in the command line, where Linux caps one
 * argument at 128 KiB (a host with a few hundred rules would pass that). The shell reads the
 * whole script before running it, so nothing the script runs can read the rest of it as input.
 */
export function remoteScript(script: string, sudo: boolean): { command: string; stdin: string } {
  return { command: shCommand('eval "$(cat)"', sudo), stdin: script };
}
