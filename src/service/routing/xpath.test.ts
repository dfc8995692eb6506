import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { parseXml } from '../formats/xml.js';
import { xpath } from './xpath.js';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSD = 'http://services.samples/xsd';

function order(symbol: string, id: number): string {
  return `<order><symbol>${symbol}</symbol><buyerID>b${id}</buyerID><price>${100 + id}.5</price><volume>${id * 10}</volume></order>`;
}

/** The ESB benchmark request (scenario A). */
const BUY = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="${SOAP11}">
  <soapenv:Header>
    <routing xmlns="http://someuri">xadmin;server1;community#1.0##</routing>
  </soapenv:Header>
  <soapenv:Body>
    <m:buyStocks xmlns:m="${XSD}">
      ${['IBM', 'MSFT', 'IBM', 'SUN', 'GOOG', 'ORCL', 'AAPL'].map((s, i) => order(s, i + 1)).join('\n      ')}
    </m:buyStocks>
  </soapenv:Body>
</soapenv:Envelope>`;

describe('xpath: location paths', () => {
  it('content-based routing on the benchmark message: body and header', () => {
    expect(xpath('//order[1]/symbol').first(BUY)).toBe('IBM');
    expect(xpath("//order[1]/symbol = 'IBM'").test(BUY)).toBe(true);
    expect(xpath("//order[1]/symbol = 'MSFT'").test(BUY)).toBe(false);
    const header = xpath('/soapenv:Envelope/soapenv:Header/r:routing', { soapenv: SOAP11, r: 'http://someuri' });
    expect(header.first(BUY)).toBe('xadmin;server1;community#1.0##');
    expect(header.first(Buffer.from(BUY))).toBe('xadmin;server1;community#1.0##');
  });

  it('matches namespaces by URI, whatever prefixes the document uses', () => {
    const doc = `<a:Envelope xmlns:a="${SOAP11}"><a:Body><zz:buyStocks xmlns:zz="${XSD}"><zz:order><zz:symbol>X</zz:symbol></zz:order></zz:buyStocks></a:Body></a:Envelope>`;
    const p = xpath('/s:Envelope/s:Body/m:buyStocks/m:order[1]/m:symbol', { s: SOAP11, m: XSD });
    expect(p.first(doc)).toBe('X');
    // A default namespace declaration is the same namespace as a prefixed one.
    const dflt = `<Envelope xmlns="${SOAP11}"><Body><buyStocks xmlns="${XSD}"><order><symbol>Y</symbol></order></buyStocks></Body></Envelope>`;
    expect(p.first(dflt)).toBe('Y');
    // Same local names in another namespace do not match.
    const other = `<s:Envelope xmlns:s="urn:other"><s:Body/></s:Envelope>`;
    expect(xpath('/s:Envelope/s:Body', { s: SOAP11 }).test(other)).toBe(false);
    // Unprefixed names in the expression mean "no namespace" (XPath 1.0)...
    expect(xpath('//symbol').first(dflt)).toBeUndefined();
    expect(xpath('//symbol').first(BUY)).toBe('IBM');
    // ...unless the default namespace is given under ''.
    expect(xpath('//order/symbol', { '': XSD }).first(dflt)).toBe('Y');
  });

  it('a prefix redeclared deeper in the document is resolved per element', () => {
    const doc = '<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c>two</p:c></p:b><p:c>one</p:c></p:a>';
    expect(xpath('/x:a/x:c', { x: 'urn:1' }).first(doc)).toBe('one');
    expect(xpath('//y:c', { y: 'urn:2' }).all(doc)).toEqual(['two']);
    expect(xpath('//y:c', { y: 'urn:1' }).all(doc)).toEqual(['one']);
    expect(xpath('//*:c'.replace('*:', ''), {}).all(doc)).toEqual([]);
    expect(xpath('//y:*', { y: 'urn:2' }).all(doc)).toEqual(['two', 'two']);
    expect(xpath('//*').all('<a><b>1</b><c>2</c></a>')).toEqual(['12', '1', '2']);
  });

  it('missing paths give undefined / [] / false', () => {
    expect(xpath('/Envelope/Nope').first(BUY)).toBeUndefined();
    expect(xpath('//order[8]/symbol').first(BUY)).toBeUndefined();
    expect(xpath('//order[1]/nothing').all(BUY)).toEqual([]);
    expect(xpath('//nothing').test(BUY)).toBe(false);
    expect(xpath("//nothing = 'x'").test(BUY)).toBe(false);
    expect(xpath("//nothing != 'x'").test(BUY)).toBe(false);
  });

  it('absolute vs relative vs descendant paths', () => {
    const doc = '<r><a><b>1</b></a><b>2</b><c><a><b>3</b></a></c></r>';
    expect(xpath('/r/b').all(doc)).toEqual(['2']);
    expect(xpath('r/b').all(doc)).toEqual(['2']);
    expect(xpath('./r/a/b').all(doc)).toEqual(['1']);
    expect(xpath('/b').all(doc)).toEqual([]);
    expect(xpath('//b').all(doc)).toEqual(['1', '2', '3']);
    expect(xpath('/r//a/b').all(doc)).toEqual(['1', '3']);
    expect(xpath('//a//b').all(doc)).toEqual(['1', '3']);
    expect(xpath('/r/*/b').all(doc)).toEqual(['1']);
    expect(xpath('//c//b').all(doc)).toEqual(['3']);
    expect(xpath('.//c/a').first(doc)).toBe('3');
  });

  it('positional predicates count siblings with the same name, per parent', () => {
    const doc = '<r><g><i>a</i><x/><i>b</i></g><g><i>c</i></g><i>d</i></r>';
    expect(xpath('//i[1]').all(doc)).toEqual(['a', 'c', 'd']);
    expect(xpath('//i[2]').all(doc)).toEqual(['b']);
    expect(xpath('/r/g[2]/i[1]').first(doc)).toBe('c');
    expect(xpath('/r/*[3]').first(doc)).toBe('d');
    expect(xpath('//g[1]/i[2]').first(doc)).toBe('b');
    expect(xpath('/r[1]/g[1]/i').all(doc)).toEqual(['a', 'b']);
    expect(xpath('/r[2]').test(doc)).toBe(false);
  });

  it('attribute predicates, with and without a value, combined with positions', () => {
    const doc = '<r><i t="x">1</i><i>2</i><i t="y">3</i><i t="x" p:u="v" xmlns:p="urn:p">4</i></r>';
    expect(xpath('//i[@t]').all(doc)).toEqual(['1', '3', '4']);
    expect(xpath("//i[@t='x']").all(doc)).toEqual(['1', '4']);
    expect(xpath("//i[@t!='x']").all(doc)).toEqual(['3']);
    expect(xpath("//i[@t='x'][2]").first(doc)).toBe('4');
    expect(xpath("//i[2][@t='x']").first(doc)).toBeUndefined();
    expect(xpath("//i[@q:u='v']", { q: 'urn:p' }).first(doc)).toBe('4');
    expect(xpath("//i[@u='v']").first(doc)).toBeUndefined();
  });

  it('@attr and text() as the last step', () => {
    const doc = '<r a="1&amp;2"><i id="x" q:id="qq" xmlns:q="urn:q">one<b>two</b>three</i><i id="y"/></r>';
    expect(xpath('/r/@a').first(doc)).toBe('1&2');
    expect(xpath('//i/@id').all(doc)).toEqual(['x', 'y']);
    expect(xpath('//@id').all(doc)).toEqual(['x', 'y']);
    expect(xpath('//i/@q:id', { q: 'urn:q' }).all(doc)).toEqual(['qq']);
    expect(xpath('//i/@*').all(doc)).toEqual(['x', 'qq', 'y']);
    expect(xpath('//i/@missing').first(doc)).toBeUndefined();
    expect(xpath('//i').first(doc)).toBe('onetwothree');
    expect(xpath('//i/text()').all(doc)).toEqual(['one', 'three']);
    expect(xpath('//i[1]/text()').first(doc)).toBe('one');
    expect(xpath('//b/text()').first(doc)).toBe('two');
    expect(xpath('//i[2]/text()').first(doc)).toBeUndefined();
    expect(xpath("//i/@id = 'y'").test(doc)).toBe(true);
    expect(xpath("//i/text() = 'three'").test(doc)).toBe(true);
  });

  it('string values: entities and CDATA decoded, comments and PIs skipped, nested elements concatenated in order', () => {
    const doc =
      '<?xml version="1.0"?><!-- c --><r><?pi x?><v>a &lt;b&gt; &#65;&#x42; <![CDATA[<raw & kept>]]><!-- no --><w>W</w>z</v></r>';
    expect(xpath('/r/v').first(doc)).toBe('a <b> AB <raw & kept>Wz');
    expect(xpath('/r/v/text()').all(doc)).toEqual(['a <b> AB <raw & kept>', 'z']);
    const nested = '<a>1<a>2</a>3</a>';
    expect(xpath('//a').all(nested)).toEqual(['123', '2']);
    expect(xpath('//a').first(nested)).toBe('123');
    expect(xpath('//a/text()').all(nested)).toEqual(['1', '2', '3']);
  });

  it('comparisons: = and != are existential; numbers compare numerically', () => {
    expect(xpath("//symbol = 'SUN'").test(BUY)).toBe(true);
    expect(xpath("//symbol != 'IBM'").test(BUY)).toBe(true);
    expect(xpath("//order[1]/symbol != 'IBM'").test(BUY)).toBe(false);
    expect(xpath('//order[2]/price = 102.5').test(BUY)).toBe(true);
    expect(xpath('//order[2]/volume = 20').test(BUY)).toBe(true);
    expect(xpath('//order[2]/volume = "20.0"').test(BUY)).toBe(false);
    // first()/all() of a comparison give the path's values.
    expect(xpath("//order[1]/symbol = 'x'").first(BUY)).toBe('IBM');
  });

  it('stops scanning at the first match (a malformed tail is never read)', () => {
    const doc = '<r><a>1</a><b>x</c>';
    expect(xpath('/r/a').first(doc)).toBe('1');
    expect(xpath('//a').test(doc)).toBe(true);
    expect(() => xpath('//a').all(doc)).toThrow(/<\/c> does not close <b>/);
  });
});

describe('xpath: bad documents and expressions', () => {
  function error(fn: () => unknown): WharfError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(WharfError);
      return e as WharfError;
    }
    throw new Error('expected an error');
  }

  it('refuses DTDs and entity declarations', () => {
    const e = error(() => xpath('//a').first('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'));
    expect(e.code).toBe('WHARF_ERR_DTD_FORBIDDEN');
    expect(e.status).toBe(400);
  });

  it('reports malformed XML clearly', () => {
    const cases: Array<[string, RegExp]> = [
      ['<a><b></a>', /<\/a> does not close <b>/],
      ['<a>', /<a> is not closed/],
      ['<a', /unterminated tag <a/],
      ['<a x=1/>', /attribute `x` of <a> is not quoted/],
      ['<a x/>', /attribute `x` of <a> has no value/],
      ['hello', /no root element/],
      ['', /no root element/],
      ['<a/><b/>', /content after the root element/],
      ['<a><!-- x', /unterminated comment/],
      ['<a>< b/></a>', /a `<` that starts no tag/],
    ];
    for (const [doc, re] of cases) {
      const e = error(() => xpath('//zzz').all(doc));
      expect(e.code, doc).toBe('WHARF_ERR_MALFORMED_BODY');
      expect(e.message, doc).toMatch(re);
    }
    // Prefixes are resolved when a namespaced step needs them.
    expect(error(() => xpath('//x:a', { x: 'urn:x' }).first('<p:a/>')).message).toMatch(
      /namespace prefix `p` is not declared/,
    );
  });

  it('refuses unsupported or invalid expressions at compile time', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /the expression is empty/],
      ['//', /a step is missing/],
      ['/a/', /a step is missing/],
      ['x:a', /prefix `x` is not in the namespaces/],
      ['//a[0]', /a position must be an integer ≥ 1/],
      ['//a[last()]', /last\(\)/],
      ["//a[b='x']", /unsupported predicate/],
      ['//a/@b/c', /must be the last step/],
      ['//a/text()/b', /must be the last step/],
      ['//a/count()', /count\(\)/],
      ['//a/..', /parent/],
      ['child::a', /axes/],
      ["//a = 'x", /unterminated string/],
      ['//a = ', /expected a string or number literal/],
      ['//a b', /unexpected `b`/],
      ['//a[1', /expected `\]`/],
    ];
    for (const [expr, re] of cases) {
      const e = error(() => xpath(expr));
      expect(e.code, expr).toBe('WHARF_ERR_CONFIG_INVALID');
      expect(e.message, expr).toMatch(re);
      expect(e.message).toContain('Invalid XPath');
    }
  });
});

describe('xpath: speed', () => {
  it('routes the 1 KB benchmark message far faster than parsing it (stops at the first match)', () => {
    const m = xpath('//order[1]/symbol');
    const h = xpath('/s:Envelope/s:Header/r:routing', { s: SOAP11, r: 'http://someuri' });
    const buf = Buffer.from(BUY);
    const time = (fn: () => unknown, n: number): number => {
      for (let i = 0; i < n / 5; i++) fn();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      return (performance.now() - t0) / n;
    };
    // Machines here are shared and noisy: compare with the full safe parse of the same message.
    const route = time(() => (m.first(buf), h.first(buf)), 5000);
    const parse = time(() => parseXml(buf.toString('utf8'), 64), 500);
    expect(route * 4).toBeLessThan(parse);
  });
});
