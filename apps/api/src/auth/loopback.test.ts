import { expect, it } from 'vitest';
import { isLoopbackAddress } from './loopback.ts';

it('takes only loopback addresses for loopback', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) {
    expect(isLoopbackAddress(a), a).toBe(true);
  }
  for (const a of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', '::ffff:10.0.0.1', 'localhost']) {
    expect(isLoopbackAddress(a), a).toBe(false);
  }
});
