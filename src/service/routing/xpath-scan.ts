/**
 * Runs a compiled XPath over an XML text in one forward scan, without building a tree, and stops as
 * soon as the answer is known (the first match for `first`, the first hit for `test`). Elements are
 * matched with bitmasks of the steps they satisfy; positional predicates count siblings per parent.
 * Namespace declarations are tracked per element. DTDs are refused; structural errors (mismatched
 * or unclosed tags) raise WHARF_ERR_MALFORMED_BODY when the scan reaches them.
 */
import { WharfError } from '../../errors.js';
import type { CompiledXPath, NameTest } from './xpath-compile.js';

export type ScanMode = 'first' | 'all' | 'test';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const UNRESOLVED = Symbol('unresolved');

function malformed(reason: string): never {
  throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['XML', reason]);
}

const ENTITY_RE = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

export function decodeEntities(s: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.replace(ENTITY_RE, (_m, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      }
    }
  });
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

function compare(x: CompiledXPath, v: string): boolean {
  const c = x.comparison!;
  const eq = typeof c.value === 'number' ? Number(v.trim()) === c.value : v === c.value;
  return c.op === '=' ? eq : !eq;
}

export function scan(x: CompiledXPath, text: string, mode: 'first'): string | undefined;
export function scan(x: CompiledXPath, text: string, mode: 'all'): string[];
export function scan(x: CompiledXPath, text: string, mode: 'test'): boolean;
export function scan(x: CompiledXPath, text: string, mode: ScanMode): string | undefined | string[] | boolean {
  const steps = x.steps;
  const L = steps.length;
  const lastBit = 1 << (L - 1);
  const K = x.positionSlots;
  const tail = x.tail;
  const n = text.length;

  // Frames by depth; the document is depth 0, the root element depth 1.
  const matched: number[] = [0];
  const reach: number[] = [0];
  const names: string[] = [''];
  const counters: number[] = new Array<number>(K).fill(0);
  let depth = 0;
  let rootDone = false;
  // In-scope namespace declarations.
  const bPrefix: string[] = [];
  const bUri: string[] = [];
  const bDepth: number[] = [];
  // Attributes of the tag being read.
  const aNames: string[] = [];
  const aVals: string[] = [];
  let aN = 0;
  // Selected elements collecting their string value (tail none) or direct text nodes (tail text()).
  const cDepth: number[] = [];
  const cSlot: number[] = [];
  const cBuf: string[] = [];
  const tDepth: number[] = [];
  const tBuf: string[] = [];

  const results: Array<string | undefined> = [];
  let stop = false;
  let answer = false;

  const emit = (slot: number, v: string): void => {
    results[slot] = v;
    if (mode === 'first') {
      if (slot === 0) stop = true;
    } else if (mode === 'test') {
      if (!x.comparison || compare(x, v)) {
        answer = true;
        stop = true;
      }
    }
  };

  const resolve = (prefix: string): string | null => {
    for (let k = bPrefix.length - 1; k >= 0; k--) if (bPrefix[k] === prefix) return bUri[k] === '' ? null : bUri[k]!;
    if (prefix === '') return null;
    if (prefix === 'xml') return XML_NS;
    return malformed(`namespace prefix \`${prefix}\` is not declared`);
  };

  const nameMatches = (t: NameTest, qname: string): boolean => {
    const colon = qname.indexOf(':');
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    if (t.local !== '*' && t.local !== local) return false;
    if (t.ns === undefined) return true;
    return (colon === -1 ? null : resolve(qname.slice(0, colon))) === t.ns;
  };

  const findAttr = (t: NameTest): number => {
    for (let k = 0; k < aN; k++) {
      const a = aNames[k]!;
      if (a === 'xmlns' || a.startsWith('xmlns:')) continue;
      if (nameMatches(t, a)) return k;
    }
    return -1;
  };

  const flushText = (): void => {
    const top = tDepth.length - 1;
    if (tBuf[top] !== '') {
      const slot = results.length;
      results.push(undefined);
      emit(slot, tBuf[top]!);
      tBuf[top] = '';
    }
  };

  const addText = (s: string): void => {
    for (let k = 0; k < cDepth.length; k++) cBuf[k] += s;
    const top = tDepth.length - 1;
    if (top >= 0 && tDepth[top] === depth) tBuf[top] += s;
  };

  const close = (): void => {
    const d = depth;
    if (tDepth.length > 0 && tDepth[tDepth.length - 1] === d) {
      flushText();
      tDepth.pop();
      tBuf.pop();
    }
    if (cDepth.length > 0 && cDepth[cDepth.length - 1] === d) {
      cDepth.pop();
      emit(cSlot.pop()!, cBuf.pop()!);
    }
    while (bDepth.length > 0 && bDepth[bDepth.length - 1] === d) {
      bDepth.pop();
      bPrefix.pop();
      bUri.pop();
    }
    depth = d - 1;
    if (depth === 0) rootDone = true;
  };

  const open = (qname: string, selfClosing: boolean): void => {
    if (depth === 0 && rootDone) malformed(`content after the root element (<${qname}>)`);
    const d = depth + 1;
    for (let k = 0; k < aN; k++) {
      const a = aNames[k]!;
      if (a === 'xmlns' || a.startsWith('xmlns:')) {
        bPrefix.push(a.length === 5 ? '' : a.slice(6));
        bUri.push(decodeEntities(aVals[k]!));
        bDepth.push(d);
      }
    }
    // A child element ends the current text node of a text()-selected parent.
    if (tDepth.length > 0 && tDepth[tDepth.length - 1] === depth) flushText();
    const pMatched = matched[depth]!;
    const pReach = reach[depth]!;
    const base = depth * K;
    let m = 0;
    let elemNs: string | null | typeof UNRESOLVED = UNRESOLVED;
    const colon = qname.indexOf(':');
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    for (let s = 0; s < L; s++) {
      const st = steps[s]!;
      if (s === 0) {
        if (!st.descendant && depth !== 0) continue;
      } else if (((st.descendant ? pReach : pMatched) & (1 << (s - 1))) === 0) continue;
      const t = st.test;
      if (t.local !== '*' && t.local !== local) continue;
      if (t.ns !== undefined) {
        if (elemNs === UNRESOLVED) elemNs = resolve(colon === -1 ? '' : qname.slice(0, colon));
        if (elemNs !== t.ns) continue;
      }
      let ok = true;
      for (const p of st.predicates) {
        if (p.kind === 'position') {
          const c = ++counters[base + p.slot]!;
          if (c !== p.n) {
            ok = false;
            break;
          }
        } else {
          const k = findAttr(p.test);
          if (k === -1) {
            ok = false;
            break;
          }
          if (p.op !== undefined) {
            const eq = decodeEntities(aVals[k]!) === p.value;
            if (eq !== (p.op === '=')) {
              ok = false;
              break;
            }
          }
        }
      }
      if (ok) m |= 1 << s;
    }
    matched[d] = m;
    reach[d] = pReach | m;
    names[d] = qname;
    for (let k = 0; k < K; k++) counters[d * K + k] = 0;
    depth = d;
    if (m & lastBit) {
      if (tail.kind === 'none') {
        if (mode === 'test' && !x.comparison) {
          answer = true;
          stop = true;
          return;
        }
        cDepth.push(d);
        cSlot.push(results.length);
        cBuf.push('');
        results.push(undefined);
      } else if (tail.kind === 'text') {
        tDepth.push(d);
        tBuf.push('');
      } else {
        for (let k = 0; k < aN && !stop; k++) {
          const a = aNames[k]!;
          if (a === 'xmlns' || a.startsWith('xmlns:') || !nameMatches(tail.test, a)) continue;
          const slot = results.length;
          results.push(undefined);
          emit(slot, decodeEntities(aVals[k]!));
        }
      }
    }
    if (selfClosing) close();
  };

  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n && !stop) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i && depth > 0 && (cDepth.length > 0 || tDepth.length > 0)) addText(decodeEntities(text.slice(i, end)));
    if (lt === -1) break;
    const c = text.charCodeAt(lt + 1);
    if (c === 47 /* / */) {
      const gt = text.indexOf('>', lt + 2);
      if (gt === -1) malformed('unterminated end tag');
      let e = gt;
      while (e > lt + 2 && isWs(text.charCodeAt(e - 1))) e--;
      const name = text.slice(lt + 2, e);
      if (depth === 0) malformed(`</${name}> closes nothing`);
      if (name !== names[depth]) malformed(`</${name}> does not close <${names[depth]}>`);
      close();
      i = gt + 1;
    } else if (c === 63 /* ? */) {
      const e = text.indexOf('?>', lt + 2);
      if (e === -1) malformed('unterminated processing instruction');
      i = e + 2;
    } else if (c === 33 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const e = text.indexOf('-->', lt + 4);
        if (e === -1) malformed('unterminated comment');
        if (tDepth.length > 0 && tDepth[tDepth.length - 1] === depth) flushText();
        i = e + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const e = text.indexOf(']]>', lt + 9);
        if (e === -1) malformed('unterminated CDATA section');
        if (depth > 0 && (cDepth.length > 0 || tDepth.length > 0)) addText(text.slice(lt + 9, e));
        i = e + 3;
      } else {
        throw new WharfError('WHARF_ERR_DTD_FORBIDDEN');
      }
    } else {
      let j = lt + 1;
      while (j < n) {
        const ch = text.charCodeAt(j);
        if (isWs(ch) || ch === 62 /* > */ || ch === 47 /* / */) break;
        j++;
      }
      const qname = text.slice(lt + 1, j);
      if (qname === '') malformed(`a \`<\` that starts no tag (offset ${lt})`);
      aN = 0;
      let selfClosing = false;
      for (;;) {
        while (j < n && isWs(text.charCodeAt(j))) j++;
        if (j >= n) malformed(`unterminated tag <${qname}`);
        const ch = text.charCodeAt(j);
        if (ch === 62) {
          j++;
          break;
        }
        if (ch === 47) {
          if (text.charCodeAt(j + 1) !== 62) malformed(`stray \`/\` in <${qname}>`);
          selfClosing = true;
          j += 2;
          break;
        }
        const a0 = j;
        while (j < n) {
          const k = text.charCodeAt(j);
          if (isWs(k) || k === 61 /* = */ || k === 62 || k === 47) break;
          j++;
        }
        const aname = text.slice(a0, j);
        while (j < n && isWs(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) !== 61) malformed(`attribute \`${aname}\` of <${qname}> has no value`);
        j++;
        while (j < n && isWs(text.charCodeAt(j))) j++;
        const q = text.charCodeAt(j);
        if (q !== 34 && q !== 39) malformed(`attribute \`${aname}\` of <${qname}> is not quoted`);
        const qe = text.indexOf(q === 34 ? '"' : "'", j + 1);
        if (qe === -1) malformed(`unterminated value of attribute \`${aname}\` of <${qname}>`);
        aNames[aN] = aname;
        aVals[aN] = text.slice(j + 1, qe);
        aN++;
        j = qe + 1;
      }
      i = j;
      open(qname, selfClosing);
    }
  }
  if (!stop && depth > 0) malformed(`<${names[depth]}> is not closed`);
  if (!stop && !rootDone) malformed('the document has no root element');
  if (mode === 'first') return results[0];
  if (mode === 'test') return answer;
  return results as string[];
}
