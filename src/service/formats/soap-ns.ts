/**
 * The namespace of a SOAP request element (the Body's first child), so the answer can be qualified the
 * same way (issue 15 item 6): strict clients (.NET, JAX-WS) look the response element up by its
 * qualified name. The parser keeps local names only, so this reads the raw text: start tags in order,
 * comments, CDATA and processing instructions skipped, xmlns declarations in scope resolved. It stops
 * at the request element's first child element (or its end), so it reads the envelope's head only.
 */

/** How the request element is qualified: its namespace URI ('' = none) and whether its child elements are in it too. */
export interface RequestNamespace {
  readonly uri: string;
  /** Whether the request's child elements are in `uri` too (elementFormDefault="qualified"); true when it has none. */
  readonly childrenQualified: boolean;
}

const TOKEN_RE =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w.-]*)(?::([A-Za-z_][\w.-]*))?((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
const XMLNS_RE = /\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

type Scope = ReadonlyMap<string, string>;

function decode(v: string): string {
  if (!v.includes('&')) return v;
  return v.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9A-Fa-f]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** The namespace declarations of a start tag's attributes, added to the parent's scope ('' = the default namespace). */
function scopeOf(attrs: string, parent: Scope): Scope {
  if (!attrs.includes('xmlns')) return parent;
  let scope: Map<string, string> | undefined;
  XMLNS_RE.lastIndex = 0;
  for (let m = XMLNS_RE.exec(attrs); m; m = XMLNS_RE.exec(attrs)) {
    scope ??= new Map(parent);
    scope.set(m[1] ?? '', decode(m[2] ?? m[3] ?? ''));
  }
  return scope ?? parent;
}

/**
 * The request element's namespace, read from a well-formed SOAP envelope; undefined when the Body is
 * empty. An undeclared prefix counts as no namespace.
 */
export function requestNamespace(text: string): RequestNamespace | undefined {
  const scopes: Scope[] = [new Map()];
  const names: string[] = [];
  let request: { uri: string; depth: number } | undefined;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m; m = TOKEN_RE.exec(text)) {
    if (m[2] === undefined) continue;
    const local = m[3] ?? m[2];
    const prefix = m[3] === undefined ? '' : m[2];
    if (m[1] === '/') {
      // The request element ends with no child element: nothing says otherwise, qualified like the WSDL.
      if (request && names.length === request.depth + 1) return { uri: request.uri, childrenQualified: true };
      names.pop();
      scopes.pop();
      if (names.length === 1 && local === 'Body') return undefined; // an empty Body
      continue;
    }
    const scope = scopeOf(m[4] ?? '', scopes[scopes.length - 1]!);
    const uri = scope.get(prefix) ?? '';
    // The request element's first child: qualified when it is in the request's namespace.
    if (request) return { uri: request.uri, childrenQualified: request.uri !== '' && uri === request.uri };
    if (names.length === 2 && names[1] === 'Body') {
      request = { uri, depth: 2 };
      if (m[5] === '/') return { uri, childrenQualified: true };
    }
    if (m[5] === '/') continue;
    names.push(local);
    scopes.push(scope);
  }
  return request ? { uri: request.uri, childrenQualified: true } : undefined;
}
