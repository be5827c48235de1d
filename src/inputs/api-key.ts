// Which access key a run uses. The one rule for both its use (the settings parsers) and its masking
// (every entry point masks what this returns before anything is logged): if they drifted, the string
// masked would not be the key sent.

/** The variable every entry point falls back to (the Mbed Cloud SDK's). */
export const SDK_KEY_VARIABLE = 'MBED_CLOUD_SDK_API_KEY';

/**
 * `given` (the action's `api-key` input; the CLI's key file, else IZUMA_API_KEY), else
 * MBED_CLOUD_SDK_API_KEY; trimmed; empty when neither is set (the parser then says what to do).
 */
export function resolveApiKey(given: string | undefined, env: Record<string, string | undefined>): string {
  return given?.trim() || (env[SDK_KEY_VARIABLE] ?? '').trim();
}
