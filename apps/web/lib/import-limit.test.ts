import { expect, it } from 'vitest';
import { IMPORT_BODY_LIMIT_BYTES, importBodyBytes, importTooLargeMessage } from './import-limit.ts';

it('counts the request as the API reads it: JSON escapes and UTF-8 bytes', () => {
  const empty = importBodyBytes('e', []);
  // {"input":{"experimentName":"e","files":[]}} is 43 bytes; the rest is the allowance for the
  // document.
  expect(empty - 43).toBe(2048);
  // A line break is two characters in JSON (\n); "é" is two bytes of UTF-8; a quote is \".
  const one = importBodyBytes('e', [{ name: 'a.csv', content: 'é\n"' }]);
  const withFile =
    '{"input":{"experimentName":"e","files":[{"name":"a.csv","content":"é\\n\\""}]}}';
  expect(one - 2048).toBe(Buffer.byteLength(withFile));
});

it('names the limit and the CLI', () => {
  expect(importTooLargeMessage(IMPORT_BODY_LIMIT_BYTES + 1)).toBe(
    'These files make a request of 1,048,577 bytes; the API accepts at most 1,048,576 bytes (1 MiB) per request. Import larger studies with the CLI: npx kdlens import --experiment <name> <files…>',
  );
});
