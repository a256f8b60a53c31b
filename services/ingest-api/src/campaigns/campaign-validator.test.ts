import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { orderShippedCampaign } from '@herald/testing';
import { CampaignValidator } from './campaign-validator';

// A full collection on demand: whether the validator still holds a schema is seen by whether
// the schema can be collected.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Validates a campaign whose context schema is referenced only weakly afterwards. */
function validateAndForget(validator: CampaignValidator, index: number): WeakRef<object> {
  const contextSchema = {
    type: 'object',
    properties: { [`field${index}`]: { type: 'string', pattern: '^[a-z]+$' } },
  };
  validator.parse({ ...orderShippedCampaign(), contextSchema });
  return new WeakRef(contextSchema);
}

describe('CampaignValidator', () => {
  it('keeps none of the context schemas it has checked, however many campaigns are created', async () => {
    const validator = new CampaignValidator();

    const schemas = Array.from({ length: 20 }, (_, index) => validateAndForget(validator, index));
    // WeakRefs made in this turn stay alive until it ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();

    expect(schemas.filter((schema) => schema.deref() !== undefined)).toHaveLength(0);
  });
});
