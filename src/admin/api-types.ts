/**
 * The shapes of the admin API's answers that its clients read too (the web admin's browser UI
 * imports these as types only). No imports: this file must stay free of server code.
 */

/** One field of an object kind (`GET kinds`). */
export interface FieldInfo {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  values?: readonly string[];
  secret: boolean;
  /** The kind id (or pattern such as `outgoing.*`, or `service`) the field names. */
  ref?: string;
}

/** One object kind (`GET kinds`). */
export interface KindInfo {
  id: string;
  title: string;
  cli: readonly string[];
  cliDefault: boolean;
  fields: FieldInfo[];
  actions: string[];
}

/** A SimpleIO field of a service (`GET services/:name`). */
export interface FieldDesc {
  name: string;
  /** `text`, `int`, ..., `object`, `list<text>`, `list<object>`. */
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  /** The fields of an object, or of each object in a list of objects. */
  fields?: FieldDesc[];
}

/** One 5 s slot of a traffic series (`GET metrics/series`). */
export interface SeriesPoint {
  /** Slot start, epoch seconds. */
  t: number;
  count: number;
  errors: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
}

/** A channel's or a service's series. */
export interface SeriesLine {
  name: string;
  /** Channels: `http` or `message`; services: absent. */
  kind?: string;
  /** The channel's object kind id, e.g. `channels.amqp`. */
  kindId?: string;
  points: SeriesPoint[];
}

/** `GET metrics/series`. */
export interface SeriesView {
  step: number;
  now: number;
  from: number;
  channels: SeriesLine[];
  services: SeriesLine[];
}
