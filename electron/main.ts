import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, nativeImage, shell, Tray } from 'electron';
import pino from 'pino';
import { resolveDataDir } from '../src/hub/data-dir';
import { claimDataDir, releaseDataDir, updateHubFile } from '../src/hub/hub-file';
import { Hub } from '../src/hub/hub';
import { HubServer } from '../src/http/hub-server';

/**
 * The desktop shell: hosts the hub from src/, opens the window, keeps a tray menu. No business logic
 * lives here; the window talks to the hub over its HTTP API like the browser UI does.
 */
const here = import.meta.dirname;
const dataDir = resolveDataDir();
const token = randomBytes(24).toString('base64url');
let hub: Hub | undefined;
let server: HubServer | undefined;
let hubUrl = '';
let tray: Tray | undefined;
let window: BrowserWindow | undefined;

async function startHub(): Promise<void> {
  claimDataDir(dataDir);
  hub = new Hub({ dataDir, warmPools: true });
  await hub.start();
  server = new HubServer(hub, { host: '127.0.0.1', port: 7420, adminToken: token, logger: pino() });
  hubUrl = await server.start();
  hub.url = hubUrl;
  updateHubFile(dataDir, { pid: process.pid, url: hubUrl, token, started_at: new Date().toISOString() });
  hub.onDidChange(() => void refreshTray());
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

async function refreshTray(): Promise<void> {
  if (!hub || !tray) return;
  const servers = await hub.run('servers.list', {});
  const items = servers.map((s) => ({
    label: `${s.app_name}/${s.process_type}`,
    type: 'checkbox' as const,
    checked: s.server_status === 'registered',
    click: () =>
      void hub?.run(s.server_status === 'registered' ? 'servers.stop' : 'servers.start', { app: s.app_name, process: s.process_type }),
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
  event.returnValue = { hubUrl, token };
});

app.whenReady().then(async () => {
  await startHub();
  tray = new Tray(nativeImage.createFromPath(join(here, '../../resources/tray.png')));
  tray.setToolTip('Procdock');
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
  await server?.close();
  await closing.close();
  releaseDataDir(dataDir);
  app.exit(0);
});
