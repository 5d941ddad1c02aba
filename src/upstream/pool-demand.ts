/**
 * How many warm containers a server needs: the most calls that began within one container start
 * time, at any moment of the last few minutes. Calls that come faster than containers start (a
 * burst, or a run of quick calls) each need a container of their own, ready before they arrive.
 */
export class PoolDemand {
  private recent: number[] = [];
  /** The highest count seen in each slot of time (a fifth of the memory), by slot number. */
  private readonly peaks = new Map<number, number>();
  private readonly slotMs: number;

  constructor(
    /** How long a surge is remembered; past it the pool shrinks back to its base. */
    private readonly memoryMs: number,
  ) {
    if (!(memoryMs > 0)) throw new Error(`memoryMs must be positive, got ${memoryMs}`);
    this.slotMs = memoryMs / 5;
  }

  /** Notes a call that begins `now`; `windowMs` is how long a container takes to start. */
  record(now: number, windowMs: number): void {
    this.recent = this.recent.filter((at) => at > now - windowMs);
    this.recent.push(now);
    const slot = Math.floor(now / this.slotMs);
    this.peaks.set(slot, Math.max(this.peaks.get(slot) ?? 0, this.recent.length));
  }

  /** The most calls within one start time over the remembered past; 0 after a quiet spell. */
  level(now: number): number {
    const oldest = Math.floor((now - this.memoryMs) / this.slotMs) + 1;
    let level = 0;
    for (const [slot, peak] of this.peaks) {
      if (slot < oldest) this.peaks.delete(slot);
      else level = Math.max(level, peak);
    }
    return level;
  }
}
