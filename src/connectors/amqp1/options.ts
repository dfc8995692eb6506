/**
 * Turns a `definitions.amqp1` object into rhea connection options. Reconnection is ours (see
 * connection.ts), so rhea's own is always off. SASL mechanisms are given explicitly: rhea's built-in PLAIN
 * sizes its buffer by UTF-16 length and corrupts non-ASCII user names and passwords.
 */
import type { ConnectionOptions } from 'rhea';
import { WharfError } from '../../errors.js';
import type { ConnectorContext } from '../types.js';
import { amqp1DefinitionKind, type Amqp1Definition } from './definition.js';

type SaslCallback = (err: unknown, response: Buffer) => void;
interface SaslClientMechanism {
  start(callback: SaslCallback): void;
  step?(challenge: unknown, callback: SaslCallback): void;
}

/** The PLAIN initial response: NUL authcid NUL passwd, UTF-8. */
export function plainResponse(username: string, password: string): Buffer {
  return Buffer.concat([
    Buffer.from([0]),
    Buffer.from(username, 'utf8'),
    Buffer.from([0]),
    Buffer.from(password, 'utf8'),
  ]);
}

function saslMechanisms(def: Amqp1Definition): Record<string, () => SaslClientMechanism> {
  switch (def.saslMechanism) {
    case 'PLAIN':
      return { PLAIN: () => ({ start: (cb) => cb(undefined, plainResponse(def.username ?? '', def.password ?? '')) }) };
    case 'ANONYMOUS':
      return { ANONYMOUS: () => ({ start: (cb) => cb(undefined, Buffer.from(def.username ?? 'anonymous', 'utf8')) }) };
    case 'EXTERNAL':
      return {
        EXTERNAL: () => ({
          start: (cb) => cb(undefined, Buffer.alloc(0)),
          step: (_c, cb) => cb(undefined, Buffer.alloc(0)),
        }),
      };
  }
}

export function connectionOptions(def: Amqp1Definition, id: string): ConnectionOptions {
  const common = {
    id,
    host: def.host,
    port: def.port,
    reconnect: false,
    // Links are attached through sessions of our own, which skips rhea's connection-level
    // setNoDelay: without this, Nagle holds small flow/disposition frames back (~40 ms stalls).
    tcp_no_delay: true,
    sasl_mechanisms: saslMechanisms(def),
    idle_time_out: def.idleTimeoutMs > 0 ? def.idleTimeoutMs : undefined,
    ...(def.containerId ? { container_id: def.containerId } : {}),
    properties: { product: 'Wharf', 'wharf-connection': id },
  };
  if (!def.tls) return { ...common, transport: 'tcp' } as ConnectionOptions;
  return {
    ...common,
    transport: 'tls',
    servername: def.host,
    rejectUnauthorized: true,
    ...(def.ca ? { ca: def.ca } : {}),
    ...(def.cert ? { cert: def.cert } : {}),
    ...(def.key ? { key: def.key } : {}),
  } as ConnectionOptions;
}

/** Resolves a channel's or outgoing connection's definition; a clear error when it is missing or wrong. */
export function resolveDefinition(ctx: ConnectorContext, name: string): Amqp1Definition {
  const raw = ctx.resolve(amqp1DefinitionKind.id, name);
  if (!raw) throw new WharfError('WHARF_ERR_OBJECT_NOT_FOUND', [amqp1DefinitionKind.title, name]);
  const parsed = amqp1DefinitionKind.schema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`${amqp1DefinitionKind.title} \`${name}\`: ${why}`]);
  }
  const def = parsed.data;
  if (!def.active) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [name]);
  const problems = amqp1DefinitionKind.check?.(def, { list: () => [] });
  if (problems?.length)
    throw new WharfError('WHARF_ERR_CONFIG_INVALID', [
      `${amqp1DefinitionKind.title} \`${name}\`: ${problems.join('; ')}`,
    ]);
  return def;
}

/** A stable fingerprint: a changed definition means a new connection. */
export function definitionKey(def: Amqp1Definition): string {
  return JSON.stringify([
    def.host,
    def.port,
    def.username,
    def.password,
    def.saslMechanism,
    def.tls,
    def.ca,
    def.cert,
    def.key,
    def.containerId,
    def.idleTimeoutMs,
  ]);
}

/**
 * Whether an edit from `prev` to `next` needs a new link (and connection): another address, another
 * definition, or new settings in the definition (`currentKey`: the {@link definitionKey} in use).
 * Throws like {@link resolveDefinition} when `next`'s definition is missing or invalid.
 */
export function needsRelink(
  ctx: ConnectorContext,
  prev: { address: string; definition: string },
  next: { address: string; definition: string },
  currentKey: string,
): boolean {
  const definition = resolveDefinition(ctx, next.definition);
  return (
    definitionKey(definition) !== currentKey || next.address !== prev.address || next.definition !== prev.definition
  );
}
