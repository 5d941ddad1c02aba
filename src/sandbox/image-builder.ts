import type Docker from 'dockerode';
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
import type { AppRef, PreparedApp } from './sandbox.js';

/** The base image each language builds on, when the app has no Dockerfile of its own. */
export type BaseImages = Record<Language, string>;

export const defaultBaseImages: BaseImages = {
  node: 'node:20-slim',
  python: 'python:3.12-slim',
  ruby: 'ruby:3.3-slim',
  go: 'golang:1.23',
};

/** Base images from the defaults, overridden by `PROCDOCK_BASE_IMAGE_NODE` and friends. */
export function baseImagesFromEnv(env: NodeJS.ProcessEnv = process.env): BaseImages {
  const pick = (language: Language) => env[`PROCDOCK_BASE_IMAGE_${language.toUpperCase()}`] || defaultBaseImages[language];
  return { node: pick('node'), python: pick('python'), ruby: pick('ruby'), go: pick('go') };
}

/** Images are named per data dir, so two hubs on one engine never touch each other's. */
export function imageRepository(home: string, appName: string): string {
  return `procdock-${home}/${appName}`;
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
    /** Network for build steps (dependency installs); `host` reaches registries where a bridge cannot. */
    private readonly buildNetwork: string,
  ) {}

  async prepare(app: AppRef, onProgress: (line: string) => void = () => undefined): Promise<PreparedApp> {
    const files = await listAppFiles(app.path);
    const own = files.some((f) => f.path === 'Dockerfile');
    let generated: string | undefined;
    if (!own) {
      const language = detectLanguage(files);
      generated = generateDockerfile(language, this.baseImages[language ?? 'node'], files);
      if (!language) onProgress(`No package.json, requirements.txt, pyproject.toml, Gemfile or go.mod: using the node base image.`);
    }
    const hash = await hashApp(app.path, files, generated ?? '');
    const image = `${imageRepository(this.home, app.name)}:${hash.slice(0, 16)}`;
    if (await this.exists(image)) {
      onProgress(`Image ${image} is up to date.`);
      return { image, hash, built: false };
    }
    onProgress(`Building ${image} from ${own ? 'the app’s Dockerfile' : 'a generated Dockerfile'}…`);
    const stream = await this.docker.buildImage(contextTar(app.path, files, generated), {
      t: image,
      dockerfile: own ? 'Dockerfile' : generatedDockerfileName,
      labels: { 'procdock.managed': 'true', 'procdock.app': app.name },
      networkmode: this.buildNetwork,
      rm: true,
      forcerm: true,
    });
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, events: BuildEvent[]) => {
          const failed = error?.message ?? events.find((e) => e.error)?.error;
          if (failed) reject(new AppError('sandbox', `building ${app.name} failed: ${failed.trim()}`));
          else resolve();
        },
        (event: BuildEvent) => {
          const text = (event.stream ?? event.status ?? '').trimEnd();
          if (text) for (const line of text.split('\n')) onProgress(line);
        },
      );
    });
    await this.removeOtherTags(app.name, image);
    return { image, hash, built: true };
  }

  /** Removes every image of the app. */
  async removeAll(appName: string): Promise<void> {
    await this.removeOtherTags(appName, undefined);
  }

  private async exists(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  private async removeOtherTags(appName: string, keep: string | undefined): Promise<void> {
    const images = await this.docker.listImages({ filters: { reference: [imageRepository(this.home, appName)] } });
    for (const info of images) {
      for (const tag of info.RepoTags ?? []) {
        if (tag !== keep) await this.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
      }
    }
  }
}
