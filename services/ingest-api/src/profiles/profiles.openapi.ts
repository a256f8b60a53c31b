import { bulkProfilesSchema, profileInputSchema, profileQuerySchema } from './profile.schema';
import {
  jsonContent,
  problem,
  problemSchema,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
} from '../openapi/common';

const profileIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

const profileExample = {
  identities: [
    { namespace: 'email', id: 'ada@example.com' },
    { namespace: 'crmId', id: 'C-1042' },
  ],
  attributes: { person: { name: { firstName: 'Ada', lastName: 'Lovelace' } }, loyalty: { tier: 'gold' } },
  preferredLanguage: 'fr-FR',
  timezone: 'Europe/Paris',
  consents: { marketing: { email: 'y', sms: 'n', push: 'y' } },
  pushSubscriptions: [
    {
      endpoint: 'https://fcm.googleapis.com/fcm/send/dY8x3Jq0:APA91bH',
      keys: {
        p256dh: 'BNn-jr51fagzQefwBGHIPFbu99tzxF79GqTBO445tdp5iYrS0Xf6euL8uObOaNKID8Mscc9LeUgqhWnN6RmK-20',
        auth: 'ID0Lqw0RxiNaznXQxseH_g',
      },
      appId: 'web',
    },
  ],
  pushTokens: [
    { appId: 'com.example.shop', platform: 'apns', token: 'a3f1'.repeat(16) },
    { appId: '1:1042:android:7b1e', platform: 'fcm', token: 'fGcmT0ken:APA91bH' },
  ],
};

export function profilesOpenApi(): OpenApiPart {
  const queryParameters = Object.entries(profileQuerySchema.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema,
  }));
  const { required: _required, ...profileOutputProperties } = profileInputSchema;
  return {
    tag: {
      name: 'Profiles',
      description: 'The people Herald sends to, with their identities and attributes.',
    },
    paths: {
      '/profiles': {
        post: operation('api-key', {
          operationId: 'createProfile',
          summary: 'Create a profile (manage).',
          description: 'Refused with 409 `identity-conflict`, changing nothing, when an identity is taken.',
          parameters: [sandboxHeader],
          requestBody: jsonRequest('ProfileInput', profileExample),
          responses: {
            '201': { description: 'Created.', content: jsonContent('Profile') },
            '400': problem,
            '409': problem,
          },
        }),
        get: operation('api-key', {
          operationId: 'findProfiles',
          summary: 'Look up a profile by any identity, or list profiles (manage).',
          description:
            'With `namespace` and `identity`: the page holds the profile with that identity, or nothing. Without them: a page of profiles in creation order.',
          parameters: [sandboxHeader, ...queryParameters],
          responses: {
            '200': { description: 'A page of profiles.', content: jsonContent('ProfilePage') },
            '400': problem,
          },
        }),
      },
      '/profiles/upsert': {
        post: operation('api-key', {
          operationId: 'upsertProfile',
          summary: 'Create or update the profile holding the given identities (manage).',
          description:
            'When no identity is known, a profile is created. When the known identities all belong to one profile, the input is merged into it: top-level attribute keys replace stored ones, new identities are added, other given fields replace stored ones. When they belong to two or more profiles the call is refused with 409 `identity-conflict` and nothing changes: profiles are never merged silently.',
          parameters: [sandboxHeader],
          requestBody: jsonRequest('ProfileInput', profileExample),
          responses: {
            '200': {
              description: 'The profile, and whether it was created.',
              content: jsonContent('UpsertedProfile'),
            },
            '400': problem,
            '409': problem,
          },
        }),
      },
      '/profiles/bulk': {
        post: operation('api-key', {
          operationId: 'upsertProfiles',
          summary: 'Upsert up to 1,000 profiles in one call (manage).',
          description:
            'The whole body is validated first: if any profile is invalid, nothing is stored and the 400 answer lists every problem, each path naming its item (`/profiles/<i>/...`). Then the profiles are upserted in order, each as `POST /profiles/upsert` would. An identity conflict fails that item only (`status: conflict`, with the error); the other items are still applied, and the call answers 200. Should the store fail midway, earlier items stay applied: upserts are safe to send again.',
          parameters: [sandboxHeader],
          requestBody: jsonRequest('BulkProfiles', {
            profiles: [
              profileExample,
              { identities: [{ namespace: 'email', id: 'grace@example.com' }], attributes: { plan: 'pro' } },
            ],
          }),
          responses: {
            '200': {
              description: 'One result per item, in order.',
              content: jsonContent('BulkUpsertResult'),
            },
            '400': problem,
          },
        }),
      },
      '/profiles/{id}': {
        get: operation('api-key', {
          operationId: 'getProfile',
          summary: 'Read a profile (manage).',
          parameters: [sandboxHeader, profileIdParam],
          responses: {
            '200': { description: 'The profile.', content: jsonContent('Profile') },
            '400': problem,
            '404': problem,
          },
        }),
        delete: operation('api-key', {
          operationId: 'deleteProfile',
          summary: 'Delete a profile and its identities (manage).',
          parameters: [sandboxHeader, profileIdParam],
          responses: { '204': { description: 'Deleted.' }, '400': problem, '404': problem },
        }),
      },
    },
    schemas: {
      ProfileInput: profileInputSchema,
      BulkProfiles: bulkProfilesSchema,
      Profile: {
        ...profileOutputProperties,
        required: [
          'id',
          'sandbox',
          'identities',
          'attributes',
          'consents',
          'pushSubscriptions',
          'pushTokens',
          'createdAt',
          'updatedAt',
        ],
        properties: {
          id: { type: 'string' },
          sandbox: { type: 'string' },
          ...profileInputSchema.properties,
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      ProfilePage: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: '#/components/schemas/Profile' } },
          nextCursor: { type: ['string', 'null'], description: 'Null on the last page.' },
        },
      },
      UpsertedProfile: {
        type: 'object',
        required: ['profile', 'created'],
        properties: { profile: { $ref: '#/components/schemas/Profile' }, created: { type: 'boolean' } },
      },
      BulkUpsertResult: {
        type: 'object',
        required: ['results', 'summary'],
        properties: {
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['index', 'status'],
              properties: {
                index: { type: 'integer', description: 'Position of the item in `profiles`.' },
                status: { enum: ['created', 'updated', 'conflict'] },
                profileId: { type: 'string', description: 'Absent on conflict.' },
                error: {
                  type: 'object',
                  description:
                    'On conflict: why, with paths into the request (`/profiles/<i>/identities/<j>`).',
                  properties: {
                    code: { type: 'string' },
                    message: { type: 'string' },
                    errors: problemSchema.properties.errors,
                  },
                },
              },
            },
          },
          summary: {
            type: 'object',
            properties: {
              created: { type: 'integer' },
              updated: { type: 'integer' },
              conflict: { type: 'integer' },
            },
          },
        },
      },
    },
  };
}
