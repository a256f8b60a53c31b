import type { QuietHours } from '@herald/contracts';
import { quietHoursEnd } from './quiet-hours';

const overnight: QuietHours = { start: '21:00', end: '08:00', timezone: 'UTC', action: 'defer' };

describe('quietHoursEnd', () => {
  it('returns null outside the window', () => {
    expect(quietHoursEnd(overnight, undefined, new Date('2026-11-24T12:00:00Z'))).toBeNull();
  });

  it('ends the next morning when the window started this evening', () => {
    const end = quietHoursEnd(overnight, undefined, new Date('2026-11-24T22:30:15.250Z'));
    expect(end?.toISOString()).toBe('2026-11-25T08:00:00.000Z');
  });

  it('ends this morning when the window started yesterday evening', () => {
    const end = quietHoursEnd(overnight, undefined, new Date('2026-11-24T03:10:00Z'));
    expect(end?.toISOString()).toBe('2026-11-24T08:00:00.000Z');
  });

  it("reads the window in the profile's time zone", () => {
    // 23:00 in UTC is 08:00 in Tokyo: outside; 12:00 UTC is 21:00 in Tokyo: inside until 08:00 JST (23:00 UTC).
    expect(quietHoursEnd(overnight, 'Asia/Tokyo', new Date('2026-11-24T23:00:00Z'))).toBeNull();
    const end = quietHoursEnd(overnight, 'Asia/Tokyo', new Date('2026-11-24T12:00:00Z'));
    expect(end?.toISOString()).toBe('2026-11-24T23:00:00.000Z');
  });

  it("falls back to the window's zone when the profile's zone is not a valid IANA zone", () => {
    const end = quietHoursEnd(overnight, 'Mars/Olympus', new Date('2026-11-24T22:00:00Z'));
    expect(end?.toISOString()).toBe('2026-11-25T08:00:00.000Z');
  });

  it('applies only on the listed weekdays, by the day the window starts', () => {
    // 2026-11-24 is a Tuesday (2).
    const weekend: QuietHours = { ...overnight, weekdays: [0, 6] };
    expect(quietHoursEnd(weekend, undefined, new Date('2026-11-24T22:00:00Z'))).toBeNull();
    const mondayNight: QuietHours = { ...overnight, weekdays: [1] };
    expect(quietHoursEnd(mondayNight, undefined, new Date('2026-11-24T03:00:00Z'))?.toISOString()).toBe(
      '2026-11-24T08:00:00.000Z',
    );
  });

  it('handles a same-day window', () => {
    const lunch: QuietHours = { start: '12:00', end: '14:00', timezone: 'Europe/Paris', action: 'discard' };
    expect(quietHoursEnd(lunch, undefined, new Date('2026-11-24T10:00:00Z'))).toBeNull();
    expect(quietHoursEnd(lunch, undefined, new Date('2026-11-24T11:30:00Z'))?.toISOString()).toBe(
      '2026-11-24T13:00:00.000Z',
    );
  });
});
