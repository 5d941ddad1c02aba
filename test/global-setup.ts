// The e2e project's global setup: after the run, removes what the tests' hubs left on the Docker
// engine (images, volumes, stopped containers). A test's data dir is a temporary folder, gone when
// the test ends, so nothing would ever remove its images: every run left dozens behind. Only the
// data dirs the tests made are matched (helpers.ts records them), never a hub of the developer's.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export default function setup(): () => Promise<void> {
  const file = join(tmpdir(), `procdock-test-homes-${process.pid}.txt`);
  writeFileSync(file, '');
  // Read by helpers.ts in the test workers, which start after this.
  process.env.PROCDOCK_TEST_HOMES = file;
  return async () => {
    const homes = new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean));
    rmSync(file, { force: true });
    if (homes.size === 0) return;
    await removeLeftovers(homes).catch((error: unknown) => console.warn(`could not remove what the tests left on the engine: ${String(error)}`));
  };
}

async function removeLeftovers(homes: Set<string>): Promise<void> {
  const docker = new Docker();
  const answers = await docker.ping().then(
    () => true,
    () => false,
  );
  if (!answers) return;
  const label = ['procdock.managed=true'];
  const ours = (labels: Record<string, string> | null | undefined) => homes.has(labels?.['procdock.home'] ?? '');
  const containers = (await docker.listContainers({ all: true, filters: { label } })).filter((c) => ours(c.Labels));
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  const images = (await docker.listImages({ filters: { label } })).filter((i) => ours(i.Labels));
  for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
  const volumes = ((await docker.listVolumes({ filters: { label } })).Volumes ?? []).filter((v) => ours(v.Labels));
  for (const volume of volumes) await docker.getVolume(volume.Name).remove().catch(() => undefined);
  const counts = [`${containers.length} containers`, `${images.length} images`, `${volumes.length} volumes`];
  console.log(`removed what the tests' data dirs left on the engine: ${counts.join(', ')}`);
}
