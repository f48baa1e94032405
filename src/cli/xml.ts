/** Attribute values; `undefined` leaves the attribute out. */
export type Attributes = Record<string, string | number | undefined>;

/** Text with the five XML special characters escaped, safe in content and in quoted attributes. */
export function escapeXml(raw: string): string {
  return raw.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * One element. Children are markup made by `element` or `text`, so every document built from them
 * is well-formed: tags balance and no user text is read as markup.
 */
export function element(name: string, attributes: Attributes = {}, ...children: string[]): string {
  const attrs = Object.entries(attributes).filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(typeof v === 'number' ? formatNumber(v) : v))}"`).join('');
  return children.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${children.join('')}</${name}>`;
}

/** Character data. */
export function text(content: string): string {
  return escapeXml(content);
}

/** Numbers to two decimals: exact enough for coordinates, and stable text for tests and diffs. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}
