/** What the approval policy did with a call, in the few kinds the Activity page filters by. */
export type DecisionKind = 'allowed' | 'approved' | 'refused' | 'definition';

export const decisionKinds: { kind: DecisionKind; label: string }[] = [
  { kind: 'allowed', label: 'Allowed by policy' },
  { kind: 'approved', label: 'Approved when asked' },
  { kind: 'refused', label: 'Denied, declined or timed out' },
  { kind: 'definition', label: 'Definitions approved' },
];

/**
 * The kind of a call log's decision ("allowed by default", "approved by a Procdock window",
 * "declined by the client", "timed out waiting for approval", "definition approved"…); none for
 * calls from before the hub recorded decisions.
 */
export function decisionKind(decision: string | undefined): DecisionKind | undefined {
  if (!decision) return undefined;
  if (decision === 'definition approved') return 'definition';
  if (decision.startsWith('allowed')) return 'allowed';
  if (decision.startsWith('approved')) return 'approved';
  return 'refused';
}
