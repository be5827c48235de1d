/** package.json's version (a client test fails when they differ). */
export const CLIENT_VERSION = '0.1.0';
/** Where an operator reading the service's logs finds who sent the request: package.json's homepage. */
export const PROJECT_URL = 'https://github.com/izuma/firmware-publish-action';

export function userAgent(version: string = CLIENT_VERSION): string {
  return `izuma-firmware-publish/${version} (+${PROJECT_URL})`;
}
