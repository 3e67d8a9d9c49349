import { describe, expect, it } from 'vitest';
import { ritaBeaconScore, RITA_FLAG_THRESHOLD } from './rita-v5.ts';
import { elasticBeaconingWindow } from './elastic-beaconing.ts';
import { createRandom, seedFor } from './prng.ts';
import { runCondition, timingConditions } from './timing-suite.ts';

const DAY_START = 1_704_067_200;

describe('RITA v5 re-implementation', () => {
  it('scores a perfect all-day beacon 1.0', () => {
    const conns = Array.from({ length: 288 }, (_, i) => ({ time: DAY_START + 150 + i * 300, bytes: 1800 }));
    const score = ritaBeaconScore(conns, DAY_START, DAY_START + 86_400);
    expect(score).toEqual({ score: 1, timestampScore: 1, dataSizeScore: 1, histogramScore: 1, durationScore: 1 });
  });

  it('scores a one-hour burst of irregular traffic low', () => {
    const random = createRandom(7);
    const conns = Array.from({ length: 40 }, () => ({ time: DAY_START + 3600 * random.next(), bytes: Math.round(100 + 5000 * random.next()) }));
    const score = ritaBeaconScore(conns, DAY_START, DAY_START + 86_400);
    expect(score?.durationScore).toBe(0);
    expect(score?.score).toBeLessThan(RITA_FLAG_THRESHOLD);
  });

  it('skips pairs with fewer than 4 distinct seconds', () => {
    const conns = [0, 0.5, 60, 120].map((t) => ({ time: DAY_START + t, bytes: 10 }));
    expect(ritaBeaconScore(conns, DAY_START, DAY_START + 86_400)).toBeNull();
  });
});

describe('Elastic beaconing re-implementation', () => {
  it('flags a jitter-free 5-minute beacon as periodic at 5 buckets', () => {
    const events = Array.from({ length: 72 }, (_, i) => ({ time: DAY_START + 30 + i * 300, sourceBytes: 100 + (i % 7) * 40, destinationBytes: 900 + (i % 5) * 200 }));
    const result = elasticBeaconingWindow(events, DAY_START + 6 * 3600);
    expect(result.periodic).toBe(true);
    expect(result.periodBuckets).toBe(5);
    expect(result.isBeaconing).toBe(true);
  });

  it('flags constant-size traffic on bytes alone, and leaves varied random traffic alone', () => {
    const random = createRandom(9);
    const times = Array.from({ length: 60 }, () => DAY_START + 6 * 3600 * random.next());
    const constant = elasticBeaconingWindow(times.map((time) => ({ time, sourceBytes: 420, destinationBytes: 1380 })), DAY_START + 6 * 3600);
    expect(constant.lowSourceBytesVariation).toBe(true);
    const varied = elasticBeaconingWindow(
      times.map((time) => ({ time, sourceBytes: Math.round(100 + 900 * random.next()), destinationBytes: Math.round(500 + 5000 * random.next()) })),
      DAY_START + 6 * 3600,
    );
    expect(varied.isBeaconing).toBe(false);
  });
});

describe('timing suite', () => {
  it('is seeded: the same condition gives the same numbers twice', () => {
    const condition = timingConditions().find((c) => c.id === 'uniform ±50 %');
    expect(condition).toBeDefined();
    const first = runCondition(condition!, 5);
    const second = runCondition(condition!, 5);
    expect({ ...first.relaywatch, meanMs: 0 }).toEqual({ ...second.relaywatch, meanMs: 0 });
    expect(first.rita).toEqual(second.rita);
    expect(first.meanEvents).toBe(second.meanEvents);
    expect(first.relaywatch.flagRate).toBe(1);
  });

  it('derives distinct seeds per stream', () => {
    expect(seedFor('a', 1)).not.toBe(seedFor('a', 2));
    expect(createRandom(seedFor('a', 1)).next()).toBe(createRandom(seedFor('a', 1)).next());
  });
});
