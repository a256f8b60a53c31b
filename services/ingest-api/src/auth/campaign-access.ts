import type { Request } from 'express';
import type { Campaign } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import type { Store } from '@herald/store';
import { principalOf, type Principal } from './principal';

/** Held by a key, it holds every campaign access label. */
export const EVERY_LABEL = '*';

/**
 * The campaign access labels a caller holds. Admin keys hold every label: they create keys with
 * any labels, so withholding a campaign from them would protect nothing. Other keys hold the
 * labels they were created with (`*`: all); a key without labels holds none.
 */
export function heldLabelsOf(principal: Principal | undefined): readonly string[] {
  if (!principal) return [];
  return principal.roles.includes('admin') ? [EVERY_LABEL] : principal.labels;
}

/** The campaign access labels of the request's caller (none without a key). */
export function heldLabels(req: Request): readonly string[] {
  return heldLabelsOf(principalOf(req));
}

/** True when `held` covers every one of `labels` (AJO: a user must hold all of an object's labels). */
export function holdsLabels(held: readonly string[], labels: readonly string[] | undefined): boolean {
  return held.includes(EVERY_LABEL) || (labels ?? []).every((label) => held.includes(label));
}

/**
 * The campaign if a caller holding `held` may see it, else null: a campaign whose labels the
 * caller lacks is answered exactly as one that does not exist (404, never 403, which would
 * reveal it). Every read, edit, action, report and trigger resolves its campaign through this.
 */
export function visibleCampaign<C extends Pick<Campaign, 'definition'>>(
  held: readonly string[],
  campaign: C | null,
): C | null {
  return campaign && holdsLabels(held, campaign.definition.labels) ? campaign : null;
}

/**
 * True when the campaign an execution or schedule belongs to is hidden from `held`: its
 * executions, their deliveries and its schedules are then not found either.
 */
export async function campaignHidden(
  store: Store,
  sandbox: string,
  campaignId: string,
  held: readonly string[],
): Promise<boolean> {
  // A key holding every label sees everything: no campaign read needed.
  if (held.includes(EVERY_LABEL)) return false;
  const campaign = await store.campaigns.get(sandbox, campaignId);
  return campaign !== null && visibleCampaign(held, campaign) === null;
}

/**
 * A key sets or removes only labels it holds: otherwise it could hide a campaign from itself and
 * its peers, or strip the labels that protect it. `before` is the campaign's labels (none on create).
 */
export function assertMaySetLabels(
  held: readonly string[],
  before: readonly string[] | undefined,
  after: readonly string[] | undefined,
): void {
  const kept = new Set(before ?? []);
  const wanted = new Set(after ?? []);
  const changed = [...wanted].filter((label) => !kept.has(label));
  const removed = [...kept].filter((label) => !wanted.has(label));
  const notHeld = [...changed, ...removed].filter((label) => !holdsLabels(held, [label]));
  if (notHeld.length > 0) throw new LabelsNotHeldError(notHeld);
}

class LabelsNotHeldError extends HeraldError {
  readonly status = 403;
  readonly code = 'labels-not-held';

  constructor(labels: readonly string[]) {
    const message = `the key does not hold the labels ${labels.join(', ')}`;
    super(`Only labels the key holds can be set or removed: ${labels.join(', ')}.`, [
      { path: '/labels', code: 'labels-not-held', message },
    ]);
  }
}
