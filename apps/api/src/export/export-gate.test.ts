import { describe, expect, it } from 'vitest';
import { ExportGate } from './export-gate.ts';

describe('ExportGate', () => {
  it('refuses past the per-caller and the total limit, and frees a place once per release', () => {
    const gate = new ExportGate({ perCaller: 2, total: 3 });
    const a1 = gate.enter('a');
    const a2 = gate.enter('a');
    expect(typeof a1).toBe('function');
    expect(typeof a2).toBe('function');
    expect(gate.enter('a')).toBe('caller');
    const b1 = gate.enter('b');
    expect(typeof b1).toBe('function');
    expect(gate.enter('c')).toBe('server');
    if (typeof a1 !== 'function') throw new Error('entered');
    a1();
    a1();
    // One release frees one place: c gets in, then the server is full again.
    expect(typeof gate.enter('c')).toBe('function');
    expect(gate.enter('d')).toBe('server');
  });
});
