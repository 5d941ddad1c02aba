import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Hub } from '../hub/hub.js';
import { isAppError } from '../shared/errors.js';
import { toolkitTools } from './toolkit-catalog.js';

export const toolkitInfo = { name: 'procdock', title: 'Procdock toolkit', version: '0.1.0' };

/**
 * The MCP server one downstream session talks to: the toolkit of one model resource. Each
 * `tools/call` runs in a fresh sandbox (or a warm one) through the hub's runner; progress and
 * cancellation pass through. The owner closes it with its transport.
 */
export function createToolkitServer(hub: Hub, resourceName: string): Server {
  const server = new Server(toolkitInfo, {
    capabilities: { tools: { listChanged: true }, logging: {} },
    instructions: `Tools of the Procdock model resource "${resourceName}". Each call runs in a fresh, isolated container.`,
  });

  server.setRequestHandler(ListToolsRequestSchema, () => {
    const resource = hub.registry.resource(resourceName);
    return { tools: toolkitTools(hub.catalog, resource.id).map((tool) => tool.definition as Tool) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const token = request.params._meta?.progressToken;
    // Progress goes out in order and before the result, or the client drops what comes late.
    let progressSent: Promise<void> = Promise.resolve();
    try {
      const { result } = await hub.runner.call({
        tool: request.params.name,
        args: request.params.arguments ?? {},
        resourceName,
        signal: extra.signal,
        ...(token === undefined
          ? {}
          : {
              onProgress: (progress) => {
                const notification = { method: 'notifications/progress' as const, params: { ...progress, progressToken: token } };
                progressSent = progressSent.then(() => extra.sendNotification(notification)).catch(() => undefined);
              },
            }),
      });
      await progressSent;
      return result as CallToolResult;
    } catch (error) {
      if (isAppError(error) && (error.code === 'not_found' || error.code === 'conflict')) {
        throw new McpError(ErrorCode.InvalidParams, error.message);
      }
      if (isAppError(error)) return { isError: true, content: [{ type: 'text', text: error.message }] };
      throw error;
    }
  });

  return server;
}

/** The tool list a session last saw, to tell it of changes only when there are some. */
export function toolListFingerprint(hub: Hub, resourceName: string): string {
  const resource = hub.catalog.models.findByName(resourceName);
  return resource ? JSON.stringify(toolkitTools(hub.catalog, resource.id).map((t) => t.definition)) : '';
}
