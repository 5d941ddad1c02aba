import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveEngineEndpoint } from './engine-endpoint.js';

const made: string[] = [];
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'procdock-endpoint-'));
  made.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const certs = { 'ca.pem': 'CA', 'cert.pem': 'CERT', 'key.pem': 'KEY' };

/** A context as `docker context create` stores it. */
function context(config: string, name: string, host: string, tls: Record<string, string> = {}, skipTls = false): void {
  const id = createHash('sha256').update(name).digest('hex');
  mkdirSync(join(config, 'contexts', 'meta', id), { recursive: true });
  const meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skipTls } } };
  writeFileSync(join(config, 'contexts', 'meta', id, 'meta.json'), JSON.stringify(meta));
  for (const [file, text] of Object.entries(tls)) {
    mkdirSync(join(config, 'contexts', 'tls', id, 'docker'), { recursive: true });
    writeFileSync(join(config, 'contexts', 'tls', id, 'docker', file), text);
  }
}

describe('finding the engine as the Docker CLI does', () => {
  it('takes the default socket when nothing is set', () => {
    const config = folder();
    expect(resolveEngineEndpoint({ DOCKER_CONFIG: config })).toMatchObject({
      source: 'the default socket',
      remote: false,
      host: expect.stringMatching(/^unix:\/\/\/.*docker\.sock$/),
    });
  });

  it('takes a local socket from DOCKER_HOST (Podman, Colima, Rancher Desktop, OrbStack)', () => {
    expect(resolveEngineEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/podman/podman.sock' })).toEqual({
      host: 'unix:///run/user/1000/podman/podman.sock',
      source: 'DOCKER_HOST',
      remote: false,
    });
  });

  it('speaks TLS to tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, on 2376 by default', () => {
    const dir = folder(certs);
    const endpoint = resolveEngineEndpoint({
      DOCKER_HOST: 'tcp://10.0.0.5',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: dir,
    });
    expect(endpoint).toMatchObject({ host: 'tcp://10.0.0.5:2376', remote: true, tls: { verify: true, dir } });
    expect(endpoint.tls?.ca?.toString()).toBe('CA');
    expect(endpoint.tls?.key?.toString()).toBe('KEY');
  });

  it('reads certificates from the Docker config folder when DOCKER_CERT_PATH is not set', () => {
    const config = folder(certs);
    expect(
      resolveEngineEndpoint({ DOCKER_HOST: 'tcp://box:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: config }).tls?.dir,
    ).toBe(config);
  });

  it('speaks plain HTTP to tcp:// without the TLS variables, on 2375, and calls loopback local', () => {
    expect(resolveEngineEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1' })).toEqual({
      host: 'tcp://127.0.0.1:2375',
      source: 'DOCKER_HOST',
      remote: false,
    });
    expect(resolveEngineEndpoint({ DOCKER_HOST: 'box.example:2375' })).toMatchObject({
      host: 'tcp://box.example:2375',
      remote: true,
    });
  });

  it('refuses TLS verification without the CA certificate, naming the file', () => {
    const dir = folder({ 'cert.pem': 'CERT', 'key.pem': 'KEY' });
    expect(() =>
      resolveEngineEndpoint({ DOCKER_HOST: 'tcp://box', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }),
    ).toThrow(`DOCKER_TLS_VERIFY is set, but ${join(dir, 'ca.pem')} is missing`);
  });

  it('refuses half a client certificate', () => {
    const dir = folder({ 'ca.pem': 'CA', 'cert.pem': 'CERT' });
    expect(() =>
      resolveEngineEndpoint({ DOCKER_HOST: 'tcp://box', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }),
    ).toThrow(/key\.pem is missing/);
  });

  it('takes ssh:// as remote, and refuses what is not an engine address', () => {
    expect(resolveEngineEndpoint({ DOCKER_HOST: 'ssh://me@build-box' })).toEqual({
      host: 'ssh://me@build-box',
      source: 'DOCKER_HOST',
      remote: true,
    });
    expect(() => resolveEngineEndpoint({ DOCKER_HOST: 'http://box' })).toThrow(
      /DOCKER_HOST=http:\/\/box: Procdock speaks unix:\/\/, tcp:\/\/ and ssh:\/\//,
    );
    expect(() => resolveEngineEndpoint({ DOCKER_HOST: 'tcp://bad host' })).toThrow(/is not an engine address/);
  });

  it('takes the context DOCKER_CONTEXT names, with its TLS files', () => {
    const config = folder();
    context(config, 'build-box', 'tcp://10.1.2.3:2376', certs);
    expect(resolveEngineEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'build-box' })).toMatchObject({
      host: 'tcp://10.1.2.3:2376',
      source: 'context "build-box"',
      remote: true,
      tls: {
        verify: true,
        dir: join(config, 'contexts', 'tls', createHash('sha256').update('build-box').digest('hex'), 'docker'),
      },
    });
  });

  it('takes the current context of config.json; DOCKER_HOST wins over contexts, as in the CLI', () => {
    const config = folder({ 'config.json': JSON.stringify({ currentContext: 'box' }) });
    context(config, 'box', 'ssh://me@box');
    expect(resolveEngineEndpoint({ DOCKER_CONFIG: config })).toMatchObject({
      host: 'ssh://me@box',
      source: 'context "box"',
    });
    expect(resolveEngineEndpoint({ DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///var/run/docker.sock' }).source).toBe(
      'DOCKER_HOST',
    );
    expect(resolveEngineEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default' }).source).toBe(
      'the default socket',
    );
  });

  it('verifies nothing where the context says to skip TLS verification', () => {
    const config = folder();
    context(config, 'lab', 'tcp://lab:2376', {}, true);
    expect(resolveEngineEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'lab' }).tls).toEqual({
      verify: false,
      dir: expect.any(String),
    });
  });

  it('names a context that does not exist, and a config.json that is not JSON', () => {
    const config = folder({ 'config.json': '{not json' });
    expect(() => resolveEngineEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'gone' })).toThrow(
      `context "gone" (named by DOCKER_CONTEXT) does not exist in ${join(config, 'contexts')}: docker context ls lists the ones there are`,
    );
    expect(() => resolveEngineEndpoint({ DOCKER_CONFIG: config })).toThrow(`${join(config, 'config.json')}: not JSON`);
  });
});
