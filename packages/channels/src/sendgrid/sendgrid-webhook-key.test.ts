import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '@herald/errors';
import { sendGridWebhookKey } from './sendgrid-webhook-key';

describe('sendGridWebhookKey', () => {
  it('reads the verification key as SendGrid shows it (base64 DER) or as PEM', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const base64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const text of [base64, pem]) {
      const key = sendGridWebhookKey(text);
      expect(key.export({ type: 'spki', format: 'der' }).toString('base64')).toBe(base64);
    }
  });

  it('refuses a SendGrid webhook key that is not an EC P-256 public key, naming the variable', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const wrongCurve = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const key of [wrongCurve, 'not-a-key-but-long-enough-to-pass-the-length-check-of-forty']) {
      expect(() => sendGridWebhookKey(key)).toThrow(ConfigError);
      expect(() => sendGridWebhookKey(key)).toThrow(/SENDGRID_WEBHOOK_PUBLIC_KEY/);
    }
  });
});
