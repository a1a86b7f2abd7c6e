// Types of wtf-realtime.js, the client of a wtf Hub. `wtf typescript MODULE:APP` writes the
// description of an app's Hub (every method's params and result, every event's payload):
//
//   import { connect } from "./wtf-realtime.js";
//   import type { Hub } from "./hub";          // written by `wtf typescript`
//   const client = connect<Hub>("/rt");
//   const { sent } = await client.call("chat.send", { room: "lobby", text: "hi" });

/** What a Hub offers: its methods (params and result) and its events (payload). */
export interface HubDescription {
  methods: { [method: string]: { params: unknown; result: unknown } };
  events: { [event: string]: unknown };
}

/** A Hub nothing is known of: any method, any params, any payload. */
export interface AnyHub {
  methods: { [method: string]: { params: any; result: any } };
  events: { [event: string]: any };
}

/** The Hub's error codes (DISCONNECTED is the client's own: the connection closed first). */
export declare const Code: {
  readonly ERROR: -1000;
  readonly FULL: -1001;
  readonly EXISTS: -1002;
  readonly INVALID: -1003;
  readonly NOT_FOUND: -1004;
  readonly NOT_AUTHORIZED: -1005;
  readonly NO_PERMISSION: -1006;
  readonly UNIMPLEMENTED: -1007;
  readonly TOO_MANY_REQUESTS: -1008;
  readonly RESOURCE_EXHAUSTED: -1009;
  readonly BUSY: -1010;
  readonly FILE_RETRY: -1011;
  readonly FILE_EMPTY: -1012;
  readonly FILE_TOO_LARGE: -1013;
  readonly TIMEOUT: -1014;
  readonly DISCONNECTED: -1100;
};

/** A failed call: the wire's code, message and data. */
export declare class WtfError extends Error {
  constructor(code: number, message: string, data?: unknown);
  readonly code: number;
  readonly data: unknown;
}

/** A MessagePack implementation (e.g. @msgpack/msgpack's `{ encode, decode }`). */
export interface MessagePack {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

export interface ConnectOptions {
  /** Subprotocols to offer (default: ["wtf.json"], or ["wtf.msgpack"] with `msgpack`). */
  protocols?: string[];
  /** A credential for the server's on_connect, or a function giving one at each (re)connect;
   * sent as the subprotocol "wtf.token.<base64url>", never in the URL. */
  token?: string | null | (() => string | null | Promise<string | null>);
  /** Speak MessagePack (binary frames) with this implementation. */
  msgpack?: MessagePack;
  /** Milliseconds a call waits for its reply (default 10000; 0: forever). */
  timeout?: number;
  /** Reconnect delays: exponential from `initial` ms up to `max` ms, with jitter. */
  backoff?: { initial?: number; max?: number };
  /** Reconnect after the connection drops (default true). */
  reconnect?: boolean;
  /** The WebSocket class (default: the global one). */
  WebSocket?: new (url: string, protocols?: string[]) => WebSocket;
}

export interface CallOptions {
  /** Milliseconds to wait for the reply (default: the client's `timeout`). */
  timeout?: number;
}

/** Where an event stands in its channel's history (events declared with history=N). */
export interface EventMeta {
  event: string;
  channel: string | null;
  offset?: number;
  epoch?: string;
}

/** The answer to a subscription: the channel's position for an event with history. */
export type SubscribeResult = { offset: number; epoch: string; recovered?: boolean } | true;

export interface ClientEvents {
  open: { reconnected: boolean };
  close: { code: number; reason: string; reconnecting: boolean };
  reconnect: { attempts: number };
  resubscribe: { event: string; channel: string; recovered: boolean | null };
  settings: { [key: string]: string };
  error: Error;
}

type ParamsArgs<P> = {} extends P
  ? [params?: P, options?: CallOptions]
  : [params: P, options?: CallOptions];

export interface Client<H extends HubDescription = AnyHub> {
  /** "connecting", "open" or "closed". */
  readonly state: "connecting" | "open" | "closed";
  /** The session's settings, as the server last pushed them. */
  readonly settings: { [key: string]: string };
  /** Call a method; rejects with a WtfError (TIMEOUT, DISCONNECTED, or the server's code). */
  call<M extends keyof H["methods"] & string>(
    method: M,
    ...args: ParamsArgs<H["methods"][M]["params"]>
  ): Promise<H["methods"][M]["result"]>;
  /** Call a method without a reply. */
  notify<M extends keyof H["methods"] & string>(
    method: M,
    ...args: ParamsArgs<H["methods"][M]["params"]>
  ): void;
  /** Receive `event` on `channel`; resubscribed (and recovered) after each reconnect. */
  subscribe<E extends keyof H["events"] & string>(
    event: E,
    channel: string,
    handler: (data: H["events"][E], meta: EventMeta) => void,
    options?: { data?: unknown },
  ): Promise<SubscribeResult>;
  /** Stop receiving `event` on `channel` (only `handler`'s, when others remain). */
  unsubscribe<E extends keyof H["events"] & string>(
    event: E,
    channel: string,
    handler?: (data: H["events"][E], meta: EventMeta) => void,
  ): Promise<boolean>;
  /** Receive `event` whatever its channel (events sent to this session have none). */
  listen<E extends keyof H["events"] & string>(
    event: E,
    handler: (data: H["events"][E], meta: EventMeta) => void,
  ): () => void;
  /** The client's own events; returns a function that removes the listener. */
  on<N extends keyof ClientEvents>(name: N, fn: (value: ClientEvents[N]) => void): () => void;
  /** Close for good (no reconnect); pending calls are rejected with DISCONNECTED. */
  close(code?: number, reason?: string): void;
}

/** Connect to a Hub (a page's "/rt" becomes ws(s)://its-host/rt). */
export declare function connect<H extends HubDescription = AnyHub>(
  url: string,
  options?: ConnectOptions,
): Client<H>;

/** Milliseconds before reconnect attempt `attempt`: exponential, capped, with jitter. */
export declare function backoffDelay(
  attempt: number,
  backoff?: { initial?: number; max?: number },
  random?: () => number,
): number;

/** Whether a close (code, reason) from the server is followed by a reconnect. */
export declare function shouldReconnect(code: number, reason: string): boolean;
