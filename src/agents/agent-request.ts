import { z } from 'zod';

/**
 * Hub-wide caps on what one request may ask for: `ttl_seconds` per call (Heroku's 300 s per tool
 * call; 120 s for a heroku_tool, Heroku's own maximum) and `max_calls` per tool and run.
 */
export const requestLimits = { ttlSeconds: 300, herokuToolTtlSeconds: 120, maxCalls: 10 } as const;

const runtimeParams = z
  .object({
    target_app_name: z.string().optional(),
    dyno_size: z.string().optional(),
    ttl_seconds: z.number().int().min(1).max(requestLimits.ttlSeconds, `at most ${requestLimits.ttlSeconds} (the hub's limit)`).optional(),
    max_calls: z.number().int().min(1).max(requestLimits.maxCalls, `at most ${requestLimits.maxCalls} (the hub's limit)`).optional(),
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

const tool = z
  .object({
    type: z.enum(['mcp', 'heroku_tool']),
    name: z.string().min(1),
    description: z.string().optional(),
    runtime_params: runtimeParams.optional(),
  })
  .superRefine((value, context) => {
    const ttl = value.runtime_params?.ttl_seconds;
    if (value.type === 'heroku_tool' && ttl !== undefined && ttl > requestLimits.herokuToolTtlSeconds) {
      context.addIssue({
        code: 'custom',
        path: ['runtime_params', 'ttl_seconds'],
        message: `at most ${requestLimits.herokuToolTtlSeconds} for a heroku_tool (Heroku's limit)`,
      });
    }
  });

/** The tools of a request: `tools` of `/v1/agents/heroku`, `heroku.tools` of `/v1/chat/completions`. */
export const agentToolsSchema = z.array(tool);

/** The body of `POST /v1/agents/heroku`, Heroku's fields. */
export const agentRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  max_tokens_per_inference_request: z.number().int().positive().optional(),
  stop: z.array(z.string()).nullable().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  tools: agentToolsSchema.optional(),
});

export type AgentRequest = z.infer<typeof agentRequestSchema>;
