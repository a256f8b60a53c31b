import { readFileSync } from 'node:fs';
import path from 'node:path';
import { referenceFiles } from './generate-reference';

describe('the generated reference files', () => {
  it.each(Object.entries(referenceFiles()))(
    '%s matches its sources (else run `npm run docs:generate`)',
    (file, expected) => {
      const committed = readFileSync(path.join(__dirname, '..', file), 'utf8');
      // A bare toBe would print two long tables; the message says how to fix it.
      if (committed !== expected) {
        throw new Error(`${file} is stale: run \`npm run docs:generate\` and commit the result.`);
      }
    },
  );
});
