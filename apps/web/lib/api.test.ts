import { describe, expect, it } from 'vitest';
import { secureCookieSetting } from './api.ts';

describe('secureCookieSetting', () => {
  it('follows KDLENS_PUBLIC_URL unless KDLENS_WEB_SECURE_COOKIE says', () => {
    expect(secureCookieSetting(undefined, undefined)).toBe(false);
    expect(secureCookieSetting(undefined, 'http://kdlens.lan:3000')).toBe(false);
    expect(secureCookieSetting(undefined, 'https://kdlens.example.org')).toBe(true);
    expect(secureCookieSetting('', 'https://kdlens.example.org')).toBe(true);
    expect(secureCookieSetting('0', 'https://kdlens.example.org')).toBe(false);
    expect(secureCookieSetting('1', undefined)).toBe(true);
    expect(() => secureCookieSetting('yes', undefined)).toThrow(/must be 0 or 1/);
  });
});
