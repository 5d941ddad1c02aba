import { Catalog } from '../catalog/catalog.js';
import { Views } from '../hub/views.js';
import { AppError } from '../shared/errors.js';
import type { OperationInput, OperationOutputs } from '../shared/operations.js';

/** The operations that only read the catalog: what `apps`, `servers` and `calls` need. */
export type ReadOperationName = 'apps.list' | 'servers.list' | 'calls.list';

export interface ReadOperations {
  run<N extends ReadOperationName>(name: N, input: OperationInput<N>): Promise<OperationOutputs[N]>;
}

/**
 * Runs read operations on the data dir's catalog without a hub: no sandbox, no schemas, no
 * services, so a list command opens the database and answers. The same answers as the hub's.
 */
export async function withCatalogReader<T>(dataDir: string, work: (reader: ReadOperations) => Promise<T>): Promise<T> {
  const catalog = Catalog.open(dataDir);
  const views = new Views(catalog);
  const handlers: { [N in ReadOperationName]: (input: OperationInput<N>) => OperationOutputs[N] } = {
    'apps.list': () => catalog.apps.list().map((app) => views.app(app.name)),
    'servers.list': ({ resource }) => {
      if (!resource) return catalog.servers.list().map((row) => views.server(row));
      const row = catalog.models.findByName(resource);
      // The default resource is made by the first hub; until then nothing is attached to it.
      if (!row && resource === 'default') return [];
      if (!row) throw new AppError('not_found', `no model resource named "${resource}": see procdock models`);
      return catalog.servers.listByResource(row.id).map((server) => views.server(server));
    },
    'calls.list': ({ limit }) => catalog.calls.list(limit ?? 20),
  };
  try {
    return await work({
      run: (name, input) => Promise.resolve(handlers[name](input as never) as never),
    });
  } finally {
    catalog.close();
  }
}
