import type { Campaign, CampaignVersion } from '@herald/contracts';
import { ConflictError, NotFoundError, UnprocessableError, type FieldError } from '@herald/errors';
import type { Page, PageRequest, Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import { assertMaySetLabels, visibleCampaign } from '../auth/campaign-access';
import { activationChecks } from './activation-checks';
import { assertTransition, EDITABLE, goLiveStatus, LIFECYCLE } from './campaign-lifecycle';
import type { CampaignValidator } from './campaign-validator';
import { settleCampaign } from './settle-campaign';

/** A campaign that has just gone live (or published), with what the author should know. */
export type ActivatedCampaign = Campaign & { warnings: FieldError[] };

/**
 * Campaign management: definitions are versioned (every edit appends an immutable version),
 * status moves only along the lifecycle table, and every status change is a compare-and-set in
 * the store, so concurrent calls cannot both win. `held` is the campaign access labels of the
 * caller (`heldLabelsOf`): a campaign whose labels it lacks is not found, by every method.
 */
export class CampaignService {
  constructor(
    private readonly store: Store,
    private readonly validator: CampaignValidator,
    private readonly templates: TemplateEngine,
    /** TRACKER_PUBLIC_URL: SMS segments are counted with links shortened as the worker sends them. */
    private readonly trackerBaseUrl?: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(sandbox: string, body: unknown, held: readonly string[]): Promise<Campaign> {
    const definition = this.validator.parse(body);
    assertMaySetLabels(held, undefined, definition.labels);
    return this.store.campaigns.create({ sandbox, definition });
  }

  /** The campaign, with the status its schedule has brought it to. */
  async get(sandbox: string, id: string, held: readonly string[]): Promise<Campaign> {
    const campaign = visibleCampaign(held, await this.store.campaigns.get(sandbox, id));
    if (!campaign) throw new NotFoundError('campaign-not-found', `campaign ${id} does not exist`);
    return settleCampaign(this.store, campaign, this.clock());
  }

  /** A page of the campaigns `held` may see: others are left out, so a page may hold fewer than asked. */
  async list(sandbox: string, page: PageRequest, held: readonly string[]): Promise<Page<Campaign>> {
    const listed = await this.store.campaigns.list(sandbox, page);
    const now = this.clock();
    const visible = listed.items.filter((campaign) => visibleCampaign(held, campaign));
    const items = await Promise.all(visible.map((campaign) => settleCampaign(this.store, campaign, now)));
    return { items, nextCursor: listed.nextCursor };
  }

  /**
   * Appends a version holding `body`. `expectedLatestVersion` (from `If-Match`) guards against
   * overwriting an edit the caller has not seen. A live campaign keeps its live version until
   * the new one is published.
   */
  async update(
    sandbox: string,
    id: string,
    body: unknown,
    held: readonly string[],
    expectedLatestVersion?: number,
  ): Promise<Campaign> {
    const definition = this.validator.parse(body);
    const campaign = await this.get(sandbox, id, held);
    assertMaySetLabels(held, campaign.definition.labels, definition.labels);
    if (!EDITABLE.includes(campaign.status)) {
      throw new ConflictError('campaign-archived', `campaign ${id} is archived and can no longer be edited`);
    }
    return this.store.campaigns.addVersion(
      sandbox,
      id,
      definition,
      expectedLatestVersion ?? campaign.latestVersion,
    );
  }

  async listVersions(
    sandbox: string,
    id: string,
    page: PageRequest,
    held: readonly string[],
  ): Promise<Page<CampaignVersion>> {
    await this.get(sandbox, id, held);
    return this.store.campaigns.listVersions(sandbox, id, page);
  }

  async getVersion(
    sandbox: string,
    id: string,
    version: number,
    held: readonly string[],
  ): Promise<CampaignVersion> {
    await this.get(sandbox, id, held);
    const found = await this.store.campaigns.getVersion(sandbox, id, version);
    if (!found) {
      throw new NotFoundError('campaign-version-not-found', `campaign ${id} has no version ${version}`);
    }
    return found;
  }

  /** Runs every activation check on the latest version, then makes it live (or scheduled). */
  async activate(sandbox: string, id: string, held: readonly string[]): Promise<ActivatedCampaign> {
    const campaign = await this.get(sandbox, id, held);
    const to = goLiveStatus(campaign.definition.schedule, this.clock());
    assertTransition('activate', campaign.status, to);
    const warnings = await this.checked(campaign);
    const live = await this.store.campaigns.transition(sandbox, id, {
      from: LIFECYCLE.activate.from,
      to,
      liveVersion: campaign.latestVersion,
    });
    return { ...live, warnings };
  }

  /**
   * Swaps the live version for the latest one, after the same checks as activation. Triggers
   * already queued keep the version they were queued with.
   */
  async publish(sandbox: string, id: string, held: readonly string[]): Promise<ActivatedCampaign> {
    const campaign = await this.get(sandbox, id, held);
    const to = goLiveStatus(campaign.definition.schedule, this.clock());
    assertTransition('publish', campaign.status, to);
    if (campaign.liveVersion === campaign.latestVersion) {
      throw new ConflictError(
        'nothing-to-publish',
        `version ${campaign.latestVersion} of campaign ${id} is already live; edit the campaign first`,
      );
    }
    if (campaign.liveVersion !== null && campaign.latestVersion < campaign.liveVersion) {
      throw new ConflictError(
        'version-conflict',
        `version ${campaign.latestVersion} of campaign ${id} is older than live version ${campaign.liveVersion}`,
      );
    }
    const warnings = await this.checked(campaign);
    // Compare-and-set on the status and live version read above: a stop, or another publish
    // that landed while the checks ran, makes this fail with 409 instead of rolling it back.
    const published = await this.store.campaigns.transition(sandbox, id, {
      from: [campaign.status],
      to,
      liveVersion: campaign.latestVersion,
      expectedLiveVersion: campaign.liveVersion,
    });
    return { ...published, warnings };
  }

  async stop(sandbox: string, id: string, held: readonly string[]): Promise<Campaign> {
    const campaign = await this.get(sandbox, id, held);
    assertTransition('stop', campaign.status, 'stopped');
    return this.store.campaigns.transition(sandbox, id, { from: LIFECYCLE.stop.from, to: 'stopped' });
  }

  async archive(sandbox: string, id: string, held: readonly string[]): Promise<Campaign> {
    const campaign = await this.get(sandbox, id, held);
    assertTransition('archive', campaign.status, 'archived');
    return this.store.campaigns.transition(sandbox, id, { from: LIFECYCLE.archive.from, to: 'archived' });
  }

  /** The warnings of the latest version's checks; throws 422 with every error when any fails. */
  private async checked(campaign: Campaign): Promise<FieldError[]> {
    const report = await activationChecks(
      campaign.definition,
      this.templates,
      this.clock(),
      this.trackerBaseUrl,
    );
    const audience = campaign.definition.audience;
    // The audience must exist in the campaign's own sandbox, or the first audience send fails.
    if (audience && !(await this.store.audiences.get(campaign.sandbox, audience.id))) {
      report.errors.push({
        path: '/audience/id',
        code: 'audience-not-found',
        message: `audience ${audience.id} does not exist in sandbox ${campaign.sandbox}`,
      });
    }
    if (report.errors.length > 0) {
      throw new UnprocessableError('campaign-checks-failed', 'The campaign cannot go live.', report.errors);
    }
    return report.warnings;
  }
}
