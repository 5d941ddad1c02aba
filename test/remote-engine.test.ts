import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../src/shared/api.js';
import { containersOf, dockerEngine, homeLabel } from './docker.js';
import { engineChecks, hardening, localHardening } from './engine-checks.js';
import { sh } from './engines.js';
import { cleanupTempDirs, cli, dumpCatalog, freshHome, makeFixtureApp, tempDir } from './helpers.js';
import { startRemoteEngine, type RemoteEngine } from './remote-engine.js';

const docker = await dockerEngine();
const remote = docker ? await startRemoteEngine() : undefined;

afterAll(async () => {
  await remote?.stop();
  cleanupTempDirs();
}, 120_000);

let baseline: Record<string, unknown>;
beforeAll(async () => {
  if (remote) baseline = await localHardening();
}, 300_000);

describe.skipIf(!remote)('a remote Docker engine over TLS (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)', () => {
  engineChecks({
    engine: () => (remote as RemoteEngine).tls,
    doctor:
      /^Docker Engine 20\.10\.\S+ \(API [\d.]+, linux\/\w+\) at tcp:\/\/10\.\d+\.\d+\.2:2376, a remote host over TLS$/,
    baseline: () => baseline,
    local: docker!,
  });
});

describe.skipIf(!remote)('a remote Docker engine over ssh (DOCKER_HOST=ssh://root@host)', () => {
  engineChecks({
    engine: () => (remote as RemoteEngine).ssh,
    doctor:
      /^Docker Engine 20\.10\.\S+ \(API [\d.]+, linux\/\w+\) at ssh:\/\/root@10\.\d+\.\d+\.2, a remote host over SSH$/,
    baseline: () => baseline,
    local: docker!,
  });
});

const doctorEngine = async (home: string, env: Record<string, string>) =>
  (JSON.parse((await cli(home, ['doctor', '--json', '--port', '0'], env)).stdout) as DoctorCheck[]).find(
    (c) => c.id === 'engine',
  )!;

describe.skipIf(!remote)('Docker contexts, as `docker context create` and `docker context use` write them', () => {
  let config: string;
  const engine = () => remote as RemoteEngine;
  const dockerCli = (args: string[]) => sh('docker', args, { ...process.env, DOCKER_CONFIG: config });

  beforeAll(async () => {
    config = tempDir();
    const certs = engine().tls.env.DOCKER_CERT_PATH!;
    const tls = `ca=${join(certs, 'ca.pem')},cert=${join(certs, 'cert.pem')},key=${join(certs, 'key.pem')}`;
    await dockerCli(['context', 'create', 'build-box', '--docker', `host=tcp://${engine().address}:2376,${tls}`]);
    await dockerCli(['context', 'create', 'build-box-ssh', '--docker', `host=ssh://root@${engine().address}`]);
  });

  it('DOCKER_CONTEXT picks one: doctor names it, and an app builds and runs on that engine', async () => {
    const home = freshHome();
    const env = { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'build-box' };
    expect(await doctorEngine(home, env)).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(
        /^Docker Engine .* at tcp:\/\/10\.\d+\.\d+\.2:2376 \(context "build-box"\), a remote host over TLS;/,
      ),
    });
    const added = await cli(
      home,
      ['apps:add', makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'ctx')],
      env,
    );
    expect(added.code, added.stdout + added.stderr).toBe(0);
    expect(hardening(await cli(home, ['call', 'inspect'], env))).toEqual(baseline);
    expect((await cli(home, ['apps:remove', 'ctx'], env)).code).toBe(0);
    const label = await homeLabel(home);
    expect(await containersOf(engine().tls.docker, label)).toEqual([]);
    expect(await engine().tls.docker.listImages({ filters: { label: [label] } })).toEqual([]);
  }, 300_000);

  it('docker context use makes one current; DOCKER_HOST still wins over it, as in the CLI', async () => {
    await dockerCli(['context', 'use', 'build-box-ssh']);
    const home = freshHome();
    const env = { DOCKER_CONFIG: config, PATH: engine().ssh.env.PATH! };
    expect((await doctorEngine(home, env)).detail).toMatch(
      / at ssh:\/\/root@10\.\d+\.\d+\.2 \(context "build-box-ssh"\), a remote host over SSH;/,
    );
    const local = await doctorEngine(home, { ...env, DOCKER_HOST: 'unix:///var/run/docker.sock' });
    expect(local.detail).toMatch(/^Docker Engine .* at unix:\/\/\/var\/run\/docker\.sock$/);
  });

  it('a context that does not exist is named, with where contexts were looked for', async () => {
    const check = await doctorEngine(freshHome(), { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'gone' });
    expect(check).toMatchObject({
      status: 'fail',
      detail: `context "gone" (named by DOCKER_CONTEXT) does not exist in ${join(config, 'contexts')}: docker context ls lists the ones there are`,
    });
  });
});

describe.skipIf(!remote)('what a remote engine refuses', () => {
  const engine = () => remote as RemoteEngine;

  it('host folders: mounts:add and apps:add --mount say why, and change nothing', async () => {
    const home = freshHome();
    const env = engine().tls.env;
    expect(
      (await cli(home, ['apps:add', makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'files')], env))
        .code,
    ).toBe(0);
    const before = dumpCatalog(home);
    const folder = tempDir();
    const why =
      /: the engine is on another machine \(tcp:\/\/10\.\d+\.\d+\.2:2376, DOCKER_HOST\): a host folder would be that machine's folder, not yours, so none can be granted while Procdock uses it; nothing was granted/;
    const granted = await cli(home, ['mounts:add', 'files', `${folder}:/notes`], env);
    expect(granted.code).toBe(1);
    expect(granted.stderr).toMatch(why);
    const added = await cli(
      home,
      [
        'apps:add',
        makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'more'),
        '--mount',
        `${folder}:/notes`,
      ],
      env,
    );
    expect(added.code).toBe(1);
    expect(added.stderr).toMatch(why);
    expect(dumpCatalog(home)).toEqual(before);
    expect((await cli(home, ['apps:remove', 'files'], env)).code).toBe(0);
  }, 300_000);

  it('an engine whose certificate the CA in DOCKER_CERT_PATH did not sign', async () => {
    const check = await doctorEngine(freshHome(), { ...engine().tls.env, DOCKER_CERT_PATH: engine().strangerCerts });
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(
      /^no Docker engine: cannot reach tcp:\/\/10\.\d+\.\d+\.2:2376 \(DOCKER_HOST\) \(.*\); the engine's certificate or yours does not match/,
    );
  });

  it('a client certificate the engine’s CA did not sign', async () => {
    const mixed = tempDir();
    copyFileSync(join(engine().tls.env.DOCKER_CERT_PATH!, 'ca.pem'), join(mixed, 'ca.pem'));
    for (const file of ['cert.pem', 'key.pem']) copyFileSync(join(engine().strangerCerts, file), join(mixed, file));
    const check = await doctorEngine(freshHome(), { ...engine().tls.env, DOCKER_CERT_PATH: mixed });
    expect(check).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^no Docker engine: cannot reach tcp:/),
    });
  });

  it('an ssh host key that is not in known_hosts', async () => {
    const dir = tempDir();
    const config = readFileSync(join(engine().sshDir, 'ssh_config'), 'utf8').replace(
      /UserKnownHostsFile .*/,
      `UserKnownHostsFile ${join(dir, 'known_hosts')}`,
    );
    writeFileSync(join(dir, 'known_hosts'), '');
    writeFileSync(join(dir, 'ssh_config'), config);
    writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${join(dir, 'ssh_config')} "$@"\n`, {
      mode: 0o755,
    });
    const check = await doctorEngine(freshHome(), { ...engine().ssh.env, PATH: `${dir}:${process.env.PATH ?? ''}` });
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(
      /^no Docker engine: cannot reach ssh:\/\/root@10\.\d+\.\d+\.2 \(DOCKER_HOST\) \(ssh to ssh:\/\/root@10\.\d+\.\d+\.2: Host key verification failed\.\); check that ssh reaches it/,
    );
  });
});
