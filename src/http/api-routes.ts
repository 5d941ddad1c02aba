import { Router, type Request, type Response } from 'express';
import { AgentRun } from '../agents/agent-loop.js';
import { agentRequestSchema } from '../agents/agent-request.js';
import type { Hub } from '../hub/hub.js';
import { conversationSession } from '../hub/desktop-operations.js';
import { usableProvider } from '../hub/provider-check.js';
import { streamRun } from './agents-routes.js';
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
    // A window that shows approval requests asks for them; the CLI's progress follower does not.
    const stopApprovals = req.query.approvals === '1' ? hub.approvals.follow((request) => res.write(`event: approval\ndata: ${JSON.stringify(request)}\n\n`)) : () => undefined;
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      stopChange();
      stopProgress();
      stopApprovals();
      clearInterval(keepAlive);
    });
  });
  // The desktop chat: the agent loop for a resource, with the model's tokens as they come. A missing
  // key is refused before the stream, and every provider failure names its cause. A conversation's
  // turns are one client session, so its session-lifetime servers keep their state between turns.
  router.post('/agent', async (req: Request, res: Response) => {
    const { resource: name, conversation, ...body } = (req.body ?? {}) as { resource?: string; conversation?: unknown };
    const resource = hub.registry.resource(name ?? 'default');
    if (conversation !== undefined && (typeof conversation !== 'string' || !hub.catalog.conversations.find(conversation))) {
      throw new AppError('not_found', `no conversation ${String(conversation)}: save it first (conversations.save)`);
    }
    const parsed = agentRequestSchema.safeParse({ model: resource.model_id, ...body });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('invalid_input', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const provider = usableProvider(hub.catalog, resource);
    const session = typeof conversation === 'string' ? { session: conversationSession(conversation) } : {};
    await streamRun(res, new AgentRun(hub, resource, provider, parsed.data, session), true);
  });

  router.post('/:operation', async (req: Request, res: Response) => {
    const name = req.params.operation as OperationName;
    if (!Object.hasOwn(operationInputs, name)) throw new AppError('not_found', `no operation "${name}"`);
    res.json(await hub.run(name, (req.body ?? {}) as never));
  });
  return router;
}
