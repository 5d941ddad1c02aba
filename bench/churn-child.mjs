// The churn in a process of its own, holding only a hub and the loop that calls it: its memory
// afterwards is the hub's, without the bench's other sections (their clients, the toolkit's worker
// thread, the hubs closed before) in the figure. Started by run.mjs with fork(); answers over IPC.
import { churn } from './call-paths.mjs';
import { benchHub } from './fixture.mjs';
import { busyCpuSeconds } from './machine.mjs';
import { sleep } from './stats.mjs';

const [home, calls] = [process.argv[2], Number(process.argv[3])];
const hub = benchHub(home, { warmPools: true });
try {
  await hub.start();
  await sleep(3000); // the first warm container starts
  // What every process on the machine spent meanwhile (the engine, its shims and runc, the servers,
  // the hub): a churn that keeps every CPU busy is bounded by that, not by waiting.
  const busyBefore = busyCpuSeconds();
  const path = await churn(hub, calls);
  path.cpuSecondsPerCall = (busyCpuSeconds() - busyBefore) / calls;
  const rssMiB = process.memoryUsage().rss / 1024 / 1024;
  process.send({ path, rssMiB });
} catch (error) {
  process.send({ error: error instanceof Error ? error.message : String(error) });
} finally {
  await hub.close();
  process.disconnect();
}
