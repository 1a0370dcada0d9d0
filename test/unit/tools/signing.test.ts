import { describe, expect, it } from 'vitest';
import { signPayload, SIGNATURE_HEADER } from '../../../src/tools/signing.js';

describe('signPayload', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 (known answer, computed with openssl)', () => {
    expect(signPayload('whsec_test', '{"a":1}', 1_700_000_000)).toBe(
      't=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789',
    );
    expect(SIGNATURE_HEADER).toBe('x-callbridge-signature');
  });

  it('changes with the timestamp, so an old signature cannot be replayed with a new time', () => {
    expect(signPayload('whsec_test', '{"a":1}', 1_700_000_001)).not.toContain('38877139');
  });
});
