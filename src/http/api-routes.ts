import { Router, type Request, type Response } from 'express';
import type { Hub } from '../hub/hub.js';
import { operationInputs, type OperationName } from '../shared/operations.js';
import { AppError } from '../shared/errors.js';

/** `POST /api/<operation>`: the UI's and the CLI's way into a running hub. */
export function apiRoutes(hub: Hub): Router {
  const router = Router();
  router.get('/events', (req: Request, res: Response) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    const stopChange = hub.onDidChange(() => res.write('event: change\ndata: {}\n\n'));
    const stopProgress = hub.onDidProgress((event) => res.write(`event: progress\ndata: ${JSON.stringify(event)}\n\n`));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      stopChange();
      stopProgress();
      clearInterval(keepAlive);
    });
  });
  router.post('/:operation', async (req: Request, res: Response) => {
    const name = req.params.operation as OperationName;
    if (!Object.hasOwn(operationInputs, name)) throw new AppError('not_found', `no operation "${name}"`);
    res.json(await hub.run(name, (req.body ?? {}) as never));
  });
  return router;
}
