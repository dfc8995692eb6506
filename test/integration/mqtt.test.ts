/**
 * channels.mqtt and outgoing.mqtt against the real Mosquitto on 127.0.0.1:1883 (scripts/mosquitto.sh
 * starts it if needed; these tests fail when it cannot): conformance for both kinds, persistent
 * sessions across a stopped channel and a broker restart, malformed input, failing services and
 * bounded redelivery with a dead-letter topic, live filter changes, publishing while the broker is down.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/kind.js';
import { mqttChannelConnector, type MqttChannelConfig } from '../../src/channels/mqtt/index.js';
import { mqttDefinitionKind, type MqttDefinition } from '../../src/connectors/mqtt/definition.js';
import { clientIdFor } from '../../src/connectors/mqtt/topic.js';
import { createTestContext, type TestContext, type TestService } from '../support/connectors/context.js';
import { runConformance } from '../support/connectors/conformance.js';
import type { Connector } from '../../src/connectors/types.js';
import { WharfError } from '../../src/errors.js';
import { mqttOutgoingConnector, type MqttOutgoing, type MqttOutgoingConfig } from '../../src/outgoing/mqtt/index.js';
import { sleep } from '../helpers/wait.js';

const RUN = randomUUID().slice(0, 8);
const ROOT = `wharf-test/${RUN}`;
const PREFIX = `wt${RUN}-`;
let seq = 0;

function mosquitto(cmd: 'up' | 'restart' | 'stop'): void {
  execFileSync('bash', ['scripts/mosquitto.sh', cmd], { stdio: 'pipe', timeout: 60_000 });
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

function definition(name: string, extra: Partial<MqttDefinition> = {}): MqttDefinition {
  return mqttDefinitionKind.schema.parse({
    name,
    host: '127.0.0.1',
    port: 1883,
    clientIdPrefix: PREFIX,
    keepalive: 30,
    reconnectMs: 200,
    ...extra,
  });
}

const clients = new Set<MqttClient>();

/** A plain mqtt.js client for the test side (publishing, observing), connected. */
async function rawClient(opts: IClientOptions = {}): Promise<MqttClient> {
  const c = connect({ host: '127.0.0.1', port: 1883, protocolVersion: 5, reconnectPeriod: 200, ...opts });
  clients.add(c);
  c.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    setTimeout(() => reject(new Error('test client could not connect to Mosquitto')), 10_000).unref();
  });
  return c;
}

async function closeRaw(c: MqttClient): Promise<void> {
  clients.delete(c);
  await c.endAsync(true);
}

/** Removes a persistent session from the broker: connect with a clean start, disconnect. */
async function purgeSession(clientId: string): Promise<void> {
  const c = await rawClient({ clientId, clean: true, protocolVersion: 5, properties: { sessionExpiryInterval: 0 } });
  await closeRaw(c);
}

/** A topic matching `filter` (wildcards replaced). */
function topicFor(filter: string, leaf = 'x'): string {
  return filter.replace(/\+/g, leaf).replace(/#$/, leaf);
}

let pub: MqttClient;

beforeAll(async () => {
  mosquitto('up');
  pub = await rawClient();
});

afterAll(async () => {
  mosquitto('up');
  await Promise.allSettled([...clients].map((c) => c.endAsync(true)));
});

function channelConfig(def: string, extra: Partial<MqttChannelConfig> = {}): MqttChannelConfig {
  const name = `ch-${RUN}-${++seq}`;
  return mqttChannelConnector.kind.schema.parse({
    name,
    definition: def,
    topicFilter: `${ROOT}/${name}/+`,
    service: 'svc',
    retryDelayMs: 50,
    ...extra,
  });
}

interface Running {
  ctx: TestContext;
  inst: Connector<MqttChannelConfig>;
  config: MqttChannelConfig;
  def: MqttDefinition;
}

const running = new Set<Running>();

async function startChannel(
  opts: {
    services?: Record<string, TestService>;
    config?: Partial<MqttChannelConfig>;
    def?: Partial<MqttDefinition>;
    reuse?: Running;
  } = {},
): Promise<Running> {
  const def = opts.reuse?.def ?? definition(`def-${RUN}-${++seq}`, opts.def);
  const config = opts.reuse?.config ?? channelConfig(def.name, opts.config);
  const ctx = createTestContext({
    services: opts.services ?? { svc: () => undefined },
    objects: { [`definitions.mqtt/${def.name}`]: def as ConfigObject },
  });
  const inst = mqttChannelConnector.create(config, ctx);
  sessions.add(clientIdFor(PREFIX, 'ch', config.name));
  await inst.start();
  const r = { ctx, inst, config, def };
  running.add(r);
  await eventually(() => inst.health().status === 'up', `channel ${config.name} up (${JSON.stringify(inst.health())})`);
  return r;
}

async function stopChannel(r: Running): Promise<void> {
  running.delete(r);
  await r.inst.stop();
}

const sessions = new Set<string>();

afterAll(async () => {
  for (const r of running) await r.inst.stop();
  // leave no persistent test sessions behind on the broker, even after a failed test
  mosquitto('up');
  for (const id of sessions) await purgeSession(id);
});

function payloads(ctx: TestContext): string[] {
  return ctx.calls.map((c) => c.raw.toString());
}

// ------------------------------------------------------------------------------------------------

const confDef = definition(`conf-def-${RUN}`);

runConformance<MqttChannelConfig>({
  title: 'channels.mqtt against Mosquitto',
  kind: mqttChannelConnector,
  objects: () => ({ [`definitions.mqtt/${confDef.name}`]: confDef as ConfigObject }),
  services: { svc: () => undefined, other: () => undefined },
  config: () => channelConfig(confDef.name),
  reconfigure: (c) => ({
    ...c,
    topicFilter: `${ROOT}/${c.name}/v2/#`,
    qos: 0,
    dataFormat: 'plain',
    service: 'other',
    timeoutMs: 5_000,
  }),
  async exercise(_inst, c, ctx) {
    const body = JSON.stringify({ id: randomUUID() });
    const topic = topicFor(c.topicFilter, 'sensor-1');
    await pub.publishAsync(topic, body, { qos: 1 });
    await eventually(() => payloads(ctx).includes(body), `message on ${topic}`);
    const call = ctx.calls.find((x) => x.raw.toString() === body)!;
    expect(call.service).toBe(c.service);
    expect(call.inv.headers?.['mqtt-topic']).toBe(topic);
    expect(call.inv.channel).toEqual({ name: c.name, kind: 'mqtt', dataFormat: c.dataFormat });
    expect(call.payload).toEqual(c.dataFormat === 'json' ? JSON.parse(body) : body);
  },
  async cleanup(c) {
    await purgeSession(clientIdFor(PREFIX, 'ch', c.name));
  },
  invalid: [
    {
      input: { name: 'x', definition: 'd', topicFilter: 'a/#/b', service: 's' },
      message: /topicFilter: # must be a whole level and the last one/,
    },
    {
      input: { name: 'x', definition: 'd', topicFilter: 'a/b+', service: 's' },
      message: /topicFilter: \+ must be a whole level/,
    },
    {
      input: { name: 'x', definition: 'd', topicFilter: '', service: 's' },
      message: /topicFilter: a topic filter must not be empty/,
    },
    {
      input: { name: 'x', definition: 'd', topicFilter: '$share//a', service: 's' },
      message: /topicFilter: a shared subscription looks like/,
    },
    {
      input: { name: 'x', definition: 'd', topicFilter: 'a', service: 's', qos: 2 },
      message: /qos: must be 0 \(at most once\) or 1/,
    },
    {
      input: { name: 'x', definition: 'd', topicFilter: 'a', service: 's', dataFormat: 'soap' },
      message: /dataFormat: Invalid option/,
    },
    { input: { name: 'x', definition: 'd', topicFilter: 'a' }, message: /service: / },
    {
      input: { name: 'x', definition: 'd', topicFilter: 'a', service: 's', deadLetterTopic: 'dead/#' },
      message: /deadLetterTopic: a topic to publish to must not contain the wildcards/,
    },
    {
      input: { name: 'x', definition: 'd', topicFilter: 'a', service: 's', maxDeliveries: 0 },
      message: /maxDeliveries: Too small/,
    },
    {
      input: { name: 'x', definition: 'd', topicFilter: 'a', service: 's', bogus: 1 },
      message: /bogus: unknown field|Unrecognized key/,
    },
  ],
});

const outDef = definition(`out-def-${RUN}`);

runConformance<MqttOutgoingConfig>({
  title: 'outgoing.mqtt against Mosquitto',
  kind: mqttOutgoingConnector,
  objects: () => ({ [`definitions.mqtt/${outDef.name}`]: outDef as ConfigObject }),
  config: () =>
    mqttOutgoingConnector.kind.schema.parse({
      name: `out-${RUN}-${++seq}`,
      definition: outDef.name,
      topic: `${ROOT}/out/${seq}`,
    }),
  reconfigure: (c) => ({ ...c, topic: `${c.topic}/v2`, qos: 0, timeoutMs: 3_000 }),
  async exercise(inst, c) {
    const sub = await rawClient();
    try {
      const got: string[] = [];
      sub.on('message', (t, m) => got.push(`${t} ${m.toString()}`));
      await sub.subscribeAsync(c.topic!, { qos: 1 });
      const mqtt = inst.handle!() as MqttOutgoing;
      await sub.subscribeAsync(`${c.topic}/x`, { qos: 1 });
      await mqtt.publish({ n: c.qos });
      await mqtt.publish('text', { topic: `${c.topic}/x`, qos: 1 });
      await eventually(() => got.length >= 2, 'both messages at the subscriber');
      expect(got).toContain(`${c.topic} {"n":${c.qos}}`);
      expect(got).toContain(`${c.topic}/x text`);
    } finally {
      await closeRaw(sub);
    }
  },
  invalid: [
    {
      input: { name: 'x', definition: 'd', topic: 'a/+' },
      message: /topic: a topic to publish to must not contain the wildcards/,
    },
    { input: { name: 'x', definition: 'd', qos: 2 }, message: /qos: must be 0 \(at most once\) or 1/ },
    { input: { name: 'x', definition: 'd', timeoutMs: 0 }, message: /timeoutMs: Too small/ },
    { input: { name: 'x' }, message: /definition: / },
  ],
});

// ------------------------------------------------------------------------------------------------

describe('channels.mqtt: persistent sessions', () => {
  it('delivers QoS 1 messages published while the channel was stopped', async () => {
    const first = await startChannel();
    await stopChannel(first);
    const topic = topicFor(first.config.topicFilter);
    for (const n of [1, 2, 3]) await pub.publishAsync(topic, JSON.stringify({ n }), { qos: 1 });
    const again = await startChannel({ reuse: first });
    await again.ctx.waitForCalls(3);
    expect(again.ctx.calls.map((c) => c.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await stopChannel(again);
    await purgeSession(clientIdFor(PREFIX, 'ch', first.config.name));
  });

  it('keeps queued messages across a Mosquitto restart and resubscribes after one', async () => {
    const first = await startChannel({ def: { protocolVersion: 4 } });
    await stopChannel(first);
    const topic = topicFor(first.config.topicFilter);
    await pub.publishAsync(topic, '{"before":"restart"}', { qos: 1 });
    mosquitto('restart');
    const again = await startChannel({ reuse: first });
    await again.ctx.waitForCalls(1);
    expect(again.ctx.calls[0]?.payload).toEqual({ before: 'restart' });

    // and a restart while it runs: it reconnects on its own and keeps receiving
    mosquitto('restart');
    await eventually(() => again.inst.health().status !== 'up', 'the channel to notice the restart', 10_000).catch(
      () => undefined,
    );
    await eventually(
      () => again.inst.health().status === 'up',
      `channel up after the restart (${JSON.stringify(again.inst.health())})`,
      20_000,
    );
    await eventually(() => pub.connected, 'test publisher reconnected');
    await pub.publishAsync(topic, '{"after":"restart"}', { qos: 1 });
    await again.ctx.waitForCalls(2);
    expect(again.ctx.calls[1]?.payload).toEqual({ after: 'restart' });
    await stopChannel(again);
    await purgeSession(clientIdFor(PREFIX, 'ch', first.config.name));
  });

  it('subscribes again when the broker lost its session', async () => {
    const r = await startChannel();
    const clientId = clientIdFor(PREFIX, 'ch', r.config.name);
    // Another client takes the id with a clean start: the channel is thrown off and its session is gone.
    await purgeSession(clientId);
    await eventually(
      () => r.ctx.logs.filter((l) => /session new/.test(l.msg)).length >= 2,
      'a reconnect onto a new session',
    );
    await eventually(() => r.inst.health().status === 'up', 'subscribed again');
    await pub.publishAsync(topicFor(r.config.topicFilter), '{"after":"session loss"}', { qos: 1 });
    await r.ctx.waitForCalls(1);
    expect(r.ctx.calls[0]?.payload).toEqual({ after: 'session loss' });
    await stopChannel(r);
  });
});

describe('channels.mqtt: bad input and failing services', () => {
  it('logs and acks malformed JSON, and keeps consuming', async () => {
    const r = await startChannel();
    const topic = topicFor(r.config.topicFilter);
    await pub.publishAsync(topic, '{"broken":', { qos: 1 });
    await pub.publishAsync(topic, '{"fine":true}', { qos: 1 });
    await r.ctx.waitForCalls(1);
    expect(r.ctx.calls[0]?.payload).toEqual({ fine: true });
    const warn = r.ctx.logs.find((l) => l.level === 'warn' && /rejected message/.test(l.msg));
    expect(warn?.msg).toMatch(/WHARF_ERR_MALFORMED_BODY/);
    expect(r.ctx.logs.some((l) => l.level === 'error' && /dropped a message/.test(l.msg))).toBe(true);
    // acked: a reconnect does not bring it back
    await stopChannel(r);
    const again = await startChannel({ reuse: r });
    await sleep(500);
    expect(again.ctx.calls).toHaveLength(0);
    await stopChannel(again);
    await purgeSession(clientIdFor(PREFIX, 'ch', r.config.name));
  });

  it.each([4, 5] as const)(
    'has a failed message redelivered by the broker until the service succeeds (MQTT protocol %s)',
    async (protocolVersion) => {
      let failures = 2;
      const r = await startChannel({
        def: { protocolVersion },
        services: {
          svc: () => {
            if (failures-- > 0) throw new Error('database is down');
          },
        },
      });
      const topic = topicFor(r.config.topicFilter);
      await pub.publishAsync(topic, '{"order":1}', { qos: 1 });
      await pub.publishAsync(topic, '{"order":2}', { qos: 1 });
      await r.ctx.waitForCalls(4);
      const seen = r.ctx.calls.map((c) => [
        (c.payload as { order: number }).order,
        c.inv.headers?.['mqtt-delivery-attempt'],
        c.inv.headers?.['mqtt-dup'],
      ]);
      // order 1 three times (two failures, then success), the later one in order after it
      expect(seen).toEqual([
        [1, '1', 'false'],
        [1, '2', 'true'],
        [1, '3', 'true'],
        [2, '1', expect.any(String)],
      ]);
      await sleep(300);
      expect(r.ctx.calls).toHaveLength(4);
      expect(r.inst.health().status).toBe('up');
      await stopChannel(r);
      await purgeSession(clientIdFor(PREFIX, 'ch', r.config.name));
    },
  );

  it('gives up after maxDeliveries, publishes to the dead-letter topic and goes on', async () => {
    const deadTopic = `${ROOT}/dead/${++seq}`;
    const watcher = await rawClient();
    const dead: Array<{ body: string; props: Record<string, unknown> | undefined }> = [];
    watcher.on('message', (_t, m, packet) =>
      dead.push({
        body: m.toString(),
        props: packet.properties?.userProperties as Record<string, unknown> | undefined,
      }),
    );
    await watcher.subscribeAsync(deadTopic, { qos: 1 });
    const r = await startChannel({
      config: { maxDeliveries: 3, deadLetterTopic: deadTopic },
      services: {
        svc: (call) => {
          if ((call.payload as { poison?: boolean }).poison) throw new Error('cannot handle this one');
        },
      },
    });
    const topic = topicFor(r.config.topicFilter, 'p');
    await pub.publishAsync(topic, '{"poison":true}', { qos: 1 });
    await pub.publishAsync(topic, '{"poison":false}', { qos: 1 });
    await r.ctx.waitForCalls(4);
    await eventually(() => dead.length === 1, 'the dead letter');
    expect(dead[0]?.body).toBe('{"poison":true}');
    expect(dead[0]?.props).toMatchObject({ 'wharf-channel': r.config.name, 'wharf-topic': topic });
    expect(String(dead[0]?.props?.['wharf-reason'])).toMatch(/after 3 attempts/);
    expect(r.ctx.calls.map((c) => (c.payload as { poison: boolean }).poison)).toEqual([true, true, true, false]);
    expect(r.ctx.logs.some((l) => l.level === 'error' && /attempt 3 of 3: giving up/.test(l.msg))).toBe(true);

    // bad input goes to the dead-letter topic at once
    await pub.publishAsync(topic, 'not json', { qos: 1 });
    await eventually(() => dead.length === 2, 'the malformed message as a dead letter');
    expect(dead[1]?.body).toBe('not json');
    expect(String(dead[1]?.props?.['wharf-reason'])).toMatch(/WHARF_ERR_MALFORMED_BODY/);
    await stopChannel(r);
    await closeRaw(watcher);
    await purgeSession(clientIdFor(PREFIX, 'ch', r.config.name));
  });

  it('passes MQTT 5 properties and the topic as headers', async () => {
    const r = await startChannel({ config: { dataFormat: 'plain' } });
    const topic = topicFor(r.config.topicFilter, 'dev-7');
    await pub.publishAsync(topic, 'hello', {
      qos: 1,
      properties: {
        contentType: 'text/plain',
        responseTopic: 'replies/1',
        correlationData: Buffer.from('c-1'),
        userProperties: { tenant: 'acme', 'mqtt-topic': 'spoofed' },
      },
    });
    await r.ctx.waitForCalls(1);
    const h = r.ctx.calls[0]!.inv.headers!;
    expect(h).toMatchObject({
      'mqtt-topic': topic,
      'mqtt-qos': '1',
      'content-type': 'text/plain',
      'mqtt-response-topic': 'replies/1',
      'mqtt-correlation-data': Buffer.from('c-1').toString('base64'),
      tenant: 'acme',
    });
    expect(r.ctx.calls[0]!.payload).toBe('hello');
    await stopChannel(r);
    await purgeSession(clientIdFor(PREFIX, 'ch', r.config.name));
  });
});

describe('channels.mqtt: live changes', () => {
  it('switches the topic filter live: new topic delivered, old one no longer', async () => {
    const r = await startChannel();
    const oldTopic = topicFor(r.config.topicFilter);
    await pub.publishAsync(oldTopic, '{"v":1}', { qos: 1 });
    await r.ctx.waitForCalls(1);
    const next = { ...r.config, topicFilter: `${ROOT}/${r.config.name}/new/#`, qos: 0 as const };
    await r.inst.reconfigure(next);
    expect(r.inst.health().status).toBe('up');
    await pub.publishAsync(oldTopic, '{"v":"old"}', { qos: 1 });
    await pub.publishAsync(`${ROOT}/${r.config.name}/new/a/b`, '{"v":2}', { qos: 1 });
    await r.ctx.waitForCalls(2);
    await sleep(300);
    expect(r.ctx.calls.map((c) => c.payload)).toEqual([{ v: 1 }, { v: 2 }]);
    expect(r.ctx.calls[1]?.inv.headers?.['mqtt-qos']).toBe('0');
    await stopChannel(r);
    await purgeSession(clientIdFor(PREFIX, 'ch', r.config.name));
  });

  it('reconnects when its definition changes, and reports a missing definition', async () => {
    const r = await startChannel();
    r.ctx.objects.set(`definitions.mqtt/${r.def.name}`, { ...r.def, keepalive: 45 } as ConfigObject);
    await r.inst.reconfigure(r.config);
    await eventually(() => r.inst.health().status === 'up', 'up on the edited definition');
    await pub.publishAsync(topicFor(r.config.topicFilter), '{"edited":true}', { qos: 1 });
    await r.ctx.waitForCalls(1);

    r.ctx.objects.delete(`definitions.mqtt/${r.def.name}`);
    await r.inst.reconfigure(r.config);
    expect(r.inst.health()).toEqual({ status: 'down', detail: `MQTT definition \`${r.def.name}\` does not exist` });
    r.ctx.objects.set(`definitions.mqtt/${r.def.name}`, r.def as ConfigObject);
    await r.inst.reconfigure(r.config);
    await eventually(() => r.inst.health().status === 'up', 'up again');
    await stopChannel(r);
    await purgeSession(clientIdFor(PREFIX, 'ch', r.config.name));
  });

  it('refuses a service timeout above 40 % of the keepalive', () => {
    const problems = mqttChannelConnector.kind.check!(channelConfig('d', { timeoutMs: 30_000 }), {
      list: (kind) => (kind === 'definitions.mqtt' ? [definition('d', { keepalive: 60 }) as ConfigObject] : []),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^timeoutMs: must be at most 24000 ms, 40 % of the keepalive of definition `d` \(60 s\)/),
    ]);
  });
});

// ------------------------------------------------------------------------------------------------

describe('outgoing.mqtt: failures are never silent', () => {
  async function startOutgoing(
    extra: Partial<MqttOutgoingConfig> = {},
    def: Partial<MqttDefinition> = {},
  ): Promise<{ inst: Connector<MqttOutgoingConfig>; mqtt: MqttOutgoing; config: MqttOutgoingConfig }> {
    const d = definition(`odef-${RUN}-${++seq}`, def);
    const config = mqttOutgoingConnector.kind.schema.parse({
      name: `out-${RUN}-${++seq}`,
      definition: d.name,
      topic: `${ROOT}/o/${seq}`,
      ...extra,
    });
    const ctx = createTestContext({ objects: { [`definitions.mqtt/${d.name}`]: d as ConfigObject } });
    const inst = mqttOutgoingConnector.create(config, ctx);
    await inst.start();
    return { inst, mqtt: inst.handle!() as MqttOutgoing, config };
  }

  it('fails with a clear error while Mosquitto is down, and delivers after it is back', async () => {
    const topic = `${ROOT}/down/${++seq}`;
    const watcherId = `${PREFIX}watch-${seq}`;
    const watcher = await rawClient({ clientId: watcherId, clean: false, properties: { sessionExpiryInterval: 120 } });
    const got: string[] = [];
    watcher.on('message', (_t, m) => got.push(m.toString()));
    await watcher.subscribeAsync(topic, { qos: 1 });
    const { inst, mqtt, config } = await startOutgoing({ topic, timeoutMs: 1_500 });
    await eventually(() => inst.health().status === 'up', 'outgoing up');
    try {
      mosquitto('stop');
      await eventually(() => inst.health().status === 'down', 'outgoing to notice the broker is gone');
      const t0 = Date.now();
      const err = await mqtt.publish('lost?').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(err).toBeInstanceOf(WharfError);
      expect((err as WharfError).code).toBe('WHARF_ERR_UPSTREAM_TIMEOUT');
      expect((err as WharfError).message).toMatch(
        new RegExp(
          `^MQTT connection \`${config.name}\`: not connected to the broker within 1500 ms; message to \`${topic}\` not published to mqtt://127.0.0.1:1883 \\(last error: .+\\)$`,
        ),
      );

      // a publish with a longer bound waits for the broker and is delivered once it is back
      await inst.reconfigure({ ...config, timeoutMs: 30_000 });
      const waiting = mqtt.publish('after the outage');
      await sleep(300);
      mosquitto('up');
      await waiting;
    } finally {
      mosquitto('up');
    }
    await eventually(() => got.includes('after the outage'), 'the message at the subscriber');
    expect(got).not.toContain('lost?');
    await inst.stop();
    await closeRaw(watcher);
    await purgeSession(watcherId);
  });

  it('rejects a call without a topic and bad options with 400s naming the connection', async () => {
    const { inst, mqtt, config } = await startOutgoing({ topic: undefined });
    await eventually(() => inst.health().status === 'up', 'outgoing up');
    await expect(mqtt.publish('x')).rejects.toMatchObject({
      status: 400,
      message: `MQTT connection \`${config.name}\` has no default topic: pass { topic } to publish()`,
    });
    await expect(mqtt.publish('x', { topic: 'a/#' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/invalid topic `a\/#`: a topic to publish to must not contain the wildcards/),
    });
    await expect(mqtt.publish('x', { topic: 'a', qos: 2 as 1 })).rejects.toMatchObject({ status: 400 });
    await inst.stop();
    await expect(mqtt.publish('x', { topic: 'a' })).rejects.toMatchObject({ code: 'WHARF_ERR_CONNECTION_INACTIVE' });
  });

  it('reports an unknown definition in health and on publish', async () => {
    const config = mqttOutgoingConnector.kind.schema.parse({
      name: `out-${RUN}-${++seq}`,
      definition: 'nope',
      topic: 'a',
    });
    const inst = mqttOutgoingConnector.create(config, createTestContext());
    await inst.start();
    expect(inst.health()).toEqual({ status: 'down', detail: 'MQTT definition `nope` does not exist' });
    await expect((inst.handle!() as MqttOutgoing).publish('x')).rejects.toMatchObject({
      code: 'WHARF_ERR_CONNECTION_INACTIVE',
      details: { reason: 'MQTT definition `nope` does not exist' },
    });
    await inst.stop();
  });
});
