import { createHash } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.js';
import { canonicalJson } from '../catalog/digest.js';
import type { ServerRow, ToolDefinition } from '../catalog/servers-repository.js';
import type { Policy } from '../catalog/trust-repository.js';
import type { CallRelay } from '../upstream/upstream-session.js';
import type { Approvals } from './approvals.js';

/** Whether a call may run, and the decision the call log keeps. */
export interface GateDecision {
  allowed: boolean;
  decision: string;
  /** What the caller is told when it may not. */
  message?: string;
}

export interface GateOptions {
  /** How long a held call waits for an answer before it is refused. */
  approvalTimeoutMs: number;
  /** How long "allow the same call for a while" lasts. */
  rememberMs: number;
}

/** The policy that applies to a tool, and why. */
type AppliedPolicy = { policy: Policy; why: 'its policy' | 'read-only' | 'the default' };

export const defaultGateOptions: GateOptions = { approvalTimeoutMs: 120_000, rememberMs: 10 * 60_000 };

/**
 * Applies approval policies before a call runs. A tool's own policy wins; else a tool annotated
 * read-only is allowed, and any other gets the hub-wide default. Under `ask` the hub asks the
 * calling client through elicitation when it can, else a Procdock window, else refuses; an answer
 * is bound to a digest of the exact arguments.
 */
export class CallGate {
  /** Digests of calls allowed "for a while", with when that ends. */
  private readonly remembered = new Map<string, number>();
  /** The policy of each tool a call named since the catalog last changed: read once, not at every call. */
  private readonly policies = new Map<string, AppliedPolicy>();

  constructor(
    private readonly catalog: Catalog,
    private readonly approvals: Approvals,
    private readonly options: GateOptions = defaultGateOptions,
  ) {}

  /** The policy that applies to a tool of a server, and why. */
  policyOf(server: ServerRow, definition: ToolDefinition | undefined, tool: string): AppliedPolicy {
    const own = this.catalog.trust.policy(server.app_id, `${server.process_type}/${tool}`);
    if (own) return { policy: own, why: 'its policy' };
    const annotations = (definition?.annotations ?? {}) as { readOnlyHint?: boolean };
    if (annotations.readOnlyHint === true) return { policy: 'allow', why: 'read-only' };
    return { policy: this.catalog.trust.defaultPolicy(), why: 'the default' };
  }

  /** Forgets the policies it read: the hub calls it on every change but the call log's. */
  forgetCatalog(): void {
    this.policies.clear();
  }

  private currentPolicy(server: ServerRow, tool: string): AppliedPolicy {
    const key = `${server.id}\n${tool}`;
    let found = this.policies.get(key);
    if (!found) {
      const definition = this.catalog.servers.tools(server.id).find((t) => t.name === tool);
      this.policies.set(key, (found = this.policyOf(server, definition, tool)));
    }
    return found;
  }

  async decide(server: ServerRow, tool: string, args: Record<string, unknown>, caller: { relay?: CallRelay; label: string; signal?: AbortSignal }): Promise<GateDecision> {
    const { policy, why } = this.currentPolicy(server, tool);
    const name = `${server.app_name}/${server.process_type}/${tool}`;
    const change = `procdock policy:set ${server.app_name} ${server.process_type}/${tool} allow`;
    if (policy === 'allow') return { allowed: true, decision: why === 'its policy' ? 'allowed by policy' : why === 'read-only' ? 'allowed: read-only' : 'allowed by default' };
    if (policy === 'deny') return { allowed: false, decision: 'denied by policy', message: `${name} is denied by policy: ${change} (or ask) to let it run` };

    const digest = createHash('sha256').update(`${server.id}\0${tool}\0${canonicalJson(args)}`).digest('hex');
    const until = this.remembered.get(digest);
    if (until !== undefined && until > Date.now()) return { allowed: true, decision: 'approved earlier (the same arguments)' };
    const answer = await this.ask(server, tool, args, caller);
    if (answer.allow) {
      if (answer.remember) this.remembered.set(digest, Date.now() + this.options.rememberMs);
      return { allowed: true, decision: `approved by ${answer.by}` };
    }
    const outcome = answer.by === 'nobody' ? 'refused: nobody could be asked' : answer.timedOut ? 'timed out waiting for approval' : `declined by ${answer.by}`;
    const hint =
      answer.by === 'nobody'
        ? `${name} needs approval (policy ask), and nobody could be asked: this client cannot answer elicitation requests and no Procdock window is open. Open one (procdock ui), or allow it: ${change}`
        : `${name} was not approved (${outcome}): ask again, or allow it: ${change}`;
    return { allowed: false, decision: outcome, message: hint };
  }

  private async ask(
    server: ServerRow,
    tool: string,
    args: Record<string, unknown>,
    caller: { relay?: CallRelay; label: string; signal?: AbortSignal },
  ): Promise<{ allow: boolean; remember?: boolean; by: string; timedOut?: boolean }> {
    if (caller.relay?.canElicit) {
      const rememberMinutes = Math.round(this.options.rememberMs / 60_000);
      const request = caller.relay.request({
        method: 'elicitation/create',
        params: {
          mode: 'form',
          message: `Procdock: allow ${server.app_name}/${server.process_type} to run "${tool}" with these arguments?\n${JSON.stringify(args, null, 2)}`,
          requestedSchema: {
            type: 'object',
            properties: { remember: { type: 'boolean', title: `Also allow this same call for ${rememberMinutes} minutes`, default: false } },
          },
        },
      });
      const answer = await withTimeout(request, this.options.approvalTimeoutMs).catch(() => undefined);
      if (answer === 'timed-out') return { allow: false, by: 'the client', timedOut: true };
      const accepted = answer?.action === 'accept';
      return { allow: accepted, remember: accepted && (answer?.content as { remember?: boolean } | undefined)?.remember === true, by: 'the client' };
    }
    if (this.approvals.canAsk) {
      const answer = await this.approvals.ask(
        { app: server.app_name, process_type: server.process_type, tool, arguments: args, caller: caller.label },
        this.options.approvalTimeoutMs,
        caller.signal,
      );
      if (answer === 'timed-out') return { allow: false, by: 'a Procdock window', timedOut: true };
      return { allow: answer !== 'deny', remember: answer === 'allow-for-a-while', by: 'a Procdock window' };
    }
    return { allow: false, by: 'nobody' };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise.finally(() => clearTimeout(timer)), new Promise<'timed-out'>((resolve) => (timer = setTimeout(() => resolve('timed-out'), ms)))]);
}
