import { contextBridge, ipcRenderer } from 'electron';

/**
 * What the renderer learns from the shell: where its hub listens, the admin token, and the system's
 * folder picker (for granting a folder). Nothing else.
 */
export interface DesktopBridge {
  hubUrl: string;
  token: string;
  chooseFolder(): Promise<string | undefined>;
}

const { hubUrl, token } = ipcRenderer.sendSync('procdock:bridge') as Pick<DesktopBridge, 'hubUrl' | 'token'>;
const bridge: DesktopBridge = {
  hubUrl,
  token,
  chooseFolder: () => ipcRenderer.invoke('procdock:choose-folder') as Promise<string | undefined>,
};
contextBridge.exposeInMainWorld('procdock', bridge);
