import { smsLength } from './sms-segments';

describe('smsLength', () => {
  it('fits 160 GSM-7 characters in one segment and splits beyond into parts of 153', () => {
    expect(smsLength('a'.repeat(160))).toEqual({
      encoding: 'GSM-7',
      characters: 160,
      units: 160,
      segments: 1,
    });
    expect(smsLength('a'.repeat(161)).segments).toBe(2);
    expect(smsLength('a'.repeat(306)).segments).toBe(2);
    expect(smsLength('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters as two septets and never splits their escape pair', () => {
    expect(smsLength('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    // 152 septets, then a pair that would straddle the 153rd: it moves to the next part.
    expect(smsLength(`${'a'.repeat(152)}€${'a'.repeat(10)}`)).toMatchObject({ units: 164, segments: 2 });
    expect(smsLength(`${'a'.repeat(151)}€${'a'.repeat(153)}`).segments).toBe(2);
    expect(smsLength(`${'a'.repeat(152)}€${'a'.repeat(153)}`).segments).toBe(3);
  });

  it('switches the whole message to UCS-2 for one character outside GSM-7: 70, then parts of 67', () => {
    expect(smsLength(`${'a'.repeat(69)}ç`)).toEqual({
      encoding: 'UCS-2',
      characters: 70,
      units: 70,
      segments: 1,
    });
    expect(smsLength(`${'a'.repeat(70)}ç`).segments).toBe(2);
    expect(smsLength('ç'.repeat(134)).segments).toBe(2);
    expect(smsLength('ç'.repeat(135)).segments).toBe(3);
  });

  it('counts an emoji as two UTF-16 units and keeps its surrogate pair in one part', () => {
    expect(smsLength('😀')).toEqual({ encoding: 'UCS-2', characters: 1, units: 2, segments: 1 });
    expect(smsLength(`${'a'.repeat(66)}😀${'a'.repeat(10)}`)).toMatchObject({ units: 78, segments: 2 });
  });

  it('counts an empty text as no segment', () => {
    expect(smsLength('')).toEqual({ encoding: 'GSM-7', characters: 0, units: 0, segments: 0 });
  });
});
