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

/** Scripts up to this many bytes go in the command line itself. */
export const INLINE_SCRIPT_BYTES = 64 * 1024;

/**
 * A script of any size. Up to INLINE_SCRIPT_BYTES it goes in the command line, as one argument
 * of sh, which spares the host the process that would read it from stdin. A larger one is sent
 * on stdin, since Linux caps one argument at 128 KiB (a host with a few hundred rules would pass
 * that): the shell reads all of it before running any of it, so nothing the script runs can
 * read the rest of it as input.
 */
export function remoteScript(script: string, sudo: boolean): { command: string; stdin?: string } {
  if (Buffer.byteLength(script) <= INLINE_SCRIPT_BYTES) return { command: shCommand(script, sudo) };
  return { command: shCommand('eval "$(cat)"', sudo), stdin: script };
}
