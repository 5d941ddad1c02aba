import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, nativeImage, shell, Tray } from 'electron';
import pino from 'pino';
import { resolveDataDir } from '../src/hub/data-dir';
import { claimDataDir, releaseDataDir, updateHubFile } from '../src/hub/hub-file';
import { Hub } from '../src/hub/hub';
import { HubServer } from '../src/http/hub-server';
import type { ServerView } from '../src/shared/api';

/**
 * The desktop shell: a window and a tray over a hub. `procdock start` runs the hub in Node and hands
 * its URL and token over (PROCDOCK_HUB_URL/TOKEN), so Electron loads none of its native modules;
 * launched on its own, the shell hosts the hub from src/ itself. No business logic lives here: the
 * window and the tray talk to the hub over its HTTP API, like the browser UI.
 */
interface HubAccess {
  url: string;
  token: string;
  onDidChange(listener: () => void): void;
  close(): Promise<void>;
}

const here = import.meta.dirname;
let hub: HubAccess | undefined;
let tray: Tray | undefined;
let window: BrowserWindow | undefined;

/** The hub `procdock start` runs for us, followed by polling (it is another process). */
function externalHub(url: string, token: string): HubAccess {
  return {
    url,
    token,
    onDidChange(listener) {
      setInterval(listener, 3000).unref();
    },
    close: () => Promise.resolve(),
  };
}

/** A hub in this process, when the shell was launched on its own. */
async function hostedHub(): Promise<HubAccess> {
  const dataDir = resolveDataDir();
  const token = randomBytes(24).toString('base64url');
  claimDataDir(dataDir);
  const hosted = new Hub({ dataDir, warmPools: true });
  await hosted.start();
  const server = new HubServer(hosted, { host: '127.0.0.1', port: 7420, adminToken: token, logger: pino() });
  const url = await server.start();
  hosted.url = url;
  updateHubFile(dataDir, { pid: process.pid, url, token, started_at: new Date().toISOString() });
  return {
    url,
    token,
    onDidChange: (listener) => void hosted.onDidChange(listener),
    async close() {
      await server.close();
      await hosted.close();
      releaseDataDir(dataDir);
    },
  };
}

async function api<T>(name: string, input: unknown): Promise<T> {
  if (!hub) throw new Error('no hub');
  const response = await fetch(`${hub.url}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.token}` },
    body: JSON.stringify(input),
  });
  return (await response.json()) as T;
}

function openWindow(): void {
  if (window) return window.show();
  window = new BrowserWindow({
    width: 1180,
    height: 780,
    title: 'Procdock',
    webPreferences: { preload: join(here, '../preload/index.cjs'), sandbox: true, contextIsolation: true },
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (process.env.ELECTRON_RENDERER_URL) void window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void window.loadFile(join(here, '../renderer/index.html'));
  window.on('closed', () => (window = undefined));
}

/** The tray lists every server; its checkbox starts and stops it. */
async function refreshTray(): Promise<void> {
  if (!tray) return;
  const servers = await api<ServerView[]>('servers.list', {}).catch(() => [] as ServerView[]);
  const items = servers.map((s) => ({
    label: `${s.app_name}/${s.process_type}`,
    type: 'checkbox' as const,
    checked: s.server_status === 'registered',
    click: () =>
      void api(s.server_status === 'registered' ? 'servers.stop' : 'servers.start', { app: s.app_name, process: s.process_type }).then(refreshTray),
  }));
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Procdock', click: openWindow },
      { type: 'separator' },
      ...(items.length ? items : [{ label: 'No servers yet', enabled: false }]),
      { type: 'separator' },
      { label: 'Quit', click: () => app.quit() },
    ]),
  );
}

ipcMain.on('procdock:bridge', (event) => {
  event.returnValue = { hubUrl: hub?.url ?? '', token: hub?.token ?? '' };
});

app.whenReady().then(async () => {
  const { PROCDOCK_HUB_URL: url, PROCDOCK_HUB_TOKEN: token } = process.env;
  hub = url && token ? externalHub(url, token) : await hostedHub();
  tray = new Tray(nativeImage.createFromPath(join(here, '../../resources/tray.png')));
  tray.setToolTip('Procdock');
  hub.onDidChange(() => void refreshTray());
  await refreshTray();
  openWindow();
});

app.on('window-all-closed', () => {
  // Keep running in the tray: the toolkit stays up for Cursor and friends.
});

app.on('before-quit', async (event) => {
  if (!hub) return;
  event.preventDefault();
  const closing = hub;
  hub = undefined;
  await closing.close();
  app.exit(0);
});
