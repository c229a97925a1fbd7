import { describe, expect, it } from 'vitest';
import { ConfigError, parseSettings, settingsFromEnv, type BffSettings } from './config.js';

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const GOOD: BffSettings = { apiKeys: ['key-one-0123456789'], secret: 'a-secret-of-at-least-32-characters!!' };

describe('environment configuration', () => {
  it('trusts no proxy unless told how many there are', () => {
    expect(settingsFromEnv({}).trustProxy).toBe(0);
    const { port, ...fromEnv } = settingsFromEnv({});
    expect(port).toBe(8787);
    expect(parseSettings({ ...GOOD, ...fromEnv }).trustProxy).toBe(0);
    expect(settingsFromEnv({ HR_IMPORT_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(settingsFromEnv({ HR_IMPORT_TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(settingsFromEnv({ HR_IMPORT_TRUST_PROXY: 'false' }).trustProxy).toBe(0);
  });

  it('reads the mail limits by name from HR_IMPORT_MAIL_LIMITS, and names a bad one', () => {
    expect(settingsFromEnv({}).mailLimits).toBeUndefined();
    expect(settingsFromEnv({ HR_IMPORT_MAIL_LIMITS: 'resendCooldownSeconds=300, perRecipientPerDay=3' }).mailLimits).toEqual({
      resendCooldownSeconds: 300,
      perRecipientPerDay: 3,
    });
    expect(refusal(() => settingsFromEnv({ HR_IMPORT_MAIL_LIMITS: 'perTargetPerDay=lots' }))).toMatch(/^invalid environment: HR_IMPORT_MAIL_LIMITS /);
    expect(refusal(() => settingsFromEnv({ HR_IMPORT_MAIL_LIMITS: 'perDay=3' }))).toMatch(/^invalid environment: HR_IMPORT_MAIL_LIMITS /);
  });

  it('reads the reminder days from HR_IMPORT_REMINDER_DAYS, 0 turning reminders off', () => {
    expect(settingsFromEnv({}).reminderDaysBeforeExpiry).toBe(2);
    expect(settingsFromEnv({ HR_IMPORT_REMINDER_DAYS: '0' }).reminderDaysBeforeExpiry).toBe(0);
    expect(settingsFromEnv({ HR_IMPORT_REMINDER_DAYS: '5' }).reminderDaysBeforeExpiry).toBe(5);
    for (const bad of ['31', '-1', 'two'])
      expect(refusal(() => settingsFromEnv({ HR_IMPORT_REMINDER_DAYS: bad }))).toMatch(/^invalid environment: HR_IMPORT_REMINDER_DAYS /);
  });

  it('stops on a bad value with one line naming the variable, never its value', () => {
    expect(refusal(() => settingsFromEnv({ HR_IMPORT_TRUST_PROXY: 'yes please' }))).toMatch(/^invalid environment: HR_IMPORT_TRUST_PROXY /);
    const secret = 'short-secret';
    const message = refusal(() => settingsFromEnv({ HR_IMPORT_SECRET: secret }));
    expect(message).toBe('invalid environment: HR_IMPORT_SECRET must be at least 32 characters');
    expect(message).not.toContain(secret);
    expect(refusal(() => settingsFromEnv({ HR_IMPORT_WEBHOOK_URL: 'https://app.example.com/hooks' }))).toMatch(
      /^invalid environment: HR_IMPORT_WEBHOOK_SECRET /,
    );
    expect(refusal(() => settingsFromEnv({ HR_IMPORT_BASE_PATH: 'api/' }))).toMatch(/^invalid environment: HR_IMPORT_BASE_PATH must be a path like \/api/);
  });

  it('sizes the PostgreSQL pool from DATABASE_POOL_SIZE, within 1–500', () => {
    expect(settingsFromEnv({ DATABASE_POOL_SIZE: '4' }).databasePoolSize).toBe(4);
    expect(refusal(() => settingsFromEnv({ DATABASE_POOL_SIZE: '0' }))).toMatch(/^invalid environment: DATABASE_POOL_SIZE /);
    expect(refusal(() => settingsFromEnv({ DATABASE_POOL_SIZE: 'many' }))).toMatch(/^invalid environment: DATABASE_POOL_SIZE /);
  });

  it('reads two API keys during a rotation, and a webhook receiver', () => {
    const settings = settingsFromEnv({
      HR_IMPORT_API_KEY: 'key-one-0123456789, key-two-0123456789',
      HR_IMPORT_WEBHOOK_URL: 'https://app.example.com/hooks',
      HR_IMPORT_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      HR_IMPORT_WEBHOOK_ALLOW_PRIVATE: '1',
      HR_IMPORT_BASE_PATH: '/hr/api',
    });
    expect(settings.apiKeys).toEqual(['key-one-0123456789', 'key-two-0123456789']);
    expect(settings.webhooks).toEqual([{ url: 'https://app.example.com/hooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }]);
    expect(settings.webhooksAllowPrivate).toBe(true);
    expect(settings.basePath).toBe('/hr/api');
  });
});

describe('settings given in code', () => {
  it('refuses what the environment refuses, naming the setting', () => {
    expect(refusal(() => parseSettings({ ...GOOD, apiKeys: ['k'] }))).toBe('invalid settings: apiKeys[0] every key must be at least 16 characters');
    expect(refusal(() => parseSettings({ ...GOOD, apiKeys: [] }))).toBe('invalid settings: apiKeys must name at least one key');
    expect(refusal(() => parseSettings({ ...GOOD, secret: 'short' }))).toBe('invalid settings: secret must be at least 32 characters');
    expect(refusal(() => parseSettings({ ...GOOD, origins: ['https://app.example.com/path'] }))).toMatch(
      /^invalid settings: origins\[0\] must be origins like/,
    );
    const hookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(refusal(() => parseSettings({ ...GOOD, webhooks: [{ url: 'http://127.0.0.1:9000/hooks', secret: hookSecret }] }))).toMatch(
      /^invalid settings: webhooks\[0\]\.url must be an https URL/,
    );
    expect(
      parseSettings({ ...GOOD, webhooks: [{ url: 'http://127.0.0.1:9000/hooks', secret: hookSecret }], webhooksAllowPrivate: true }).webhooks,
    ).toHaveLength(1);
    expect(refusal(() => parseSettings({ ...GOOD, webhooks: [{ url: 'https://app.example.com/hooks', secret: 'plain' }] }))).toMatch(
      /^invalid settings: webhooks\[0\]\.secret must be whsec_ followed by/,
    );
    // A misspelled setting is a mistake, not something to ignore.
    expect(refusal(() => parseSettings({ ...GOOD, apiKey: 'x' } as BffSettings))).toMatch(/^invalid settings: /);
  });

  it('fills in the documented defaults', () => {
    const resolved = parseSettings(GOOD);
    expect(resolved).toMatchObject({
      basePath: '/api',
      dataDir: './data',
      databasePoolSize: 10,
      sessionTtlSeconds: 900,
      inviteTtlDays: 7,
      reminderDaysBeforeExpiry: 2,
      trustProxy: 0,
      webhooks: [],
      webhooksAllowPrivate: false,
      origins: [],
    });
  });
});
