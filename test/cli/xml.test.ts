import { element, escapeXml, formatNumber, text } from '../../src/cli/xml';
import { parseXml } from '../support/xml';

test('escapes the five XML special characters', () => {
  expect(escapeXml('<a href="x">Tom & Jerry\'s</a>')).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
});

test('builds elements with escaped attributes, rounded numbers and no undefined attribute', () => {
  expect(element('circle', { 'cx': 1 / 3, 'data-name': 'a<b', 'r': undefined })).toBe('<circle cx="0.33" data-name="a&lt;b"/>');
  expect(element('text', { x: 2 }, text('5% & more'))).toBe('<text x="2">5% &amp; more</text>');
});

test('whatever the user text, the document is well-formed and reads back as written', () => {
  const nasty = '</svg><!-- "quotes" & \'apostrophes\' ]]> <script>';
  const doc = element('svg', { 'data-name': nasty }, element('title', {}, text(nasty)), element('g', {}, element('rect', { width: 1 })));
  const root = parseXml(doc);
  expect(root.name).toBe('svg');
  expect(root.attributes['data-name']).toBe(nasty);
  expect(root.children[0].text).toBe(nasty);
  expect(root.children[1].children[0].name).toBe('rect');
});

test('numbers print with at most two decimals', () => {
  expect([formatNumber(12.5), formatNumber(2 / 3), formatNumber(100), formatNumber(-0.004)]).toEqual(['12.5', '0.67', '100', '0']);
});
