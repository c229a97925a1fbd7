import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnvConfig } from './config.js';

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadEnvConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('environment configuration', () => {
  it('trusts no proxy unless told how many there are', () => {
    expect(loadEnvConfig({}).trustProxy).toBe(0);
    expect(loadEnvConfig({ HR_IMPORT_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadEnvConfig({ HR_IMPORT_TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadEnvConfig({ HR_IMPORT_TRUST_PROXY: 'false' }).trustProxy).toBe(0);
  });

  it('stops on a bad value with one line naming the variable, never its value', () => {
    expect(refusal({ HR_IMPORT_TRUST_PROXY: 'yes please' })).toMatch(/^invalid environment: HR_IMPORT_TRUST_PROXY /);
    const secret = 'short-secret';
    const message = refusal({ HR_IMPORT_SECRET: secret });
    expect(message).toMatch(/HR_IMPORT_SECRET must be at least 32 characters/);
    expect(message).not.toContain(secret);
  });

  it('reads two API keys during a rotation', () => {
    const keys = loadEnvConfig({ HR_IMPORT_API_KEY: 'key-one-0123456789, key-two-0123456789' }).apiKeys;
    expect(keys).toEqual(['key-one-0123456789', 'key-two-0123456789']);
  });
});
