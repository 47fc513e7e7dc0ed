// npm run lab -- up [N] [--docker D] | down | status | reboot HOST | probe [PORT...] | capture-standin [HOST]
import { Command } from 'commander';
import { current, down, probe, reboot, status, up } from './lab.js';
import { captureStandin } from './standin.js';

const program = new Command('lab').description('the fleet lab: simulated hosts on this machine');

program
  .command('up')
  .argument('[hosts]', 'how many hosts', '3')
  .option('--docker <count>', 'how many of them (lab1 on) run a real dockerd', '2')
  .option('--parallel <count>', 'how many hosts are set up at once', '16')
  .action(async (hosts: string, opts: { docker: string; parallel: string }) => {
    const started = Date.now();
    const info = await up({
      hosts: Number(hosts), dockerHosts: Number(opts.docker), parallel: Number(opts.parallel),
    });
    const docker = info.hosts.filter((h) => h.kind === 'docker').length;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.error(`lab up in ${seconds} s: ${info.hosts.length} hosts, ${docker} with dockerd`);
    console.log(info.inventoryFile);
  });

program.command('down').action(async () => {
  const removed = await down();
  const parts = [
    `${removed.processes} processes`, `${removed.mounts} mounts`,
    `${removed.netns.length} namespaces`, `${removed.paths.length} paths`,
    `users: ${removed.users.join(' ') || '-'}`,
  ];
  console.error(`lab down: ${parts.join(', ')}`);
});

program.command('status').action(() => {
  const hosts = status();
  if (!hosts) {
    console.log('no lab is up');
    return;
  }
  for (const h of hosts) {
    const state = (running: boolean) => (running ? 'running' : 'STOPPED');
    const dockerd = h.dockerd === null ? '' : ` dockerd ${state(h.dockerd)}`;
    console.log(`${h.name.padEnd(7)} ${h.kind.padEnd(8)} sshd ${state(h.sshd)}${dockerd}`);
  }
});

program
  .command('reboot')
  .argument('<host>')
  .action(async (name: string) => {
    const started = Date.now();
    await reboot(name);
    console.error(`${name} rebooted in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

program
  .command('capture-standin')
  .description("save a docker host's answers and chain layout for the stand-ins (test/lab/standin)")
  .argument('[host]', 'a docker host in its default state', 'lab1')
  .action(async (name: string) => {
    const host = current()?.hosts.find((h) => h.name === name && h.kind === 'docker');
    if (!host) throw new Error(`${name} is not a docker host of the running lab`);
    await captureStandin(host);
  });

program
  .command('probe')
  .description('who can connect: each client to each docker host and port, over IPv4 and IPv6')
  .argument('[ports...]', 'ports to try', ['8080', '8081'])
  .action(async (ports: string[]) => {
    const info = current();
    if (!info) throw new Error('no lab is up: run `npm run lab -- up`');
    for (const host of info.hosts.filter((h) => h.kind === 'docker')) {
      for (const client of info.clients) {
        for (const [family, address] of [['IPv4', host.address], ['IPv6', host.address6]] as const) {
          const seen = await Promise.all(ports.map(async (p) => `${p} ${await probe(client.name, address, Number(p))}`));
          console.log(`${client.name} -> ${host.name} ${family}: ${seen.join(', ')}`);
        }
      }
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
