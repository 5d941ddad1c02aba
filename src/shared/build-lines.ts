// Lines of a Docker image build, as the CLI, the hub and the UI read them.

/** Docker's "Step 3/5 : RUN npm install": a build step begins. Groups: N, M, the instruction. */
export const stepLine = /^Step (\d+)\/(\d+) : (.*)$/;

/** Whether a line is what a step printed, not blank and not the engine's bookkeeping between steps (" ---> 3f2a…", "Removing intermediate container …"). */
export function isStepOutput(line: string): boolean {
  return line.trim() !== '' && !/^ ---> |^Removing intermediate container /.test(line);
}
