import { canonicalNamespace, type Identity } from './profile';

export type RecipientType = 'aep' | 'external';

/** One recipient of an execution call, as the AJO Interactive Message Execution API defines it. */
export interface Recipient {
  type: RecipientType;
  userId: string;
  namespace: string;
  channelData?: {
    emailAddress?: string;
    mobilePhoneNumber?: string;
    pushInfo?: Record<string, unknown>;
  };
  profile?: Record<string, unknown>;
  context?: Record<string, unknown>;
  mergePolicyName?: string;
  mergePolicySchema?: string;
}

export interface UnitaryExecutionRequest {
  requestId: string;
  campaignId: string;
  recipients: Recipient[];
}

export type ExecutionKind = 'unitary' | 'highthroughput' | 'audience';

/** `accepted` is written before the jobs are queued, `queued` once Redis holds all of them. */
export type ExecutionStatus = 'accepted' | 'queued' | 'failed';

export interface Execution {
  id: string;
  sandbox: string;
  kind: ExecutionKind;
  campaignId: string;
  campaignVersion: number;
  requestId: string;
  recipientCount: number;
  status: ExecutionStatus;
  error?: string;
  /** Audience executions: the audience being sent to. */
  audienceId?: string;
  /** Audience executions: profiles queued so far; also the index of the next one. */
  targetedProfileCount?: number;
  /** Audience executions: the audience page to queue next; absent before the first page. */
  fanOutCursor?: string;
  createdBy?: string;
  createdAt: string;
  updatedAt: string;
}

/** Equal for two spellings of one identity (namespaces compare without case). */
export function identityKey(identity: Identity): string {
  return `${canonicalNamespace(identity.namespace)}:${identity.id}`;
}
