import { expect, it } from 'vitest';
import { foreignHostRefusal } from './host-gate.ts';

it('refuses anonymous requests to a foreign Host only while anonymous reading is on', () => {
  const foreign = { host: 'attacker.example:4000' };
  expect(foreignHostRefusal(true, foreign)).toMatch(/this request names another host/);
  // Missing Host and a blank Authorization header are anonymous too (resolveCaller agrees).
  expect(foreignHostRefusal(true, {})).not.toBeNull();
  expect(foreignHostRefusal(true, { ...foreign, authorization: '  ' })).not.toBeNull();
  expect(foreignHostRefusal(true, { host: '127.0.0.1:4000' })).toBeNull();
  expect(foreignHostRefusal(true, { host: '[::1]:4000' })).toBeNull();
  // Off: a token is needed anyway, so the Host tells nothing.
  expect(foreignHostRefusal(false, foreign)).toBeNull();
  // A token, good or bad, is for resolveCaller to judge: never served anonymously.
  expect(foreignHostRefusal(true, { ...foreign, authorization: 'Bearer x' })).toBeNull();
});

it('names no host and no path in its message', () => {
  const message = foreignHostRefusal(true, { host: 'attacker.example' }) ?? '';
  expect(message).not.toContain('attacker.example');
  expect(message).not.toMatch(/\/(work|home|tmp)\//);
});
