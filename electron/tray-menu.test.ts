import { describe, expect, it } from 'vitest';
import type { HubInfo, ServerView } from '../src/shared/api.js';
import { trayMenu, type TrayState } from './tray-menu.js';

const info: HubInfo = {
  version: '0.1.0',
  url: 'http://127.0.0.1:7420',
  inference_url: 'http://127.0.0.1:7420',
  toolkit_url: 'http://127.0.0.1:7420/mcp',
  ui_url: 'http://127.0.0.1:7420/',
  sandbox: { kind: 'docker', sandboxed: true, ready: true },
};

function server(process: string, change: Partial<ServerView> = {}): ServerView {
  return {
    id: process,
    app_id: 'a1',
    app_name: 'notes',
    process_type: process,
    process_command: 'x',
    created_at: '',
    updated_at: '',
    namespace: process,
    server_status: 'registered',
    primitives_status: 'synced',
    tools: [{ name: 't', namespaced_name: `${process}/t`, input_schema: {}, annotations: {} }],
    lifetime: 'call',
    volumes: [],
    mounts: [],
    ...change,
  };
}

const labels = (state: TrayState) => trayMenu(state).map((item) => item.label ?? '—');

describe('the tray menu', () => {
  it('shows the hub, each server with start/stop, copy toolkit URL, open and quit', () => {
    const menu = trayMenu({ hub: 'running', info, servers: [server('mcp-memory'), server('mcp-web', { server_status: 'disconnected' })] });
    expect(menu.map((i) => i.label ?? '—')).toEqual([
      'Procdock: hub running at 127.0.0.1:7420 · 1 of 2 servers on',
      '—',
      'notes/mcp-memory · 1 tool',
      'notes/mcp-web · 1 tool',
      '—',
      'Copy toolkit URL',
      'Open Procdock',
      '—',
      'Quit Procdock',
    ]);
    expect(menu[2]).toMatchObject({ type: 'checkbox', checked: true, action: { kind: 'stop-server', app: 'notes', process: 'mcp-memory' } });
    expect(menu[3]).toMatchObject({ type: 'checkbox', checked: false, action: { kind: 'start-server', app: 'notes', process: 'mcp-web' } });
    expect(menu[5]?.action).toEqual({ kind: 'copy', text: 'http://127.0.0.1:7420/mcp' });
    expect(menu[6]?.action).toEqual({ kind: 'open-window' });
    expect(menu[8]?.action).toEqual({ kind: 'quit' });
  });

  it('shows a server in error as off and not switchable, with its error', () => {
    const [, , item] = trayMenu({ hub: 'running', info, servers: [server('mcp-broken', { primitives_status: 'error', primitives_error: 'exited with 1' })] });
    expect(item).toMatchObject({ label: 'notes/mcp-broken (error)', checked: false, enabled: false, toolTip: 'exited with 1' });
    expect(item?.action).toBeUndefined();
  });

  it('says when there are no servers, when calls cannot run, and when the hub is starting or unreachable', () => {
    expect(labels({ hub: 'running', info, servers: [] })).toContain('No servers yet: add an app in the window');
    const noEngine = { ...info, sandbox: { kind: 'docker', sandboxed: true, ready: false, reason: 'no Docker engine: connect ENOENT' } };
    expect(labels({ hub: 'running', info: noEngine, servers: [] })[1]).toBe('Calls cannot run: no Docker engine: connect ENOENT');
    expect(labels({ hub: 'running', info: { ...info, sandbox: { kind: 'process', sandboxed: false, ready: true } }, servers: [] })[1]).toBe(
      'Unsandboxed: servers run as plain processes',
    );
    expect(labels({ hub: 'starting', servers: [] })).toEqual(['Procdock: starting…', '—', '—', 'Open Procdock', '—', 'Quit Procdock']);
    const down = trayMenu({ hub: 'unreachable', error: 'ECONNREFUSED', servers: [server('mcp-memory')] });
    expect(down[0]?.label).toBe('Procdock: hub unreachable (ECONNREFUSED)');
    expect(down.some((i) => i.action?.kind === 'stop-server')).toBe(false);
  });
});
