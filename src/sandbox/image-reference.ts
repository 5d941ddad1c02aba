/**
 * Image names every engine resolves the same way. Docker reads a short name (`node:24-slim`,
 * `me/tool`) as a Docker Hub name; Podman's Docker-compatible API does too, but Podman keeps its
 * own builds under `localhost/`, and its builder may search other registries for a short name.
 * Procdock therefore names images fully: `docker.io/library/node:24-slim`, `localhost/procdock-…`.
 */

/** The registry of images that were built here and exist on no registry at all. */
export const localRegistry = 'localhost';

/**
 * A reference with its registry spelled out, as Docker's own parser would complete it:
 * `node:24-slim` → `docker.io/library/node:24-slim`, `me/tool:1` → `docker.io/me/tool:1`;
 * names that already carry a registry (`localhost/x`, `ghcr.io/x`, `reg:5000/x`) and image ids
 * (`sha256:…`) are returned as they are.
 */
export function qualifiedReference(reference: string): string {
  if (/^sha256:[0-9a-f]{64}$/.test(reference)) return reference;
  const slash = reference.indexOf('/');
  const first = slash === -1 ? '' : reference.slice(0, slash);
  // Docker's rule: the first part is a registry when it has a dot or a port, or is `localhost`.
  if (first && (first.includes('.') || first.includes(':') || first === localRegistry)) return reference;
  return slash === -1 ? `docker.io/library/${reference}` : `docker.io/${reference}`;
}

/** The repository of an app's images on the engine: per data dir, so two hubs never touch each other's. */
export function imageRepository(home: string, appName: string): string {
  return `${localRegistry}/procdock-${home}/${appName}`;
}
