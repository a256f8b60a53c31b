import type { Campaign } from '@herald/contracts';
import { NotFoundError, UnprocessableError } from '@herald/errors';
import type { Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import { activationProblems } from './activation-checks';
import type { CampaignValidator } from './campaign-validator';

export class CampaignService {
  constructor(
    private readonly store: Store,
    private readonly validator: CampaignValidator,
    private readonly templates: TemplateEngine,
  ) {}

  async create(sandbox: string, body: unknown): Promise<Campaign> {
    const definition = this.validator.parse(body);
    return this.store.campaigns.create({ sandbox, definition });
  }

  async get(sandbox: string, id: string): Promise<Campaign> {
    const campaign = await this.store.campaigns.get(sandbox, id);
    if (!campaign) throw new NotFoundError('campaign-not-found', `campaign ${id} does not exist`);
    return campaign;
  }

  /** Runs every activation check, then makes the latest version live in one atomic step. */
  async activate(sandbox: string, id: string): Promise<Campaign> {
    const campaign = await this.get(sandbox, id);
    const problems = activationProblems(campaign.definition, this.templates);
    if (problems.length > 0) {
      throw new UnprocessableError('campaign-checks-failed', 'The campaign cannot be activated.', problems);
    }
    return this.store.campaigns.transition(sandbox, id, {
      from: ['draft'],
      to: 'live',
      liveVersion: campaign.latestVersion,
    });
  }
}
