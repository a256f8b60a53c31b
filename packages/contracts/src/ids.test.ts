import { newId } from './ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('makes distinct UUIDv7 ids in creation order across several refills of its random pool', () => {
    // 18 random bytes per id: 2,000 ids draw on a 4 KiB pool about nine times.
    const ids = Array.from({ length: 2000 }, () => newId());
    expect(ids.filter((id) => !UUID_V7.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('puts the given time in the first 48 bits', () => {
    const at = Date.UTC(2030, 0, 1);
    const id = newId(at);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('differs in its random part between ids of the same millisecond', () => {
    const at = Date.UTC(2031, 5, 1);
    const tails = Array.from({ length: 50 }, () => newId(at).slice(19));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
