// The churn in a process of its own, holding only a hub and the loop that calls it: its memory
// afterwards is the hub's, without the bench's other sections (their clients, the toolkit's worker
// thread, the hubs closed before) in the figure. Started by run.mjs with fork(); answers over IPC.
import { churn } from './call-paths.mjs';
import { benchHub } from './fixture.mjs';
import { sleep } from './stats.mjs';

const [home, calls] = [process.argv[2], Number(process.argv[3])];
const hub = benchHub(home, { warmPools: true });
try {
  await hub.start();
  await sleep(3000); // the first warm container starts
  const path = await churn(hub, calls);
  const rssMiB = process.memoryUsage().rss / 1024 / 1024;
  process.send({ path, rssMiB });
} catch (error) {
  process.send({ error: error instanceof Error ? error.message : String(error) });
} finally {
  await hub.close();
  process.disconnect();
}
