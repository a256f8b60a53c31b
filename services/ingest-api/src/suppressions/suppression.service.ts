import { CHANNELS, type Channel } from '@herald/contracts';
import { NotFoundError, ValidationError } from '@herald/errors';
import type { Page, Suppression, SuppressionRepository } from '@herald/store';
import { pageRequestOf } from '../http/page-query';
import { createAjv, toFieldErrors } from '../validation/ajv';
import {
  MAX_ADDRESS_LENGTH,
  newSuppressionSchema,
  suppressionListQuerySchema,
  type NewSuppressionBody,
  type SuppressionListQuery,
} from './suppression.schema';

/** The suppression list of one sandbox: addresses that must never be sent to, per channel. */
export class SuppressionService {
  private readonly validateNew;
  private readonly validateListQuery;

  constructor(private readonly suppressions: SuppressionRepository) {
    const ajv = createAjv();
    this.validateNew = ajv.compile<NewSuppressionBody>(newSuppressionSchema);
    this.validateListQuery = ajv.compile<SuppressionListQuery>(suppressionListQuerySchema);
  }

  /**
   * Idempotent: an address already suppressed keeps its first entry, returned with `created: false`;
   * except a spam complaint, which spares transactional messages: another reason replaces it.
   */
  async add(sandbox: string, body: unknown): Promise<{ entry: Suppression; created: boolean }> {
    if (!this.validateNew(body)) {
      throw new ValidationError(
        'invalid-suppression',
        'The suppression is invalid.',
        // `if` only says which branch failed; the branch's own error names the field.
        toFieldErrors(this.validateNew.errors).filter((e) => e.code !== 'if'),
      );
    }
    // The store's `add` keeps or replaces an existing entry; the read only tells which answer to give.
    const existing = await this.suppressions.find(sandbox, body.channel, body.address);
    return { entry: await this.suppressions.add({ sandbox, ...body }), created: existing === null };
  }

  async check(sandbox: string, channel: string, address: string): Promise<Suppression> {
    const entry = await this.suppressions.find(sandbox, ...this.key(channel, address));
    if (!entry) throw new NotFoundError('not-suppressed', `this ${channel} address is not suppressed`);
    return entry;
  }

  async remove(sandbox: string, channel: string, address: string): Promise<void> {
    if (!(await this.suppressions.remove(sandbox, ...this.key(channel, address)))) {
      throw new NotFoundError('not-suppressed', `this ${channel} address is not suppressed`);
    }
  }

  async list(sandbox: string, query: unknown): Promise<Page<Suppression>> {
    if (!this.validateListQuery(query)) {
      throw new ValidationError(
        'invalid-query',
        'The query is invalid.',
        toFieldErrors(this.validateListQuery.errors),
      );
    }
    return this.suppressions.list(sandbox, query.channel, pageRequestOf(query));
  }

  /**
   * The (channel, address) of a path. The address is not held to the format `add` requires: an
   * entry written by a provider webhook must stay checkable and removable whatever its shape.
   */
  private key(channel: string, address: string): [Channel, string] {
    const known = CHANNELS.find((c) => c === channel);
    if (known === undefined) {
      throw new ValidationError('invalid-channel', `unknown channel ${channel}`, [
        { path: '/channel', code: 'enum', message: `must be one of ${CHANNELS.join(', ')}` },
      ]);
    }
    if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
      throw new ValidationError('invalid-address', 'The address is empty or too long.', [
        { path: '/address', code: 'maxLength', message: `must be 1..${MAX_ADDRESS_LENGTH} characters` },
      ]);
    }
    return [known, address];
  }
}
