import { describe, expect, it } from 'vitest';
import { decisionKind } from './decisions';

describe('decisionKind', () => {
  it('sorts every decision the hub records into the kinds the Activity page filters by', () => {
    const kinds = Object.fromEntries(
      [
        'allowed by default',
        'allowed: read-only',
        'allowed by policy',
        'approved by the client',
        'approved by a Procdock window',
        'approved earlier (the same arguments)',
        'declined by a Procdock window',
        'denied by policy',
        'timed out waiting for approval',
        'refused: nobody could be asked',
        'definition approved',
      ].map((d) => [d, decisionKind(d)]),
    );
    expect(kinds).toEqual({
      'allowed by default': 'allowed',
      'allowed: read-only': 'allowed',
      'allowed by policy': 'allowed',
      'approved by the client': 'approved',
      'approved by a Procdock window': 'approved',
      'approved earlier (the same arguments)': 'approved',
      'declined by a Procdock window': 'refused',
      'denied by policy': 'refused',
      'timed out waiting for approval': 'refused',
      'refused: nobody could be asked': 'refused',
      'definition approved': 'definition',
    });
    expect(decisionKind(undefined)).toBeUndefined();
  });
});
