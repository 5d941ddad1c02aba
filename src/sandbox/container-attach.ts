import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';

interface Modem {
  dial(options: Record<string, unknown>, callback: (error: Error | null, stream?: Duplex) => void): void;
}

/**
 * Attaches to a container's stdin, stdout and stderr over a hijacked connection, sending the
 * request with an empty body, as the Docker CLI does. dockerode would send its options as a JSON
 * body too: Docker drops a body on attach, but Podman hands whatever follows the headers to the
 * container's stdin, and a server would read `{"stream":true,…}` before the client's first message.
 */
export function attachStdio(container: Docker.Container): Promise<Duplex> {
  const modem = container.modem as Modem;
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path: `/containers/${container.id}/attach?`,
        method: 'POST',
        options: { stream: true, stdin: true, stdout: true, stderr: true },
        // A zero-length buffer: Content-Length 0 and no chunked framing, so not one byte of body.
        file: Buffer.alloc(0),
        hijack: true,
        isStream: true,
        statusCodes: {
          101: true,
          200: true,
          400: 'bad parameter',
          404: 'no such container',
          409: 'conflict',
          500: 'server error',
        },
      },
      (error, stream) =>
        error || !stream ? reject(error ?? new Error('the engine gave no stream to attach to')) : resolve(stream),
    );
  });
}
