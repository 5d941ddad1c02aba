import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { isStepOutput, stepLine } from '../shared/build-lines.js';
import { AppError } from '../shared/errors.js';
import {
  contextTar,
  detectLanguage,
  generateDockerfile,
  generatedDockerfileName,
  hashApp,
  listAppFiles,
  type Language,
} from './build-context.js';
import { imageRepository, qualifiedReference } from './image-reference.js';
import { nodeCacheDir, nodeCacheLabel, type NodeCacheFile } from './node-cache.js';
import type { AppRef, PreparedApp } from './sandbox.js';

/** The base image each language builds on, when the app has no Dockerfile of its own. */
export type BaseImages = Record<Language, string>;

/**
 * Releases their projects still support: Node 24 is the active LTS (20 reached its end in April
 * 2026), and `golang:1` follows Go's newest release, which Go 1's compatibility promise lets any
 * go.mod build with (Go supports only its two newest).
 */
export const defaultBaseImages: BaseImages = {
  node: 'node:24-slim',
  python: 'python:3.12-slim',
  ruby: 'ruby:3.3-slim',
  go: 'golang:1',
};

/** Base images from the defaults, overridden by `PROCDOCK_BASE_IMAGE_NODE` and friends. */
export function baseImagesFromEnv(env: NodeJS.ProcessEnv = process.env): BaseImages {
  const pick = (language: Language) => env[`PROCDOCK_BASE_IMAGE_${language.toUpperCase()}`] || defaultBaseImages[language];
  return { node: pick('node'), python: pick('python'), ruby: pick('ruby'), go: pick('go') };
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Builds one image per app, tagged by a hash of its files: an unchanged app is not rebuilt. Uses the
 * app's own Dockerfile when it has one, else a generated one for its language.
 */
export class ImageBuilder {
  constructor(
    private readonly docker: Docker,
    /** The data dir's short id. */
    private readonly home: string,
    private readonly baseImages: BaseImages,
    /** Network for build steps (dependency installs): the engine's bridge unless the user picks another. */
    private readonly buildNetwork: string,
  ) {}

  /** Builds the app's image; `nodeBase` names the node base image a generated build started from. */
  async prepare(app: AppRef, onProgress: (line: string) => void = () => undefined, signal?: AbortSignal): Promise<PreparedApp & { nodeBase?: string }> {
    const own = existsSync(join(app.path, 'Dockerfile'));
    const files = await listAppFiles(app.path, { generated: !own });
    let generated: string | undefined;
    let nodeBase: string | undefined;
    if (!own) {
      const language = detectLanguage(files);
      const base = this.baseImages[language ?? 'node'];
      if ((language ?? 'node') === 'node') nodeBase = base;
      // Spelled out, so the engine's builder takes the image this check found, whatever its registries.
      generated = generateDockerfile(language, qualifiedReference(base), files);
      if (!language) onProgress(`No package.json, requirements.txt, pyproject.toml, Gemfile or go.mod: using the node base image.`);
      await this.ensureBaseImage(base, language ?? 'node', onProgress);
    }
    const hash = await hashApp(app.path, files, generated ?? '');
    const image = `${imageRepository(this.home, app.name)}:${hash.slice(0, 16)}`;
    if (await this.exists(image)) {
      onProgress(`Image ${image} is up to date.`);
      return { image, hash, built: false, nodeBase };
    }
    if (signal?.aborted) throw removedWhileBuilding(app.name);
    onProgress(`Building ${image} from ${own ? 'the app’s Dockerfile' : 'a generated Dockerfile'}…`);
    const stream = await this.docker.buildImage(contextTar(app.path, files, generated), {
      t: image,
      dockerfile: own ? 'Dockerfile' : generatedDockerfileName,
      labels: this.labels(app.name),
      networkmode: this.buildNetwork,
      rm: true,
      forcerm: true,
    });
    await this.follow(app.name, stream, onProgress, signal);
    await this.removeOtherTags(app.name, image);
    return { image, hash, built: true, nodeBase };
  }

  /**
   * Adds a compile cache to a built image, under the same tag: one layer with the files, built with
   * no network; the image's label tells the sandbox to point its containers' node at it.
   */
  async addNodeCache(appName: string, image: string, files: NodeCacheFile[], signal?: AbortSignal): Promise<void> {
    const tar = pack();
    const folder = 'procdock-node-cache';
    tar.entry({ name: generatedDockerfileName, mode: 0o644 }, `FROM ${image}\nCOPY ${folder} ${nodeCacheDir}\n`);
    const dirs = new Set<string>();
    for (const file of files) {
      const parts = file.path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (!dirs.has(dir)) tar.entry({ name: `${folder}/${dir}`, type: 'directory', mode: 0o755 });
        dirs.add(dir);
      }
      tar.entry({ name: `${folder}/${file.path}`, mode: 0o644 }, file.data);
    }
    tar.finalize();
    const stream = await this.docker.buildImage(Readable.from(tar as AsyncIterable<Buffer>), {
      t: image,
      dockerfile: generatedDockerfileName,
      labels: { ...this.labels(appName), [nodeCacheLabel]: nodeCacheDir },
      networkmode: 'none',
      rm: true,
      forcerm: true,
    });
    // Two steps of the engine's own words; the sandbox says what they did in one line.
    await this.follow(appName, stream, () => undefined, signal);
  }

  private labels(appName: string): Record<string, string> {
    return { 'procdock.managed': 'true', 'procdock.home': this.home, 'procdock.app': appName };
  }

  /**
   * Follows a build's output to its end; a failed build rejects with its failing step's last words.
   * `signal` ends it early: the engine cancels a build whose client has gone.
   */
  private async follow(appName: string, stream: NodeJS.ReadableStream, onProgress: (line: string) => void, signal?: AbortSignal): Promise<void> {
    // The output of the step running now: a failed step's last words say why it failed.
    let stepOutput: string[] = [];
    let onAbort = () => undefined as void;
    await new Promise<void>((resolve, reject) => {
      onAbort = () => {
        (stream as Readable).destroy();
        reject(removedWhileBuilding(appName));
      };
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, events: BuildEvent[]) => {
          const failed = error?.message ?? events.find((e) => e.error)?.error;
          if (failed) reject(new AppError('sandbox', `building ${appName} failed: ${failed.trim()}${whyStepFailed(stepOutput)}`));
          else resolve();
        },
        (event: BuildEvent) => {
          const text = withoutTerminalCodes(event.stream ?? event.status ?? '').trimEnd();
          if (!text) return;
          for (const line of text.split('\n')) {
            if (stepLine.test(line)) stepOutput = [];
            else if (isStepOutput(line)) stepOutput = [...stepOutput.slice(-199), line];
            onProgress(line);
          }
        },
      );
    }).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** Removes every image of the app: its tags, and untagged ones left by earlier builds. */
  async removeAll(appName: string): Promise<void> {
    await this.removeOtherTags(appName, undefined);
    const labelled = await this.docker.listImages({
      all: true,
      filters: { label: ['procdock.managed=true', `procdock.home=${this.home}`, `procdock.app=${appName}`] },
    });
    for (const info of labelled) await this.docker.getImage(info.Id).remove({ force: true }).catch(() => undefined);
  }

  /** Pulls a missing base image with progress; when it cannot be had, says which and how to choose another. */
  private async ensureBaseImage(image: string, language: Language, onProgress: (line: string) => void): Promise<void> {
    if (await this.exists(qualifiedReference(image))) return;
    const variable = `PROCDOCK_BASE_IMAGE_${language.toUpperCase()}`;
    onProgress(`Pulling the ${language} base image ${image}…`);
    try {
      const stream = await this.docker.pull(qualifiedReference(image));
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (error: Error | null) => (error ? reject(error) : resolve()),
          (event: BuildEvent & { id?: string; progress?: string }) => {
            if (event.status) onProgress(`${event.id ? `${event.id}: ` : ''}${event.status}${event.progress ? ` ${event.progress}` : ''}`);
          },
        );
      });
    } catch (error) {
      const message = (error as { json?: { message?: string } }).json?.message ?? (error as Error).message;
      throw new AppError(
        'sandbox',
        `the ${language} base image ${image} is not on the Docker engine and cannot be pulled (${message.trim()}): pull it yourself, or set ${variable} to an image the engine has`,
      );
    }
  }

  /** Whether the engine has the image; an engine that does not answer is an error, not a "no". */
  private async exists(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }

  private async removeOtherTags(appName: string, keep: string | undefined): Promise<void> {
    const repository = imageRepository(this.home, appName);
    const images = await this.docker.listImages({ filters: { reference: [repository] } });
    for (const info of images) {
      // Podman's reference filter also matches other registries' repositories of the same path.
      for (const tag of (info.RepoTags ?? []).filter((t) => t.startsWith(`${repository}:`))) {
        if (tag !== keep) await this.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
      }
    }
  }
}

/** Why a build (or the sync after it) stopped short: its app was removed; the caller adding it hears this. */
export function removedWhileBuilding(appName?: string): AppError {
  return new AppError('conflict', `${appName ? `app "${appName}"` : 'the app'} was removed while it was being built: nothing of it is left`);
}

/** A tool's colours and cursor moves (npm prints them even into a build), which a log shows as junk. */
export function withoutTerminalCodes(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g, '');
}

/** The last error lines a failed step printed (npm's `npm error …`), or its last lines: ` — a / b`. */
export function whyStepFailed(output: string[]): string {
  // npm's pointer to its log names a file inside the build's container, gone with it.
  const errors = output.filter((line) => /\b(err(or)?|ERR!|fatal|failed)\b/i.test(line) && !/complete log of this run/.test(line));
  const said = (errors.length > 0 ? errors : output).slice(-3).map((line) => line.trim());
  return said.length > 0 ? ` — ${said.join(' / ').slice(0, 400)}` : '';
}
