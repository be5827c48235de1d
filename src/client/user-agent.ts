/** Keep in sync with package.json's version (the integrator bumps both together). */
export const CLIENT_VERSION = '0.1.0';
/** Where an operator reading the service's logs finds who sent the request. */
export const PROJECT_URL = 'https://github.com/izuma-firmware-publish/izuma-firmware-publish';

export function userAgent(version: string = CLIENT_VERSION): string {
  return `izuma-firmware-publish/${version} (+${PROJECT_URL})`;
}
