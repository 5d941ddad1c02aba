import { z } from 'zod';

const runtimeParams = z
  .object({
    target_app_name: z.string().optional(),
    dyno_size: z.string().optional(),
    ttl_seconds: z.number().int().min(1).max(3600).optional(),
    max_calls: z.number().int().min(1).max(100).optional(),
    tool_params: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

const message = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']),
    content: z.union([z.string(), z.array(z.record(z.string(), z.unknown())), z.null()]).optional(),
    tool_calls: z
      .array(z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) }))
      .optional(),
    tool_call_id: z.string().optional(),
    name: z.string().optional(),
  })
  .passthrough();

/** The body of `POST /v1/agents/heroku`, Heroku's fields. */
export const agentRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  max_tokens_per_inference_request: z.number().int().positive().optional(),
  stop: z.array(z.string()).nullable().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  tools: z
    .array(
      z.object({
        type: z.enum(['mcp', 'heroku_tool']),
        name: z.string().min(1),
        description: z.string().optional(),
        runtime_params: runtimeParams.optional(),
      }),
    )
    .optional(),
});

export type AgentRequest = z.infer<typeof agentRequestSchema>;
