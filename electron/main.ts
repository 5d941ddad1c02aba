import { join } from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeImage, Notification, shell, Tray, type MenuItemConstructorOptions } from 'electron';
import type { ApprovalRequestView, HubInfo, ServerView } from '../src/shared/api';
import { approvalNotice } from './approval-notice';
import { followHubEvents } from './hub-events';
import { hostHub, type HostedHub } from './hosted-hub';
import { trayMenu, type TrayAction, type TrayItem, type TrayState } from './tray-menu';

/**
 * The desktop shell: a window and a tray over a hub. `procdock start` runs the hub in Node and hands
 * its URL and token over (PROCDOCK_HUB_URL/TOKEN), so Electron loads none of its native modules;
 * launched on its own (a packaged app), the shell hosts the hub from src/ itself. No business logic
 * lives here: the window and the tray talk to the hub over its HTTP API, like the browser UI.
 */
const here = import.meta.dirname;
let hub: { url: string; token: string; close(): Promise<void> } | undefined;
let tray: Tray | undefined;
let window: BrowserWindow | undefined;
let state: TrayState = { hub: 'starting', servers: [] };

async function api<T>(name: string, input: unknown = {}): Promise<T> {
  if (!hub) throw new Error('no hub');
  const response = await fetch(`${hub.url}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.token}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `the hub answered ${response.status}`);
  return body;
}

function openWindow(): void {
  if (!hub) return;
  if (window) {
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    return;
  }
  window = new BrowserWindow({
    width: 1240,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    title: 'Procdock',
    webPreferences: { preload: join(here, '../preload/index.cjs'), sandbox: true, contextIsolation: true },
  });
  // The UI comes from the hub itself: same origin as its API, so the hub's Origin check and the
  // browser's CORS rules hold as they do in a browser tab (a file:// page would be refused).
  const page = process.env.ELECTRON_RENDERER_URL ?? `${hub.url}/`;
  const origin = new URL(page).origin;
  window.webContents.setWindowOpenHandler(({ url }) => {
    void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The preload hands this page the admin token: no other page may load in this window.
  window.webContents.on('will-navigate', (event, url) => {
    if (new URL(url).origin === origin) return;
    event.preventDefault();
    void shell.openExternal(url);
  });
  void window.loadURL(page);
  window.on('closed', () => (window = undefined));
}

function run(action: TrayAction): void {
  switch (action.kind) {
    case 'open-window':
      return openWindow();
    case 'quit':
      return app.quit();
    case 'copy':
      return clipboard.writeText(action.text);
    case 'start-server':
    case 'stop-server':
      void api(action.kind === 'start-server' ? 'servers.start' : 'servers.stop', { app: action.app, process: action.process }).catch(() => undefined);
  }
}

function template(items: TrayItem[]): MenuItemConstructorOptions[] {
  return items.map(({ action, submenu, ...item }) => ({
    ...item,
    ...(action ? { click: () => run(action) } : {}),
    ...(submenu ? { submenu: template(submenu) } : {}),
  }));
}

function drawTray(): void {
  tray?.setContextMenu(Menu.buildFromTemplate(template(trayMenu(state))));
}

/** Reads what the tray shows; called at start and on every change event of the hub. */
async function refreshTray(): Promise<void> {
  try {
    const [info, servers] = await Promise.all([api<HubInfo>('hub.info'), api<ServerView[]>('servers.list')]);
    state = { hub: 'running', info, servers };
  } catch (error) {
    state = { ...state, hub: 'unreachable', error: (error as Error).message };
  }
  drawTray();
}

ipcMain.on('procdock:bridge', (event) => {
  event.returnValue = { hubUrl: hub?.url ?? '', token: hub?.token ?? '' };
});

// Granting a folder: the system's picker, over the window that asked. Only a folder the user picks
// comes back; the hub still refuses what must never be granted.
ipcMain.handle('procdock:choose-folder', async (event) => {
  const owner = BrowserWindow.fromWebContents(event.sender);
  const options = { title: 'Grant a folder to a server', buttonLabel: 'Grant', properties: ['openDirectory' as const, 'createDirectory' as const] };
  const chosen = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
  return chosen.canceled ? undefined : chosen.filePaths[0];
});

/** A call waits for the user's answer: a system notification that opens the window, where the dialog asks. */
function notifyApproval(request: ApprovalRequestView): void {
  if (!Notification.isSupported()) return openWindow();
  const notification = new Notification({ ...approvalNotice(request), urgency: 'critical' });
  notification.on('click', openWindow);
  notification.show();
  window?.flashFrame(true);
  window?.once('focus', () => window?.flashFrame(false));
}

// One Procdock per user: a second launch focuses the first one's window and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => openWindow());
  app.whenReady().then(async () => {
    tray = new Tray(nativeImage.createFromPath(join(here, '../../resources/tray.png')));
    tray.setToolTip('Procdock');
    drawTray();
    const { PROCDOCK_HUB_URL: url, PROCDOCK_HUB_TOKEN: token } = process.env;
    const hosted: HostedHub | undefined = url && token ? undefined : await hostHub();
    hub = hosted ?? { url: url!, token: token!, close: () => Promise.resolve() };
    const stop = followHubEvents(
      hub.url,
      hub.token,
      () => void refreshTray(),
      (reachable, error) => {
        if (reachable) return;
        state = { ...state, hub: 'unreachable', ...(error ? { error } : {}) };
        drawTray();
      },
      notifyApproval,
    );
    app.once('will-quit', stop);
    openWindow();
  });
}

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
