import { contextBridge, ipcRenderer } from 'electron';

/** What the renderer learns from the shell: where its hub listens and the admin token. Nothing else. */
export interface DesktopBridge {
  hubUrl: string;
  token: string;
}

const bridge = ipcRenderer.sendSync('procdock:bridge') as DesktopBridge;
contextBridge.exposeInMainWorld('procdock', bridge);
