import type { PushPayload } from '@herald/contracts';

/** An APNs alert payload: `aps` for the system, the campaign's data (with url and icon) beside it. */
export interface ApnsPayload {
  aps: { alert: { title: string; body: string } };
  [key: string]: unknown;
}

export function apnsPayload(payload: PushPayload): ApnsPayload {
  // `aps` is Apple's: a data key of that name must not replace the alert.
  const { aps: _reserved, ...data } = payload.data ?? {};
  return {
    ...data,
    ...(payload.url === undefined ? {} : { url: payload.url }),
    ...(payload.icon === undefined ? {} : { icon: payload.icon }),
    aps: { alert: { title: payload.title, body: payload.body } },
  };
}
