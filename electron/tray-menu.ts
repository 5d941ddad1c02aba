import type { HubInfo, ServerView } from '../src/shared/api.js';

/** What the tray knows of the hub: built from `hub.info` and `servers.list`. */
export interface TrayState {
  hub: 'starting' | 'running' | 'unreachable';
  info?: HubInfo;
  servers: ServerView[];
  /** Why the hub could not be read, while it cannot. */
  error?: string;
}

/** What a menu item does when clicked; the shell carries it out. */
export type TrayAction =
  | { kind: 'open-window' }
  | { kind: 'quit' }
  | { kind: 'copy'; text: string }
  | { kind: 'start-server' | 'stop-server'; app: string; process: string };

/** One item of the tray menu, as plain data: the shell turns it into Electron's template. */
export interface TrayItem {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  toolTip?: string;
  action?: TrayAction;
  submenu?: TrayItem[];
}

const separator: TrayItem = { type: 'separator' };

/**
 * The tray menu for a state of the hub: its status, each server with a start/stop checkbox (off and
 * disabled while in error), copy the toolkit URL, open the window, quit. Pure: tested without Electron.
 */
export function trayMenu(state: TrayState): TrayItem[] {
  return [
    { label: hubLine(state), enabled: false },
    ...sandboxLine(state),
    separator,
    ...serverItems(state),
    separator,
    ...(state.info ? [{ label: 'Copy toolkit URL', action: { kind: 'copy', text: state.info.toolkit_url } } satisfies TrayItem] : []),
    { label: 'Open Procdock', action: { kind: 'open-window' } },
    separator,
    { label: 'Quit Procdock', action: { kind: 'quit' } },
  ];
}

function hubLine(state: TrayState): string {
  if (state.hub === 'starting') return 'Procdock: starting…';
  if (state.hub === 'unreachable') return `Procdock: hub unreachable${state.error ? ` (${state.error})` : ''}`;
  const where = state.info ? ` at ${state.info.url.replace(/^https?:\/\//, '')}` : '';
  const running = state.servers.filter((s) => s.server_status === 'registered' && s.primitives_status !== 'error').length;
  return `Procdock: hub running${where} · ${running} of ${state.servers.length} server${state.servers.length === 1 ? '' : 's'} on`;
}

function sandboxLine(state: TrayState): TrayItem[] {
  const sandbox = state.info?.sandbox;
  if (!sandbox) return [];
  if (!sandbox.sandboxed) return [{ label: `Unsandboxed: servers run as plain processes`, enabled: false }];
  if (!sandbox.ready) return [{ label: `Calls cannot run: ${sandbox.reason ?? 'no Docker engine'}`, enabled: false }];
  return [];
}

function serverItems(state: TrayState): TrayItem[] {
  if (state.hub !== 'running') return [];
  if (state.servers.length === 0) return [{ label: 'No servers yet: add an app in the window', enabled: false }];
  return state.servers.map((server): TrayItem => {
    const name = `${server.app_name}/${server.process_type}`;
    const tools = `${server.tools.length} tool${server.tools.length === 1 ? '' : 's'}`;
    if (server.primitives_status === 'error') {
      return { label: `${name} (error)`, type: 'checkbox', checked: false, enabled: false, toolTip: server.primitives_error ?? 'in error: open the window' };
    }
    const on = server.server_status === 'registered';
    return {
      label: `${name} · ${tools}`,
      type: 'checkbox',
      checked: on,
      action: { kind: on ? 'stop-server' : 'start-server', app: server.app_name, process: server.process_type },
    };
  });
}
