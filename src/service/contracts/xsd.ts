/**
 * XML Schema of SimpleIO declarations as Wharf's XML and SOAP codecs read and write them: an
 * element per key, in declaration order; a list is the element repeated; an object has child
 * elements; a single-element list output is a root holding one <item> per entry.
 */
import { WharfError } from '../../errors.js';
import { escapeXml } from '../formats/xml.js';
import {
  defaultOf,
  entriesOf,
  isElementLike,
  listItem,
  objectShape,
  unknownKind,
  type DeclarationLike,
  type ElementLike,
  type ShapeLike,
} from './element-like.js';
import type { Direction } from './json-schema.js';

const NCNAME = /^[A-Za-z_][\w.-]*$/;

const XSD_TYPES: Readonly<Record<string, string>> = {
  text: 'xsd:string',
  int: 'xsd:long',
  float: 'xsd:double',
  decimal: 'xsd:decimal',
  bool: 'xsd:boolean',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  opaque: 'xsd:anyType',
};

const UUID_TYPE =
  '<xsd:simpleType><xsd:restriction base="xsd:string"><xsd:pattern value="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"/></xsd:restriction></xsd:simpleType>';

/** Content that takes any child elements: what an undeclared (opaque) input or output is. */
export const ANY_CONTENT =
  '<xsd:complexType><xsd:sequence><xsd:any minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xsd:sequence></xsd:complexType>';

/** A name usable as an XML element name (NCName), or a contract error naming it. */
export function checkName(name: string, where: string): string {
  if (!NCNAME.test(name))
    throw new WharfError('WHARF_ERR_CONTRACT', [where, `\`${name}\` is not a valid XML element name`]);
  return name;
}

function annotation(el: ElementLike, dir: Direction): string {
  const notes: string[] = [];
  if (el.description) notes.push(el.description);
  const d = defaultOf(el);
  if (dir === 'input' && d !== undefined) notes.push(`default: ${JSON.stringify(d)}`);
  return notes.length
    ? `<xsd:annotation><xsd:documentation>${escapeXml(notes.join('; '))}</xsd:documentation></xsd:annotation>`
    : '';
}

/** `type="..."` or an inline type for an element's content (its list-ness is the caller's). */
function content(el: ElementLike, dir: Direction, owner: string, path: string): { attr: string; inline: string } {
  const kind = el.spec.kind;
  if (kind === 'object')
    return { attr: '', inline: complexType(objectShape(el, `${owner} element \`${path}\``), dir, owner, `${path}.`) };
  if (kind === 'uuid') return { attr: '', inline: UUID_TYPE };
  const t = XSD_TYPES[kind];
  if (!t) throw unknownKind(`${owner} element \`${path}\``, kind);
  return { attr: ` type="${t}"`, inline: '' };
}

/** One `<xsd:element>` of a sequence. */
export function elementDecl(name: string, el: ElementLike, dir: Direction, owner: string, path: string): string {
  checkName(name, `${owner} element \`${path}\``);
  let item = el;
  let many = false;
  // A list repeats its element; a list of lists is written flat by the XML writer, so it repeats the same way.
  while (item.spec.kind === 'list') {
    item = listItem(item, `${owner} element \`${path}\``);
    many = true;
  }
  const present = dir === 'input' ? el.isRequired && !el.hasDefault : el.isRequired || el.hasDefault;
  // An empty list writes no element at all, so a list may always be absent from an answer.
  const min = !present || (many && dir === 'output') ? ' minOccurs="0"' : '';
  const max = many ? ' maxOccurs="unbounded"' : '';
  // An optional output set to null is written as an empty element.
  const nillable = dir === 'output' && !present ? ' nillable="true"' : '';
  const c = content(item, dir, owner, many ? `${path}[]` : path);
  const ann = annotation(el, dir);
  if (!c.inline && !ann) return `<xsd:element name="${name}"${c.attr}${min}${max}${nillable}/>`;
  return `<xsd:element name="${name}"${c.attr}${min}${max}${nillable}>${ann}${c.inline}</xsd:element>`;
}

export function complexType(shape: ShapeLike, dir: Direction, owner: string, prefix = ''): string {
  const els = entriesOf(shape).map(([k, el]) => elementDecl(k, el, dir, owner, prefix + k));
  return `<xsd:complexType><xsd:sequence>${els.join('')}</xsd:sequence></xsd:complexType>`;
}

/**
 * The global element `name` for a whole declaration: a shape's elements as its children; for a
 * single-element output, its value (a list as <item> children, as the codecs write it).
 */
export function rootElement(
  name: string,
  decl: DeclarationLike | undefined,
  dir: Direction,
  owner: string,
  doc?: string,
): string {
  checkName(name, owner);
  const ann = doc ? `<xsd:annotation><xsd:documentation>${escapeXml(doc)}</xsd:documentation></xsd:annotation>` : '';
  if (decl === undefined || decl === null) return `<xsd:element name="${name}">${ann}${ANY_CONTENT}</xsd:element>`;
  if (!isElementLike(decl)) return `<xsd:element name="${name}">${ann}${complexType(decl, dir, owner)}</xsd:element>`;
  if (decl.spec.kind === 'list') {
    return `<xsd:element name="${name}">${ann}<xsd:complexType><xsd:sequence>${elementDecl('item', { ...decl, isRequired: false, hasDefault: false }, dir, owner, '(value)')}</xsd:sequence></xsd:complexType></xsd:element>`;
  }
  const c = content(decl, dir, owner, '(value)');
  return `<xsd:element name="${name}"${c.attr}>${ann}${c.inline}</xsd:element>`;
}
