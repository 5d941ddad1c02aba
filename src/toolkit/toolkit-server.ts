import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
  type CallToolResult,
  type ServerNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { Hub } from '../hub/hub.js';
import { isAppError } from '../shared/errors.js';
import type { CallRelay } from '../upstream/upstream-session.js';
import type { ToolkitListCache } from './toolkit-lists.js';
import { mcpError } from './jsonrpc.js';

/** MCP's "resource not found" (2025-11-25). */
const resourceNotFound = -32002;

export const toolkitInfo = { name: 'procdock', title: 'Procdock toolkit', version: '0.1.0' };

/**
 * The MCP server one downstream session talks to: the toolkit of one model resource. Each
 * `tools/call` runs in a fresh sandbox (or a warm one) through the hub's runner; progress and
 * cancellation pass through. The owner closes it with its transport.
 */
export function createToolkitServer(hub: Hub, resourceName: string, lists: ToolkitListCache): Server {
  const server = new Server(toolkitInfo, {
    capabilities: {
      tools: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
      prompts: { listChanged: true },
      completions: {},
      logging: {},
    },
    instructions: toolkitInstructions(hub, resourceName),
  });
  // This client session's containers of session-lifetime servers live as long as it does.
  const clientSession = randomUUID();
  const stopListening = hub.runner.sessions.listen(clientSession, {
    resourceUpdated: (params) => void server.sendResourceUpdated(params).catch(() => undefined),
  });
  server.onclose = () => {
    stopListening();
    void hub.runner.sessions.endSession(clientSession);
  };

  // Lists come prepared: built and serialized once per change of the catalog, not per request.
  server.setRequestHandler(ListToolsRequestSchema, () => lists.of(resourceName).answers.tools);
  server.setRequestHandler(ListResourcesRequestSchema, () => lists.of(resourceName).answers.resources);
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => lists.of(resourceName).answers.templates);
  server.setRequestHandler(ListPromptsRequestSchema, () => lists.of(resourceName).answers.prompts);

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const target = lists.routeResource(resourceName, request.params.uri);
    if (!target) throw mcpError(resourceNotFound, `Resource not found: ${request.params.uri}`, { uri: request.params.uri });
    return upstream(target, 'resources/read', (c, signal) => c.readResource(request.params, { signal }), extra.signal);
  });

  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const prompt = lists.of(resourceName).prompts.find((p) => p.name === request.params.name);
    if (!prompt) throw mcpError(ErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
    const params = { ...request.params, name: prompt.definition.name };
    return upstream(prompt.server, 'prompts/get', (c, signal) => c.getPrompt(params, { signal }), extra.signal);
  });

  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const { ref } = request.params;
    let target: ServerRow | undefined;
    let params = request.params;
    if (ref.type === 'ref/prompt') {
      const prompt = lists.of(resourceName).prompts.find((p) => p.name === ref.name);
      target = prompt?.server;
      if (prompt) params = { ...params, ref: { ...ref, name: prompt.definition.name } };
    } else {
      target = lists.routeResource(resourceName, ref.uri);
    }
    if (!target) return { completion: { values: [] } };
    return upstream(target, 'completion/complete', (c, signal) => c.complete(params, { signal }), extra.signal);
  });

  /** Runs one request on a server of its own; a hub failure becomes a protocol error that says why. */
  async function upstream<T>(
    target: ServerRow,
    step: string,
    work: (client: Parameters<Parameters<typeof hub.runner.onServer>[2]>[0]['client'], signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    try {
      return await hub.runner.onServer(target, step, (session, s) => work(session.client, s), signal, clientSession);
    } catch (error) {
      if (error instanceof McpError) throw error;
      throw mcpError(ErrorCode.InternalError, error instanceof Error ? error.message : String(error));
    }
  }

  /** Subscriptions go to the session's own container of the server that serves the URI. */
  const subscription = async (method: 'resources/subscribe' | 'resources/unsubscribe', uri: string, signal: AbortSignal) => {
    const target = lists.routeResource(resourceName, uri);
    if (!target) throw mcpError(resourceNotFound, `Resource not found: ${uri}`, { uri });
    if (target.settings.lifetime !== 'session') {
      throw mcpError(
        ErrorCode.InvalidRequest,
        `${method}: ${target.app_name}/${target.process_type} starts fresh at every call, so there is nothing live to watch; set "lifetime": "session" for it in its procdock.json`,
      );
    }
    const params = { uri };
    await upstream(target, method, (c, s) => (method === 'resources/subscribe' ? c.subscribeResource(params, { signal: s }) : c.unsubscribeResource(params, { signal: s })), signal);
    return {};
  };
  server.setRequestHandler(SubscribeRequestSchema, (request, extra) => subscription('resources/subscribe', request.params.uri, extra.signal));
  server.setRequestHandler(UnsubscribeRequestSchema, (request, extra) => subscription('resources/unsubscribe', request.params.uri, extra.signal));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const token = request.params._meta?.progressToken;
    // Progress and log messages go out in order and before the result, or the client drops what comes late.
    let sent: Promise<void> = Promise.resolve();
    const notify = (notification: ServerNotification) => {
      sent = sent.then(() => extra.sendNotification(notification)).catch(() => undefined);
    };
    try {
      const resolved = lists.of(resourceName).tools.get(request.params.name);
      const { result } = await hub.runner.call({
        tool: request.params.name,
        args: request.params.arguments ?? {},
        resourceName,
        session: clientSession,
        caller: `the toolkit (${server.getClientVersion()?.name ?? 'an MCP client'})`,
        ...(resolved ? { resolved } : {}),
        signal: extra.signal,
        relay: relayTo(server, extra, notify),
        ...(token === undefined
          ? {}
          : {
              onProgress: (progress) => notify({ method: 'notifications/progress', params: { ...progress, progressToken: token } }),
            }),
      });
      await sent;
      return result as CallToolResult;
    } catch (error) {
      if (isAppError(error) && (error.code === 'not_found' || error.code === 'conflict')) {
        throw mcpError(ErrorCode.InvalidParams, error.message);
      }
      if (isAppError(error)) return { isError: true, content: [{ type: 'text', text: error.message }] };
      throw error;
    }
  });

  return server;
}

/** What the client is told at initialize: the resource, and which of its servers keep state. */
function toolkitInstructions(hub: Hub, resourceName: string): string {
  const resource = hub.catalog.models.findByName(resourceName);
  const servers = resource ? hub.catalog.servers.listByResource(resource.id) : [];
  const stateful = servers.filter((s) => s.settings.lifetime === 'session').map((s) => s.process_type);
  const keeps = stateful.length
    ? ` These keep state for the length of this session, in one container of their own: ${stateful.join(', ')}.`
    : '';
  return `Tools of the Procdock model resource "${resourceName}". Each call runs in a fresh, isolated container unless its server keeps state.${keeps}`;
}

type RequestExtra = Parameters<Parameters<Server['setRequestHandler']>[1]>[1];

/**
 * Sends a running call's server-to-client requests to the client that made the call, where it
 * declared the capability, and its log messages as this session's log messages.
 */
function relayTo(server: Server, extra: RequestExtra, notify: (notification: ServerNotification) => void): CallRelay {
  return {
    canElicit: server.getClientCapabilities()?.elicitation !== undefined,
    async request({ method, params }) {
      const caps = server.getClientCapabilities() ?? {};
      const schema =
        method === 'sampling/createMessage' && caps.sampling
          ? CreateMessageResultSchema
          : method === 'elicitation/create' && caps.elicitation
            ? ElicitResultSchema
            : method === 'roots/list' && caps.roots
              ? ListRootsResultSchema
              : undefined;
      if (!schema) {
        if (method === 'roots/list') return { roots: [] };
        throw mcpError(ErrorCode.MethodNotFound, `${method}: the client of this call does not support it`);
      }
      return (await extra.sendRequest({ method, params } as never, schema as never)) as Record<string, unknown>;
    },
    log(params) {
      notify({ method: 'notifications/message', params });
    },
  };
}

