import { describe, expect, it } from 'vitest';
import { utcTick } from './chart-style.ts';

describe('utcTick', () => {
  it('writes UTC ticks in 24-hour time, dates at midnight', () => {
    expect(utcTick(new Date(Date.UTC(2024, 4, 2, 0, 0)))).toBe('05-02');
    expect(utcTick(new Date(Date.UTC(2024, 4, 2, 15, 30)))).toBe('15:30');
    expect(utcTick(new Date(Date.UTC(2024, 4, 2, 23, 59, 5)))).toBe('23:59:05');
  });
});
