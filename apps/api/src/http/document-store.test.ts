import { parse } from 'graphql';
import { expect, it } from 'vitest';
import { BoundedDocumentStore, documentBytes } from './document-store.ts';

it('estimates a document from its text and its JSON', () => {
  const query = '{ a }';
  const document = parse(query);
  expect(documentBytes(document)).toBe(query.length + 4 * JSON.stringify(document).length);
});

it('keeps documents within maxBytes, least recently used leaving first, long texts never', async () => {
  const doc = (i: number) => parse(`{ f${i} }`);
  const one = 1 + documentBytes(doc(0)); // key 'k' + the document
  const store = new BoundedDocumentStore({ maxBytes: 4 * one, maxQueryChars: 50 });
  for (const i of [1, 2, 3, 4]) await store.set(`${i}`, doc(i));
  expect(await store.get('1')).toBeDefined(); // now most recently used
  await store.set('5', doc(5));
  expect(await store.get('2')).toBeUndefined();
  expect(await store.get('1')).toBeDefined();
  expect(store.stats()).toEqual({ documents: 4, bytes: 4 * one });
  await store.set('long', parse(`{ f } # ${'x'.repeat(50)}`));
  expect(await store.get('long')).toBeUndefined();
  expect(await store.delete('1')).toBe(true);
  expect(store.stats()).toEqual({ documents: 3, bytes: 3 * one });
});
