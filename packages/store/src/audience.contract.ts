import { randomUUID } from 'node:crypto';
import type { Profile, ProfileInput } from '@herald/contracts';
import { ValidationError } from '@herald/errors';
import type { Page, PageRequest, Store } from './ports';

/** Ten profiles covering the shapes audience queries look at; keyed by a label tests refer to. */
const PROFILES: Record<string, ProfileInput> = {
  ada: {
    identities: [
      { namespace: 'email', id: 'ada@shop.example' },
      { namespace: 'crmId', id: 'c-ada' },
    ],
    attributes: { tier: 'gold', age: 34, address: { city: 'Paris' }, tags: ['vip', 'early'] },
    preferredLanguage: 'fr',
    consents: { marketing: { email: 'y', sms: 'n' } },
  },
  bob: {
    identities: [{ namespace: 'email', id: 'bob@shop.example' }],
    attributes: { tier: 'silver', age: 22, address: { city: 'Lyon' }, tags: ['early'] },
    preferredLanguage: 'en',
    consents: { marketing: { email: 'n' } },
  },
  cyd: {
    identities: [{ namespace: 'phone', id: '+33600000002' }],
    attributes: { tier: 'gold', age: 51, address: { city: 'Lyon' } },
    timezone: 'Europe/Paris',
    consents: { marketing: { sms: 'y' } },
  },
  dee: {
    identities: [
      { namespace: 'email', id: 'dee@other.example' },
      { namespace: 'crmId', id: 'c-dee' },
    ],
    attributes: { tier: 'bronze', age: 17, tags: [] },
    preferredLanguage: 'en',
  },
  eve: {
    identities: [{ namespace: 'email', id: 'eve@shop.example' }],
    consents: { marketing: { email: 'y' } },
  },
  fay: {
    identities: [{ namespace: 'crmId', id: 'c-fay' }],
    attributes: { tier: 'gold', age: 40, address: { city: 'Paris', zip: '75001' }, tags: ['vip'] },
    preferredLanguage: 'de',
  },
  gus: {
    identities: [{ namespace: 'email', id: 'Gus@Shop.example' }],
    attributes: { tier: 'silver', age: 29 },
  },
  hal: {
    identities: [
      { namespace: 'email', id: 'hal@shop.example' },
      { namespace: 'phone', id: '+33600000007' },
    ],
    attributes: { tier: 'platinum', score: 9.5 },
    consents: { marketing: { email: 'y', sms: 'y' } },
  },
  ivy: {
    identities: [{ namespace: 'email', id: 'ivy@other.example' }],
    // A number written as a string: MongoDB never compares it with numbers, nor may mingo.
    attributes: { tier: 'gold', age: '34' },
  },
  jon: {
    identities: [{ namespace: 'phone', id: '+33600000009' }],
    attributes: { tier: null },
  },
};

/** Each query with the profiles it must select, on every store. */
const CASES: ReadonlyArray<{ name: string; query: Record<string, unknown>; expected: string[] }> = [
  { name: 'an empty query', query: {}, expected: Object.keys(PROFILES) },
  {
    name: '$and of a nested attribute and a numeric range',
    query: { $and: [{ 'attributes.address.city': 'Paris' }, { 'attributes.age': { $gte: 35 } }] },
    expected: ['fay'],
  },
  {
    name: '$or across consents and language',
    query: { $or: [{ 'consents.marketing.sms': 'y' }, { preferredLanguage: 'de' }] },
    expected: ['cyd', 'fay', 'hal'],
  },
  {
    name: '$in on a scalar attribute',
    query: { 'attributes.tier': { $in: ['gold', 'platinum'] } },
    expected: ['ada', 'cyd', 'fay', 'hal', 'ivy'],
  },
  {
    name: 'numbers compared only with numbers',
    query: { 'attributes.age': { $gt: 30, $lt: 45 } },
    expected: ['ada', 'fay'],
  },
  {
    name: 'a case-insensitive $regex on identity ids',
    query: { 'identities.id': { $regex: '@shop\\.example$', $options: 'i' } },
    expected: ['ada', 'bob', 'eve', 'gus', 'hal'],
  },
  {
    name: '$exists false on a nested field',
    query: { 'attributes.address': { $exists: false } },
    expected: ['dee', 'eve', 'gus', 'hal', 'ivy', 'jon'],
  },
  {
    // Namespaces are stored lower-case (profiles given `crmId`): queries name them so.
    name: '$elemMatch on identities',
    query: { identities: { $elemMatch: { namespace: 'crmid', id: { $in: ['c-ada', 'c-fay'] } } } },
    expected: ['ada', 'fay'],
  },
  {
    name: 'array operators on attributes ($all, $size, element equality)',
    query: { $or: [{ 'attributes.tags': { $all: ['vip', 'early'] } }, { 'attributes.tags': { $size: 0 } }] },
    expected: ['ada', 'dee'],
  },
  {
    name: '$nor with $not and null matching a null or missing field',
    query: {
      $nor: [{ 'attributes.tier': { $not: { $eq: null } } }],
      identities: { $size: 1 },
    },
    expected: ['eve', 'jon'],
  },
  {
    name: '$ne on consents, matching profiles without the field',
    query: { 'consents.marketing.email': { $ne: 'y' }, 'identities.namespace': 'email' },
    expected: ['bob', 'dee', 'gus', 'ivy'],
  },
  {
    name: '$type on a scalar',
    query: { 'attributes.age': { $type: 'string' } },
    expected: ['ivy'],
  },
];

/**
 * The audience behaviours every store adapter must show: the same profiles for the same query,
 * in id order, whichever store runs it. Each test works in a sandbox of its own.
 */
export function describeAudienceContract(name: string, open: () => Promise<Store>): void {
  describe(`audience contract: ${name}`, () => {
    let store: Store;
    const sandbox = `audience-${randomUUID()}`;
    const ids = new Map<string, string>();

    beforeAll(async () => {
      store = await open();
      for (const [label, input] of Object.entries(PROFILES)) {
        ids.set(label, (await store.profiles.create(sandbox, input)).id);
      }
      // The same people in another sandbox, which no query of this one may return.
      const elsewhere = `audience-${randomUUID()}`;
      for (const input of Object.values(PROFILES)) await store.profiles.create(elsewhere, input);
    });

    afterAll(async () => {
      await store?.close();
    });

    function idsOf(labels: readonly string[]): string[] {
      return labels.map((label) => ids.get(label) ?? label).sort();
    }

    test.each(CASES)('selects the expected profiles for $name', async ({ query, expected }) => {
      const { items } = await readAll((page) => store.profiles.match(sandbox, query, page), 500);

      expect(items.map((p) => p.id)).toEqual(idsOf(expected));
      expect(await store.profiles.countMatching(sandbox, query)).toBe(expected.length);
    });

    test('returns whole profiles, as profiles.get does', async () => {
      const { items } = await store.profiles.match(sandbox, { 'attributes.address.zip': '75001' });
      expect(items).toEqual([await store.profiles.get(sandbox, ids.get('fay') ?? '')]);
    });

    test('pages through matches in id order with no duplicates and no gaps', async () => {
      const query = { 'attributes.tier': { $in: ['gold', 'silver'] } };
      const { items, pages } = await readAll((page) => store.profiles.match(sandbox, query, page), 2);

      expect(pages).toBe(3);
      expect(items.map((p) => p.id)).toEqual(idsOf(['ada', 'bob', 'cyd', 'fay', 'gus', 'ivy']));
    });

    test('compares createdAt and updatedAt as dates given in ISO-8601', async () => {
      const past = '2000-01-01T00:00:00Z';
      const future = new Date(Date.now() + 24 * 3600 * 1000).toISOString();

      expect(await store.profiles.countMatching(sandbox, { createdAt: { $gt: past, $lt: future } })).toBe(10);
      expect(await store.profiles.countMatching(sandbox, { updatedAt: { $lte: past } })).toBe(0);
      expect(await store.profiles.countMatching(sandbox, { createdAt: { $type: 'date' } })).toBe(10);
    });

    test('sees nothing of another sandbox', async () => {
      const empty = `audience-${randomUUID()}`;
      expect(await store.profiles.match(empty, {})).toEqual({ items: [], nextCursor: null });
      expect(await store.profiles.countMatching(empty, {})).toBe(0);
    });

    test.each([
      ['$where', { $where: 'sleep(1000) || true' }, '/query/$where'],
      ['$expr', { $expr: { $eq: ['$attributes.tier', 'gold'] } }, '/query/$expr'],
      [
        '$function inside $or',
        { $or: [{ 'attributes.age': { $function: { body: 'return true', args: [], lang: 'js' } } }] },
        '/query/$or/0/attributes.age/$function',
      ],
      ['$text', { $text: { $search: 'gold' } }, '/query/$text'],
      ['$jsonSchema', { $jsonSchema: { required: ['attributes'] } }, '/query/$jsonSchema'],
      ['$near', { 'attributes.home': { $near: [2.35, 48.85] } }, '/query/attributes.home/$near'],
      [
        'a regex flag MongoDB and mingo read differently',
        { timezone: { $regex: 'a', $options: 'x' } },
        '/query/timezone/$options',
      ],
      [
        'a path through a prototype',
        { 'attributes.__proto__.polluted': true },
        '/query/attributes.__proto__.polluted',
      ],
      ['a field outside the profile', { sandbox: 'prod' }, '/query/sandbox'],
      ['a whole sub-document', { 'attributes.address': { city: 'Paris' } }, '/query/attributes.address'],
      ['a date that is not ISO-8601', { createdAt: { $gt: 'yesterday' } }, '/query/createdAt/$gt'],
    ])('refuses %s, naming where it is', async (_name, query, path) => {
      const refusal = await store.profiles.countMatching(sandbox, query).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(ValidationError);
      expect(refusal).toMatchObject({
        code: 'invalid-audience-query',
        errors: [expect.objectContaining({ path })],
      });
      await expect(store.profiles.match(sandbox, query)).rejects.toBeInstanceOf(ValidationError);
    });
  });
}

async function readAll(
  read: (page: PageRequest) => Promise<Page<Profile>>,
  limit: number,
): Promise<{ items: Profile[]; pages: number }> {
  const items: Profile[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const page = await read({ limit, ...(cursor !== undefined ? { cursor } : {}) });
    items.push(...page.items);
    pages += 1;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { items, pages };
}
