import { Router, type Request, type Response } from 'express';
import type { ChatRequest } from '../agents/model-provider.js';
import { ProviderError } from '../agents/model-provider.js';
import { AgentRun } from '../agents/agent-loop.js';
import { agentRequestSchema } from '../agents/agent-request.js';
import { chatAgentRequest, completeChat, streamChat, wantsHerokuTools } from '../agents/chat-run.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { Hub } from '../hub/hub.js';
import { usableProvider } from '../hub/provider-check.js';
import { isAppError } from '../shared/errors.js';

function openAiError(res: Response, status: number, message: string, type = 'invalid_request_error'): void {
  res.status(status).json({ error: { message, type } });
}

function errorType(error: unknown): { status: number; type: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ProviderError) {
    return { status: error.status === 429 ? 429 : 502, type: error.status === 429 ? 'rate_limit_error' : 'provider_error', message };
  }
  if (isAppError(error)) return { status: error.status, type: error.code === 'invalid_input' ? 'invalid_request_error' : 'agent_error', message };
  return { status: 500, type: 'internal_error', message: 'the hub hit a bug; see its log' };
}

/** Ends when the client goes away before the response is done: the run stops, its containers go. */
function abortOnDisconnect(res: Response): AbortController {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller;
}

const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' };

/**
 * Sends a run as Heroku's frames: `event:message` each, `event:error` on failure, then `event:done`.
 * A tool the run cannot offer (its image missing, its app not attached) is a JSON error before any frame.
 */
export async function streamRun(res: Response, run: AgentRun, streamTokens: boolean): Promise<void> {
  try {
    await run.ready();
  } catch (error) {
    const { status, type, message } = errorType(error);
    return openAiError(res, status, message, type);
  }
  res.writeHead(200, sseHeaders);
  const controller = abortOnDisconnect(res);
  try {
    await run.run((frame) => res.write(`event:message\ndata:${JSON.stringify(frame)}\n\n`), controller.signal, streamTokens);
  } catch (error) {
    if (controller.signal.aborted) return;
    const { type, message } = errorType(error);
    res.write(`event:error\ndata:${JSON.stringify({ error: { message, type } })}\n\n`);
  }
  res.end('event:done\ndata:[DONE]\n\n');
}

/** Checks an agent request body and builds its run; a bad one is answered with a 400 here. */
export function prepareRun(hub: Hub, resource: ModelResourceRow, body: unknown, res: Response): AgentRun | undefined {
  const parsed = agentRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    openAiError(res, 400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    return undefined;
  }
  try {
    return new AgentRun(hub, resource, usableProvider(hub.catalog, resource), parsed.data);
  } catch (error) {
    const { status, type, message } = errorType(error);
    openAiError(res, status, message, type);
    return undefined;
  }
}

/** `POST /v1/agents/heroku` and `POST /v1/chat/completions`, for the resource the key selects. */
export function agentsRoutes(hub: Hub): Router {
  const router = Router();

  router.post('/agents/heroku', async (req: Request, res: Response) => {
    const run = prepareRun(hub, res.locals.resource as ModelResourceRow, req.body, res);
    if (run) await streamRun(res, run, false);
  });

  router.post('/chat/completions', async (req: Request, res: Response) => {
    const resource = res.locals.resource as ModelResourceRow;
    if (wantsHerokuTools(req.body)) return chatWithHerokuTools(hub, resource, req.body, res);
    const body = req.body as Partial<ChatRequest> & { stream?: boolean };
    if (typeof body?.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
      return openAiError(res, 400, 'model and a non-empty messages array are required');
    }
    if (body.model !== resource.model_id) {
      return openAiError(res, 400, `unknown model "${body.model}": the key's resource "${resource.name}" serves "${resource.model_id}"`);
    }
    let provider: ReturnType<typeof usableProvider>;
    try {
      provider = usableProvider(hub.catalog, resource);
    } catch (error) {
      const { status, type, message } = errorType(error);
      return openAiError(res, status, message, type);
    }
    const { stream, ...request } = body as ChatRequest & { stream?: boolean };
    const controller = abortOnDisconnect(res);
    if (!stream) {
      try {
        return void res.json(await provider.complete(request, controller.signal));
      } catch (error) {
        const { status, type, message } = errorType(error);
        return openAiError(res, status, message, type);
      }
    }
    await sendChunks(res, controller, async (write) => {
      for await (const chunk of provider.stream(request, controller.signal)) write(chunk);
    });
  });

  return router;
}

/**
 * `/v1/chat/completions` with Heroku's `heroku.tools`: the agent loop runs them here and the caller
 * gets the final completion, whole or streamed, as code written for Heroku expects.
 */
async function chatWithHerokuTools(hub: Hub, resource: ModelResourceRow, body: unknown, res: Response): Promise<void> {
  let run: AgentRun;
  let stream: boolean;
  try {
    const chat = chatAgentRequest(body);
    stream = chat.stream;
    run = new AgentRun(hub, resource, usableProvider(hub.catalog, resource), chat.request, { clientTools: chat.clientTools });
    await run.ready();
  } catch (error) {
    const { status, type, message } = errorType(error);
    return openAiError(res, status, message, type);
  }
  const controller = abortOnDisconnect(res);
  if (stream) return sendChunks(res, controller, (write) => streamChat(run, controller.signal, write));
  try {
    res.json(await completeChat(run, controller.signal));
  } catch (error) {
    if (controller.signal.aborted) return;
    const { status, type, message } = errorType(error);
    openAiError(res, status, message, type);
  }
}

/**
 * Streams chat-completion chunks as OpenAI does. The status waits for the first chunk, so a failure
 * before it is still a JSON error with its status; one after it is an error chunk, then `[DONE]`.
 */
async function sendChunks(res: Response, controller: AbortController, produce: (write: (chunk: unknown) => void) => Promise<void>): Promise<void> {
  const write = (chunk: unknown) => {
    if (!res.headersSent) res.writeHead(200, sseHeaders);
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  try {
    await produce(write);
  } catch (error) {
    if (controller.signal.aborted) return;
    const { status, type, message } = errorType(error);
    if (!res.headersSent) return openAiError(res, status, message, type);
    res.write(`data: ${JSON.stringify({ error: { message, type } })}\n\n`);
  }
  if (!res.headersSent) res.writeHead(200, sseHeaders);
  res.end('data: [DONE]\n\n');
}
