import { describe, expect, it } from 'vitest';
import type { ApprovalRequestView } from '../src/shared/api.js';
import { approvalNotice } from './approval-notice.js';

const request: ApprovalRequestView = {
  id: 'a1',
  app: 'notes',
  process_type: 'mcp-files',
  tool: 'write_file',
  arguments: { path: '/notes/todo.txt', content: 'x'.repeat(500) },
  caller: 'the toolkit (Cursor)',
  asked_at: '2026-01-01T00:00:00.000Z',
  expires_at: '2026-01-01T00:02:00.000Z',
};

describe('approvalNotice', () => {
  it('names the tool, the server and the caller, and shortens long arguments: the window shows them whole', () => {
    const notice = approvalNotice(request);
    expect(notice.title).toBe('Allow write_file?');
    expect(notice.body).toMatch(/^the toolkit \(Cursor\) wants to run notes\/mcp-files write_file with \{"path":"\/notes\/todo.txt","content":"x+…\. Open Procdock/);
    expect(notice.body.length).toBeLessThan(260);
  });

  it('shows short arguments exactly', () => {
    expect(approvalNotice({ ...request, arguments: { id: 7 } }).body).toContain('write_file with {"id":7}.');
  });
});
