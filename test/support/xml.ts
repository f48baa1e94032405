/** An element read back from an XML document. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  /** Character data directly inside the element, entities decoded. */
  text: string;
}

const NAME = '[A-Za-z_:][-A-Za-z0-9_:.]*';
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*"([^"<]*)"`, 'y');
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * A strict, small XML reader for the documents the CLI writes: it throws on unbalanced or crossed
 * tags, a malformed attribute, a duplicated attribute, a raw `<` or `&` in text, an unknown
 * entity, or anything but exactly one root element. No DTDs, CDATA or namespaces beyond names.
 */
export function parseXml(xml: string): XmlElement {
  let at = 0;
  const fail = (problem: string): never => {
    throw new Error(`not well-formed at ${at}: ${problem}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  };
  const decode = (raw: string) => {
    if (raw.includes('<')) fail('raw < in character data');
    return raw.replace(/&([^;]*);?/g, (match, entity: string) => {
      if (!match.endsWith(';')) fail(`unterminated entity &${entity}`);
      if (entity in ENTITIES) return ENTITIES[entity];
      if (/^#\d+$/.test(entity)) return String.fromCodePoint(Number(entity.slice(1)));
      if (/^#x[0-9a-f]+$/i.test(entity)) return String.fromCodePoint(parseInt(entity.slice(2), 16));
      return fail(`unknown entity &${entity};`);
    });
  };

  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    at = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < xml.length) {
    const next = xml.indexOf('<', at);
    const chunk = xml.slice(at, next < 0 ? xml.length : next);
    if (stack.length === 0) {
      if (chunk.trim() !== '') fail('text outside the root element');
    } else {
      stack[stack.length - 1].text += decode(chunk);
    }
    if (next < 0) break;
    at = next;
    if (xml.startsWith('<!--', at)) {
      const end = xml.indexOf('-->', at);
      if (end < 0) fail('unterminated comment');
      at = end + 3;
      continue;
    }
    if (xml.startsWith('</', at)) {
      const match = new RegExp(`</(${NAME})\\s*>`, 'y');
      match.lastIndex = at;
      const m = match.exec(xml) ?? fail('malformed end tag');
      const open = stack.pop() ?? fail(`end tag </${m[1]}> without a start tag`);
      if (open.name !== m[1]) fail(`</${m[1]}> closes <${open.name}>`);
      at = match.lastIndex;
      continue;
    }
    const start = new RegExp(`<(${NAME})`, 'y');
    start.lastIndex = at;
    const s = start.exec(xml) ?? fail('malformed start tag');
    at = start.lastIndex;
    const element: XmlElement = { name: s[1], attributes: {}, children: [], text: '' };
    for (;;) {
      ATTRIBUTE.lastIndex = at;
      const a = ATTRIBUTE.exec(xml);
      if (!a) break;
      if (a[1] in element.attributes) fail(`duplicate attribute ${a[1]}`);
      element.attributes[a[1]] = decode(a[2]);
      at = ATTRIBUTE.lastIndex;
    }
    const close = /\s*(\/?)>/y;
    close.lastIndex = at;
    const c = close.exec(xml) ?? fail(`malformed tag <${s[1]}>`);
    at = close.lastIndex;
    if (stack.length > 0) {
      stack[stack.length - 1].children.push(element);
    } else {
      if (root) fail('a second root element');
      root = element;
    }
    if (c[1] !== '/') stack.push(element);
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> is never closed`);
  return root ?? fail('no root element');
}

/** Every element under `root` (itself included) that matches. */
export function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  return [...(match(root) ? [root] : []), ...root.children.flatMap(child => findAll(child, match))];
}

/** Every element of a class, for SVG. */
export function byClass(root: XmlElement, className: string): XmlElement[] {
  return findAll(root, e => (e.attributes.class ?? '').split(' ').includes(className));
}
