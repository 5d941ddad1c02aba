import { describe, expect, it } from 'vitest';
import { PoolDemand } from './pool-demand.js';

describe('PoolDemand', () => {
  const minute = 60_000;

  it('asks for one container per call that comes within one start time of the others', () => {
    const demand = new PoolDemand(5 * minute);
    for (let i = 0; i < 8; i++) demand.record(1000 + i, 800);
    expect(demand.level(1100)).toBe(8);
  });

  it('asks for one when calls are further apart than a container takes to start', () => {
    const demand = new PoolDemand(5 * minute);
    for (let i = 0; i < 10; i++) demand.record(i * 1500, 800);
    expect(demand.level(15_000)).toBe(1);
  });

  it('remembers a surge for its memory, then falls back to nothing', () => {
    const demand = new PoolDemand(5 * minute);
    for (let i = 0; i < 8; i++) demand.record(10_000, 800);
    demand.record(3 * minute, 800);
    expect(demand.level(4 * minute)).toBe(8);
    expect(demand.level(10_000 + 5 * minute + minute)).toBe(1);
    expect(demand.level(3 * minute + 5 * minute + minute)).toBe(0);
  });
});
