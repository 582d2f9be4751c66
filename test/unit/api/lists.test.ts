import fc from 'fast-check';
import { listBody, listBodyText } from '../../../src/api/lists';

describe('listBodyText', () => {
  test('is the text res.json sends for listBody of the same objects', () => {
    fc.assert(fc.property(fc.array(fc.dictionary(fc.string(), fc.jsonValue())), fc.boolean(), (objects, hasMore) => {
      const texts = objects.map((o) => JSON.stringify(o));
      expect(listBodyText(texts, hasMore)).toBe(JSON.stringify(listBody(texts.map((t) => JSON.parse(t)), hasMore)));
    }));
  });
});
