import { fail } from '../../core/private/validation';

/** A percentage of traffic above 0 and at most 100. */
export function maxPercent(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 100) {
    fail(prop, value, 'it is a percentage of traffic above 0 and at most 100', 'Use a share such as 10.');
  }
  return value;
}

/** Whether an image reference floats: untagged, or tagged `latest`, and not pinned by digest. */
export function floating(image: string): boolean {
  if (image.includes('@')) return false;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  return colon < 0 || lastPart.slice(colon + 1) === 'latest';
}
