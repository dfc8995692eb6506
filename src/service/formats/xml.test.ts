import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { childrenOf, escapeXml, parseXml, writeElement, XML_DECL } from './xml.js';

function caught(fn: () => unknown): WharfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WharfError);
    return e as WharfError;
  }
  throw new Error('expected an error');
}

describe('parseXml: safety', () => {
  it('refuses a DTD with an external entity (XXE) before parsing', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<foo>&xxe;</foo>';
    const e = caught(() => parseXml(xxe, 64));
    expect(e).toMatchObject({
      code: 'WHARF_ERR_DTD_FORBIDDEN',
      status: 400,
      message: 'DTDs and entity declarations are not allowed',
    });
  });

  it('refuses billion laughs and every declaration form, in any case', () => {
    const lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    expect(caught(() => parseXml(lol, 64)).code).toBe('WHARF_ERR_DTD_FORBIDDEN');
    for (const decl of ['<!doctype a>', '<!ENTITY x "y">', '<!ELEMENT a ANY>', '<!ATTLIST a b CDATA #IMPLIED>']) {
      expect(caught(() => parseXml(`${decl}<a>1</a>`, 64)).code, decl).toBe('WHARF_ERR_DTD_FORBIDDEN');
    }
  });

  it('an undeclared entity reference is not expanded', () => {
    const { value } = parseXml('<a><b>&xxe;</b></a>', 64);
    expect(value).toEqual({ b: '&xxe;' });
  });

  it('malformed XML is a 400 naming line and column', () => {
    const e = caught(() => parseXml('<a>\n  <b>1</c>\n</a>', 64));
    expect(e.code).toBe('WHARF_ERR_MALFORMED_BODY');
    expect(e.message).toMatch(/^Malformed XML body: .*\(line 2, column \d+\)$/);
    expect(e.details).toMatchObject({ line: 2 });
    expect(caught(() => parseXml('<a>', 64, 'SOAP')).message).toMatch(/^Malformed SOAP body: /);
  });

  it('more than one root element is refused', () => {
    expect(() => parseXml('<a/><b/>', 64)).toThrow(WharfError);
  });

  it('nesting is bounded by maxDepth and by the parser (deep input never overflows)', () => {
    const deep = (n: number): string => '<e>'.repeat(n) + 'x' + '</e>'.repeat(n);
    expect(() => parseXml(deep(4), 3)).not.toThrow();
    expect(caught(() => parseXml(deep(6), 3))).toMatchObject({
      code: 'WHARF_ERR_TOO_DEEP',
      message: 'Request nesting exceeds the limit of 3 levels',
    });
    expect(caught(() => parseXml(deep(5000), 64)).code).toBe('WHARF_ERR_TOO_DEEP');
  });
});

describe('parseXml: content', () => {
  it('drops namespace prefixes, keeps text as strings, repeats become arrays, attributes are ignored', () => {
    const { root, value } = parseXml(
      '<?xml version="1.0"?><m:order xmlns:m="urn:o" id="9"><m:id> 42 </m:id><m:line>a</m:line><m:line>b</m:line><m:flag/><m:nested><m:x>1</m:x></m:nested></m:order>',
      64,
    );
    expect(root).toBe('order');
    expect(value).toEqual({ id: '42', line: ['a', 'b'], flag: '', nested: { x: '1' } });
  });

  it('decodes the five predefined and numeric character references exactly once', () => {
    const { value } = parseXml('<a><t>&lt;b&gt; &amp; &quot;q&quot; &apos;s&apos; &#65;&#x42; &amp;lt;</t></a>', 64);
    expect(value).toEqual({ t: `<b> & "q" 's' AB &lt;` });
  });

  it('CDATA is text', () => {
    expect(parseXml('<a><t><![CDATA[<raw & stuff>]]></t></a>', 64).value).toEqual({ t: '<raw & stuff>' });
  });

  it('childrenOf: objects only', () => {
    expect(childrenOf({ a: 1 })).toEqual({ a: 1 });
    expect(childrenOf('text')).toEqual({});
    expect(childrenOf(['x'])).toEqual({});
    expect(childrenOf(undefined)).toEqual({});
  });
});

describe('writeElement and escapeXml', () => {
  it('escapes markup characters and drops control characters (tab, CR, LF stay)', () => {
    expect(escapeXml('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(escapeXml('x\u0000y\u0001z\t\r\n')).toBe('xyz\t\r\n');
    const plain = 'nothing to do';
    expect(escapeXml(plain)).toBe(plain);
  });

  it('objects become children, arrays repeat, null is empty, undefined is skipped', () => {
    expect(writeElement('r', { id: 1, tags: ['a', 'b'], none: null, skip: undefined, nested: { ok: true } })).toBe(
      '<r><id>1</id><tags>a</tags><tags>b</tags><none/><nested><ok>true</ok></nested></r>',
    );
  });

  it('Dates as ISO, Buffers as base64, text escaped', () => {
    expect(writeElement('d', new Date(0))).toBe('<d>1970-01-01T00:00:00.000Z</d>');
    expect(writeElement('b', Buffer.from('hi'))).toBe('<b>aGk=</b>');
    expect(writeElement('t', '<&>')).toBe('<t>&lt;&amp;&gt;</t>');
    expect(writeElement('p:t', 'x')).toBe('<p:t>x</p:t>');
  });

  it('refuses names that are not XML names and output nested too deep', () => {
    expect(() => writeElement('1bad', 'x')).toThrow('`1bad` is not a valid XML element name');
    expect(() => writeElement('r', { 'with space': 1 })).toThrow(/not a valid XML element name/);
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 300; i++) {
      const next = {};
      deep['n'] = next;
      deep = next;
    }
    expect(() => writeElement('r', top)).toThrow('output nests too deep for XML');
  });

  it('what it writes parses back', () => {
    const out = { id: '7', name: 'A & B <C>', lines: [{ sku: 'x' }, { sku: 'y' }] };
    const xml = XML_DECL + writeElement('order', out);
    expect(parseXml(xml, 64)).toEqual({ root: 'order', value: out });
  });
});
