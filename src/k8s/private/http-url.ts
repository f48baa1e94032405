import { fail } from '../../core/private/validation';

/** Reads an absolute http or https URL (a Prometheus address, a web metric's endpoint). */
export function httpUrl(prop: string, value: unknown, example: string): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    fail(prop, value, 'it must be an absolute http or https URL', `Use a URL such as "${example}".`);
  }
  return value as string;
}
