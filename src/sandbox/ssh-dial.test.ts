import { describe, expect, it } from 'vitest';
import { sshDialCommand } from './ssh-dial.js';

describe('the ssh the Docker CLI runs for ssh://', () => {
  it('passes the user and port, and runs docker system dial-stdio there', () => {
    expect(sshDialCommand('ssh://me@box.example:2222')).toEqual([
      '-o',
      'ConnectTimeout=30',
      '-o',
      'BatchMode=yes',
      '-T',
      '-l',
      'me',
      '-p',
      '2222',
      '--',
      'box.example',
      'docker',
      'system',
      'dial-stdio',
    ]);
  });

  it('leaves user and port to ~/.ssh/config when the address has none, and honours a socket path', () => {
    expect(sshDialCommand('ssh://box/run/user/1000/docker.sock')).toEqual([
      '-o',
      'ConnectTimeout=30',
      '-o',
      'BatchMode=yes',
      '-T',
      '--',
      'box',
      'docker',
      '--host',
      'unix:///run/user/1000/docker.sock',
      'system',
      'dial-stdio',
    ]);
  });
});
