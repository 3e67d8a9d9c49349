import { describe, expect, it } from 'vitest';
import { formatDuration, percent } from './format.ts';

describe('exercise formatting', () => {
  it('formats durations as m:ss, or h:mm:ss from an hour', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65_400)).toBe('1:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(-5)).toBe('0:00');
  });
  it('formats ratios as percentages and undefined ones as a dash', () => {
    expect(percent(0.666)).toBe('67%');
    expect(percent(null)).toBe('—');
  });
});
