import { Router, type Request, type Response } from 'express';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { Hub } from '../hub/hub.js';

/** Heroku's Inference API, as far as it is built: `GET /v1/mcp/servers`. */
export function v1Routes(hub: Hub): Router {
  const router = Router();
  router.get('/mcp/servers', (_req: Request, res: Response) => {
    const resource = res.locals.resource as ModelResourceRow;
    res.json(hub.catalog.servers.listByResource(resource.id).map((row) => hub.views.server(row)));
  });
  return router;
}
