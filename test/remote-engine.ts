import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { testNodeImage } from './docker.js';
import { lacking, onPath, pings, serving, sh, stopChild, type TestEngine } from './engines.js';

/**
 * A second `dockerd` on "another machine": a network namespace of its own joined to this one by a
 * veth pair, reachable over TLS (certificates made here with openssl) and over ssh (an sshd in that
 * namespace). It has its own data root, so it holds nothing of the local engine's images.
 */
export interface RemoteEngine {
  /** Its address, as a user would put it in DOCKER_HOST. */
  address: string;
  /** `DOCKER_HOST=tcp://…:2376` with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` (the client's certificates). */
  tls: TestEngine;
  /** `DOCKER_HOST=ssh://root@…`, through the ssh on PATH with this suite's keys and known_hosts. */
  ssh: TestEngine;
  /** A folder of a CA, a client certificate and key the engine has never heard of. */
  strangerCerts: string;
  /** The ssh wrapper's folder and files, for the suite that breaks them. */
  sshDir: string;
  stop(): Promise<void>;
}

const needs = ['ip', 'nsenter', 'iptables', 'dockerd', 'docker', 'openssl', 'ssh', 'ssh-keygen'];

export async function startRemoteEngine(): Promise<RemoteEngine | undefined> {
  if (process.getuid?.() !== 0)
    return lacking('the remote engine runs in a network namespace', 'run the suite as root');
  const missing = needs.filter((name) => !onPath(name));
  if (missing.length > 0)
    return lacking(`no ${missing.join(', ')}`, 'apt-get install -y iproute2 iptables docker.io openssl openssh-client');
  if (!existsSync('/usr/sbin/sshd')) return lacking('no sshd', 'apt-get install -y openssh-server');
  await sweepStaleNamespaces();
  const id = process.pid;
  const net = await pickSubnet(id);
  const dir = mkdtempSync(`/tmp/pdr${id}-`);
  const parts: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const undo of parts.reverse())
      await undo().catch((error: Error) => console.warn(`remote engine teardown: ${error.message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    parts.push(await joinNamespace(id, net));
    const certs = await makeCertificates(dir, net.remote);
    const socket = join(dir, 'docker.sock');
    const dockerd = await startDockerd(id, dir, socket, net.remote);
    parts.push(() => stopChild(dockerd));
    await sh('sh', ['-c', `docker save ${testNodeImage} | docker -H unix://${socket} load`]);
    const sshd = await startSshd(id, dir, socket, net.remote);
    parts.push(() => stopChild(sshd));
    const tlsEnv = { DOCKER_HOST: `tcp://${net.remote}:2376`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.client };
    const direct = new Docker({ socketPath: socket });
    const keep = async () => undefined;
    return {
      address: net.remote,
      tls: { env: tlsEnv, docker: direct, stop: keep },
      ssh: {
        env: { DOCKER_HOST: `ssh://root@${net.remote}`, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` },
        docker: direct,
        stop: keep,
      },
      strangerCerts: certs.stranger,
      sshDir: join(dir, 'ssh'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Subnet {
  host: string;
  remote: string;
  cidr: string;
  namespace: string;
  hostLink: string;
  remoteLink: string;
}

/** A /24 in 10.0.0.0/8 that no interface here uses, picked from the pid so parallel runs differ. */
async function pickSubnet(id: number): Promise<Subnet> {
  const used = await sh('ip', ['-4', '-o', 'addr']);
  for (let n = 0; n < 64; n++) {
    const prefix = `10.${200 + ((id + n) % 50)}.${(id >> 6) % 250}`;
    if (used.includes(`${prefix}.`)) continue;
    return {
      host: `${prefix}.1`,
      remote: `${prefix}.2`,
      cidr: `${prefix}.0/24`,
      namespace: `pdk${id}`,
      hostLink: `pdh${id}`,
      remoteLink: `pdn${id}`,
    };
  }
  throw new Error('no free 10.x.y.0/24 for the remote engine');
}

/**
 * The namespace, its link to this machine, and NAT so builds there reach the npm registry. Returns
 * the undo. Rules carry a comment naming this run, so a crashed run's are found and removed.
 */
async function joinNamespace(id: number, net: Subnet): Promise<() => Promise<void>> {
  const tag = ['-m', 'comment', '--comment', `procdock-test-${id}`];
  const rules = [
    ['-t', 'nat', 'POSTROUTING', '-s', net.cidr, '!', '-o', net.hostLink, '-j', 'MASQUERADE'],
    ['-t', 'filter', 'FORWARD', '-i', net.hostLink, '-j', 'ACCEPT'],
    ['-t', 'filter', 'FORWARD', '-o', net.hostLink, '-j', 'ACCEPT'],
  ];
  const rule = (action: string, [table, name, chain, ...spec]: string[]) => [
    '-w',
    table!,
    name!,
    action,
    chain!,
    ...spec,
    ...tag,
  ];
  const undo = async () => {
    for (const r of rules) await sh('iptables', rule('-D', r)).catch(() => undefined);
    await sh('ip', ['netns', 'del', net.namespace]).catch(() => undefined);
    await sh('ip', ['link', 'del', net.hostLink]).catch(() => undefined);
  };
  try {
    const inside = (...args: string[]) => sh('ip', ['netns', 'exec', net.namespace, ...args]);
    await sh('ip', ['netns', 'add', net.namespace]);
    await sh('ip', ['link', 'add', net.hostLink, 'type', 'veth', 'peer', 'name', net.remoteLink]);
    await sh('ip', ['link', 'set', net.remoteLink, 'netns', net.namespace]);
    await sh('ip', ['addr', 'add', `${net.host}/24`, 'dev', net.hostLink]);
    await sh('ip', ['link', 'set', net.hostLink, 'up']);
    await inside('ip', 'addr', 'add', `${net.remote}/24`, 'dev', net.remoteLink);
    await inside('ip', 'link', 'set', net.remoteLink, 'up');
    await inside('ip', 'link', 'set', 'lo', 'up');
    await inside('ip', 'route', 'add', 'default', 'via', net.host);
    await inside('sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
    for (const r of rules) await sh('iptables', rule(r[2] === 'POSTROUTING' ? '-A' : '-I', r));
    return undo;
  } catch (error) {
    await undo();
    throw error;
  }
}

/** Namespaces and rules of earlier runs whose process is gone (a run killed before its teardown). */
async function sweepStaleNamespaces(): Promise<void> {
  const names = (await sh('ip', ['netns', 'list']))
    .split('\n')
    .map((line) => /^pdk(\d+)/.exec(line)?.[1])
    .filter((pid): pid is string => !!pid);
  for (const pid of names.filter((pid) => !existsSync(`/proc/${pid}`))) {
    const pids = (await sh('ip', ['netns', 'pids', `pdk${pid}`]).catch(() => '')).split('\n').filter(Boolean);
    for (const p of pids) await sh('kill', ['-9', p]).catch(() => undefined);
    await sh('ip', ['netns', 'del', `pdk${pid}`]).catch(() => undefined);
    await sh('ip', ['link', 'del', `pdh${pid}`]).catch(() => undefined);
    for (const table of ['nat', 'filter']) {
      const rules = (await sh('iptables', ['-w', '-t', table, '-S']))
        .split('\n')
        .filter((r) => r.includes(`procdock-test-${pid}`));
      for (const r of rules)
        await sh('iptables', [
          '-w',
          '-t',
          table,
          ...r
            .replace(/^-A /, '-D ')
            .split(' ')
            .map((w) => w.replace(/^"|"$/g, '')),
        ]).catch(() => undefined);
    }
  }
}

/** A CA, the engine's certificate for its address, a client certificate, and a stranger's set. */
async function makeCertificates(
  dir: string,
  address: string,
): Promise<{ client: string; server: string; stranger: string }> {
  const ssl = (...args: string[]) => sh('openssl', args);
  const key = (file: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file);
  const ca = async (folder: string, name: string) => {
    mkdirSync(folder, { recursive: true });
    await key(join(folder, 'ca-key.pem'));
    await ssl(
      'req',
      '-x509',
      '-new',
      '-key',
      join(folder, 'ca-key.pem'),
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-out',
      join(folder, 'ca.pem'),
    );
  };
  const sign = async (caFolder: string, out: string, prefix: string, subject: string, extensions: string) => {
    mkdirSync(out, { recursive: true });
    await key(join(out, `${prefix}key.pem`));
    await ssl(
      'req',
      '-new',
      '-key',
      join(out, `${prefix}key.pem`),
      '-subj',
      `/CN=${subject}`,
      '-out',
      join(out, `${prefix}req.csr`),
    );
    writeFileSync(join(out, `${prefix}ext.cnf`), extensions);
    await ssl(
      'x509',
      '-req',
      '-in',
      join(out, `${prefix}req.csr`),
      '-CA',
      join(caFolder, 'ca.pem'),
      '-CAkey',
      join(caFolder, 'ca-key.pem'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      join(out, `${prefix}ext.cnf`),
      '-out',
      join(out, `${prefix}cert.pem`),
    );
  };
  const tls = join(dir, 'tls');
  await ca(join(tls, 'ca'), 'procdock-test-ca');
  await sign(
    join(tls, 'ca'),
    join(tls, 'server'),
    '',
    address,
    `subjectAltName=IP:${address}\nextendedKeyUsage=serverAuth\n`,
  );
  await sign(join(tls, 'ca'), join(tls, 'client'), '', 'procdock-test-client', 'extendedKeyUsage=clientAuth\n');
  writeFileSync(join(tls, 'client', 'ca.pem'), readFileSync(join(tls, 'ca', 'ca.pem')));
  // A stranger: its own CA, and a client certificate the engine's CA never signed.
  await ca(join(tls, 'stranger-ca'), 'stranger-ca');
  await sign(join(tls, 'stranger-ca'), join(tls, 'stranger'), '', 'stranger', 'extendedKeyUsage=clientAuth\n');
  writeFileSync(join(tls, 'stranger', 'ca.pem'), readFileSync(join(tls, 'stranger-ca', 'ca.pem')));
  return { client: join(tls, 'client'), server: join(tls, 'server'), stranger: join(tls, 'stranger') };
}

/** dockerd in the namespace: its own data root, exec root, pidfile and sockets; TLS on 2376. */
async function startDockerd(id: number, dir: string, socket: string, address: string): Promise<ChildProcess> {
  const tls = join(dir, 'tls');
  // nsenter, not `ip netns exec`: that also makes a mount namespace whose fresh /sys hides the cgroups.
  const child = spawn(
    'nsenter',
    [
      `--net=/var/run/netns/pdk${id}`,
      'dockerd',
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'x'),
      '--pidfile',
      join(dir, 'docker.pid'),
      '-H',
      `unix://${socket}`,
      '-H',
      `tcp://${address}:2376`,
      '--tlsverify',
      '--tlscacert',
      join(tls, 'ca', 'ca.pem'),
      '--tlscert',
      join(tls, 'server', 'cert.pem'),
      '--tlskey',
      join(tls, 'server', 'key.pem'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const docker = new Docker({ socketPath: socket });
  try {
    await serving(child, pings(docker), 'the remote dockerd', 120_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}

/**
 * An sshd in the namespace that lets this suite's key in as root, its sessions pointed at the
 * remote dockerd. The client side is an `ssh` first on PATH that adds this suite's config: the
 * stand-in for a user's ~/.ssh (OpenSSH reads the passwd entry's home, not $HOME).
 */
async function startSshd(id: number, dir: string, socket: string, address: string): Promise<ChildProcess> {
  const ssh = join(dir, 'ssh');
  mkdirSync(ssh, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(ssh, 'host_key')]);
  await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(ssh, 'id_ed25519')]);
  writeFileSync(join(ssh, 'authorized_keys'), readFileSync(join(ssh, 'id_ed25519.pub')));
  const hostKey = readFileSync(join(ssh, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(ssh, 'known_hosts'), `${address} ${hostKey}\n`);
  writeFileSync(
    join(ssh, 'sshd_config'),
    [
      `ListenAddress ${address}:22`,
      `HostKey ${join(ssh, 'host_key')}`,
      `AuthorizedKeysFile ${join(ssh, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `PidFile ${join(ssh, 'sshd.pid')}`,
      `SetEnv DOCKER_HOST=unix://${socket}`,
      'MaxStartups 200',
      'MaxSessions 200',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(ssh, 'ssh_config'),
    [
      'Host *',
      `  IdentityFile ${join(ssh, 'id_ed25519')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(ssh, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${join(ssh, 'ssh_config')} "$@"\n`);
  chmodSync(join(dir, 'bin', 'ssh'), 0o755);
  const child = spawn(
    'nsenter',
    [`--net=/var/run/netns/pdk${id}`, '/usr/sbin/sshd', '-D', '-e', '-f', join(ssh, 'sshd_config')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const answers = () =>
    sh(join(dir, 'bin', 'ssh'), [`root@${address}`, 'docker', 'version', '--format', '{{.Server.Version}}']).then(
      () => true,
      () => false,
    );
  try {
    await serving(child, answers, 'the remote sshd', 30_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}
