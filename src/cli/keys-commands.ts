import type { Command } from 'commander';
import { dataCommand, ops, print } from './cli-kit.js';

/** `key:rotate`: a resource's new INFERENCE_KEY; the old one stops working at once. */
export function registerKeyCommands(program: Command): void {
  dataCommand(program, 'key:rotate', 'give a model resource a new INFERENCE_KEY; the old one stops working at once')
    .option('--resource <resource>', 'model resource', 'default')
    .action((o: { json?: boolean; resource: string }) =>
      ops(async (h) => {
        const env = await h.run('key.rotate', { resource: o.resource });
        print(!!o.json, env, () =>
          [
            `Rotated the key of ${o.resource}: the old one is refused from now on.`,
            `export ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`,
            'Clients configured with procdock connect need it again: re-run procdock connect.',
          ].join('\n'),
        );
      }),
    );
}
