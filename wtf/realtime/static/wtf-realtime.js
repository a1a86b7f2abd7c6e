// wtf-realtime.js: the browser (and Node) client of a wtf Hub. An ES module, no dependencies,
// no build step: `import { connect } from "/wtf-realtime.js"` (served by hub.client_route).
//
// Wire format (JSON text frames, or MessagePack binary frames with the wtf.msgpack subprotocol):
//   out: {"m": method, "p": params, "i": id}    (no "i": a notification)
//   in:  {"i": id, "r": result} | {"i": id, "e": {"c": code, "m": message, "d": data}}
//        {"v": event, "c": channel, "r": data, "o"?: offset, "ep"?: epoch}

/** The Hub's error codes (and DISCONNECTED, which only this client raises). */
export const Code = Object.freeze({
  ERROR: -1000,
  FULL: -1001,
  EXISTS: -1002,
  INVALID: -1003,
  NOT_FOUND: -1004,
  NOT_AUTHORIZED: -1005,
  NO_PERMISSION: -1006,
  UNIMPLEMENTED: -1007,
  TOO_MANY_REQUESTS: -1008,
  RESOURCE_EXHAUSTED: -1009,
  BUSY: -1010,
  FILE_RETRY: -1011,
  FILE_EMPTY: -1012,
  FILE_TOO_LARGE: -1013,
  TIMEOUT: -1014,
  DISCONNECTED: -1100,
});

/** A failed call: the wire's code, message and data. */
export class WtfError extends Error {
  constructor(code, message, data = null) {
    super(message);
    this.name = "WtfError";
    this.code = code;
    this.data = data;
  }
}

/** Milliseconds to wait before reconnect attempt `attempt` (0, 1, ...): exponential from
 * `initial`, capped at `max`, with "equal jitter" (half fixed, half random) so that clients
 * dropped together do not all come back at the same instant. */
export function backoffDelay(attempt, { initial = 500, max = 15000 } = {}, random = Math.random) {
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Whether a close from the server should be followed by a reconnect: not after a protocol
 * error the next connection would repeat, nor after a refusal or a kick (1008), but after
 * being dropped as a slow consumer, a server going away, a restart or a network failure. */
export function shouldReconnect(code, reason) {
  if (code === 1002 || code === 1003 || code === 1007 || code === 1009 || code === 1010) {
    return false;
  }
  if (code === 1008) return reason === "slow consumer" || reason === "no message in time";
  return true;
}

function key(event, channel) {
  return JSON.stringify([event, channel]);
}

// Tokens travel as a subprotocol ("wtf.token.<base64url>"): browsers cannot set headers on a
// WebSocket, and a query string ends up in access logs.
function tokenProtocol(token) {
  const bytes = new TextEncoder().encode(token);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return "wtf.token." + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}


// A page's "/rt" or "rt" becomes ws(s)://its-host/rt.
function absolute(url) {
  if (/^wss?:\/\//i.test(url) || typeof location === "undefined") return url;
  const resolved = new URL(url, location.href);
  resolved.protocol = resolved.protocol === "https:" ? "wss:" : "ws:";
  return resolved.href;
}

class HubClient {
  constructor(url, options) {
    this.url = absolute(url);
    this.options = {
      timeout: 10000,
      backoff: { initial: 500, max: 15000 },
      reconnect: true,
      ...options,
    };
    /** "connecting", "open" or "closed". */
    this.state = "connecting";
    /** The session's settings, as the server last pushed them. */
    this.settings = {};
    this._socket = null;
    this._nextId = 0;
    this._pending = new Map(); // id -> {resolve, reject, timer, sent}
    this._queued = []; // [frame, call or null]: written once the socket opens
    this._subscriptions = new Map(); // key -> subscription (see subscribe)
    this._listeners = new Map(); // name -> Set of functions
    this._attempt = 0;
    this._retryTimer = null;
    this._closedByUs = false;
    this._opened = false;
    this._open();
  }

  // --- the connection -----------------------------------------------------------------

  async _open() {
    const { protocols, token, msgpack } = this.options;
    let offered = protocols ?? [msgpack ? "wtf.msgpack" : "wtf.json"];
    if (token != null) {
      let value;
      try {
        value = typeof token === "function" ? await token() : token;
      } catch (error) {
        this._emit("error", error);
        this._scheduleReconnect();
        return;
      }
      if (this._closedByUs) return;
      if (value) offered = [...offered, tokenProtocol(String(value))];
    }
    const Socket = this.options.WebSocket ?? globalThis.WebSocket;
    let socket;
    try {
      socket = new Socket(this.url, offered);
    } catch (error) {
      this._emit("error", error);
      this._scheduleReconnect();
      return;
    }
    socket.binaryType = "arraybuffer";
    this._socket = socket;
    socket.onopen = () => {
      if (socket === this._socket) this._opening();
    };
    socket.onmessage = (e) => {
      if (socket === this._socket) this._receive(e.data);
    };
    socket.onerror = () => {
      if (socket === this._socket) this._emit("error", new Error(`WebSocket error on ${this.url}`));
    };
    socket.onclose = (e) => {
      if (socket !== this._socket) return;
      this._socket = null;
      this._dropped(e.code, e.reason);
    };
  }

  _opening() {
    const reconnected = this._opened;
    const attempts = this._attempt;
    this._opened = true;
    this.state = "open";
    this._attempt = 0;
    for (const [frame, call] of this._queued.splice(0)) {
      if (call) call.sent = true;
      this._socket.send(frame);
    }
    // Subscriptions are asked for first: a call made by an "open" or "reconnect" listener
    // reaches the server after them, and so sees this session subscribed again.
    for (const sub of this._subscriptions.values()) {
      if (!sub.asking) this._ask(sub);
    }
    this._emit("open", { reconnected });
    if (reconnected) this._emit("reconnect", { attempts });
  }

  _dropped(code, reason) {
    this.state = "closed";
    const error = new WtfError(
      Code.DISCONNECTED,
      `the connection closed before the reply (${code}${reason ? " " + reason : ""})`,
    );
    for (const [id, call] of this._pending) {
      if (!call.sent) continue; // still queued: it goes out on the next connection
      clearTimeout(call.timer);
      this._pending.delete(id);
      call.reject(error);
    }
    const again = !this._closedByUs && this.options.reconnect && shouldReconnect(code, reason);
    this._emit("close", { code, reason, reconnecting: again });
    if (again) {
      this._scheduleReconnect();
    } else {
      this._closedByUs = true;
      this._rejectAll(error);
    }
  }

  _rejectAll(error) {
    this._queued.length = 0;
    for (const [id, call] of this._pending) {
      clearTimeout(call.timer);
      this._pending.delete(id);
      call.reject(error);
    }
    for (const sub of this._subscriptions.values()) {
      if (!sub.confirmed) sub.refuse(error);
    }
  }

  _scheduleReconnect() {
    if (this._closedByUs || !this.options.reconnect) return;
    this.state = "connecting";
    const delay = backoffDelay(this._attempt, this.options.backoff);
    this._attempt += 1;
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      if (!this._closedByUs) this._open();
    }, delay);
  }

  /** Close the connection for good: no reconnect; pending calls are rejected. */
  close(code = 1000, reason = "") {
    if (this._closedByUs && !this._socket) return;
    this._closedByUs = true;
    clearTimeout(this._retryTimer);
    const socket = this._socket;
    this._socket = null;
    this.state = "closed";
    this._rejectAll(new WtfError(Code.DISCONNECTED, "the client was closed"));
    if (socket) socket.close(code, reason);
    this._emit("close", { code, reason, reconnecting: false });
  }

  // --- frames -------------------------------------------------------------------------

  _encode(message) {
    const { msgpack } = this.options;
    return msgpack ? msgpack.encode(message) : JSON.stringify(message);
  }

  _decode(data) {
    if (typeof data === "string") return JSON.parse(data);
    const { msgpack } = this.options;
    if (!msgpack) throw new Error("a binary frame on a JSON connection");
    return msgpack.decode(new Uint8Array(data));
  }

  _send(message, call = null) {
    const frame = this._encode(message);
    if (this.state === "open" && this._socket) {
      if (call) call.sent = true;
      this._socket.send(frame);
    } else {
      this._queued.push([frame, call]);
    }
  }

  _receive(data) {
    let message;
    try {
      message = this._decode(data);
    } catch (error) {
      this._emit("error", error);
      return;
    }
    if (message === null || typeof message !== "object") return;
    if ("v" in message) {
      this._event(message);
      return;
    }
    const call = this._pending.get(message.i);
    if (!call) return; // a reply that came after its timeout
    this._pending.delete(message.i);
    clearTimeout(call.timer);
    if (message.e) call.reject(new WtfError(message.e.c, message.e.m, message.e.d ?? null));
    else call.resolve(message.r ?? null);
  }

  _event(message) {
    const { v: event, c: channel, r: data } = message;
    if (event === "$settings") {
      this.settings = data ?? {};
      this._emit("settings", this.settings);
      return;
    }
    const meta = { event, channel, offset: message.o, epoch: message.ep };
    if (channel != null) {
      const sub = this._subscriptions.get(key(event, channel));
      if (sub && typeof message.o === "number") {
        // Recovery replays what was missed; an offset already seen in this epoch is a repeat.
        if (sub.epoch === message.ep && sub.offset != null && message.o <= sub.offset) return;
        sub.offset = message.o;
        sub.epoch = message.ep;
      }
      if (sub) for (const handler of sub.handlers) this._safely(handler, [data, meta]);
    }
    const listeners = this._listeners.get("event:" + event);
    if (listeners) for (const fn of listeners) this._safely(fn, [data, meta]);
  }

  // A handler's bug stops neither the other handlers nor the connection: it is reported to
  // the "error" listeners (whose own errors go nowhere).
  _safely(fn, args, report = true) {
    try {
      fn(...args);
    } catch (error) {
      if (report) this._emit("error", error);
    }
  }

  // --- calls --------------------------------------------------------------------------

  /** Call `method` with `params`; the Promise gets the result, or rejects with a WtfError
   * (the wire's code and message; TIMEOUT after `timeout` ms; DISCONNECTED when the
   * connection drops first). */
  call(method, params = undefined, { timeout = this.options.timeout } = {}) {
    if (this._closedByUs) {
      return Promise.reject(new WtfError(Code.DISCONNECTED, "the client was closed"));
    }
    const id = ++this._nextId;
    return new Promise((resolve, reject) => {
      const call = { resolve, reject, timer: null, sent: false };
      if (timeout > 0) {
        call.timer = setTimeout(() => {
          if (this._pending.delete(id)) {
            reject(new WtfError(Code.TIMEOUT, `no reply to ${method} in ${timeout} ms`));
          }
        }, timeout);
      }
      this._pending.set(id, call);
      const message = { m: method, i: id };
      if (params !== undefined) message.p = params;
      this._send(message, call);
    });
  }

  /** Call `method` without waiting for (or getting) a reply. */
  notify(method, params = undefined) {
    if (this._closedByUs) return;
    const message = { m: method };
    if (params !== undefined) message.p = params;
    this._send(message);
  }

  // --- subscriptions ------------------------------------------------------------------

  /** Receive `event` on `channel`: `handler(data, {event, channel, offset, epoch})`. Resolves
   * with the server's answer ({offset, epoch} for an event with history); rejects when refused
   * (NO_PERMISSION, NOT_FOUND...), and then nothing is kept. After a reconnect the client
   * subscribes again by itself, asking for what it missed since the last offset it saw. */
  subscribe(event, channel, handler, { data } = {}) {
    const k = key(event, channel);
    const known = this._subscriptions.get(k);
    if (known) {
      known.handlers.add(handler);
      return known.ready;
    }
    if (this._closedByUs) {
      return Promise.reject(new WtfError(Code.DISCONNECTED, "the client was closed"));
    }
    const sub = { event, channel, data, handlers: new Set([handler]), offset: null, epoch: null };
    sub.confirmed = false;
    sub.asking = false;
    sub.ready = new Promise((resolve, reject) => {
      sub.accept = resolve;
      sub.refuse = reject;
    });
    this._subscriptions.set(k, sub);
    if (this.state === "open") this._ask(sub);
    return sub.ready;
  }

  // $subscribe for `sub`, now: the first time, or again after a reconnect with where it was.
  _ask(sub) {
    const params = { event: sub.event, channel: sub.channel };
    if (sub.data !== undefined) params.data = sub.data;
    if (sub.offset != null) {
      params.since = sub.offset;
      params.epoch = sub.epoch;
    }
    sub.asking = true;
    this.call("$subscribe", params).then(
      (result) => {
        sub.asking = false;
        if (result && typeof result.offset === "number") {
          const sameEpoch = sub.epoch === result.epoch;
          if (!sameEpoch || sub.offset == null || result.offset > sub.offset) {
            sub.offset = result.offset;
            sub.epoch = result.epoch;
          }
        }
        if (!sub.confirmed) {
          sub.confirmed = true;
          sub.accept(result);
        } else {
          const recovered = result?.recovered ?? null;
          this._emit("resubscribe", { event: sub.event, channel: sub.channel, recovered });
        }
      },
      (error) => {
        sub.asking = false;
        if (error.code === Code.DISCONNECTED && !this._closedByUs) return; // asked again on open
        if (this._subscriptions.get(key(sub.event, sub.channel)) === sub) {
          this._subscriptions.delete(key(sub.event, sub.channel));
        }
        if (!sub.confirmed) sub.refuse(error);
        else this._emit("error", error);
      },
    );
  }

  /** Stop receiving `event` on `channel` (only `handler`'s copy, when given and others
   * remain). */
  unsubscribe(event, channel, handler = undefined) {
    const k = key(event, channel);
    const sub = this._subscriptions.get(k);
    if (!sub) return Promise.resolve(false);
    if (handler) {
      sub.handlers.delete(handler);
      if (sub.handlers.size) return Promise.resolve(true);
    }
    this._subscriptions.delete(k);
    if (this.state !== "open") return Promise.resolve(true);
    return this.call("$unsubscribe", { event, channel });
  }

  /** Receive `event` whatever its channel, without subscribing: events sent to this session
   * (a method's `call.emit`, `send_user`, `broadcast`) have no channel. */
  listen(event, handler) {
    return this.on("event:" + event, handler);
  }

  // --- the client's own events ------------------------------------------------------

  /** `fn` is called on "open" ({reconnected}), "close" ({code, reason, reconnecting}),
   * "reconnect" ({attempts}), "resubscribe" ({event, channel, recovered}), "settings"
   * (the session's settings) and "error" (an Error). Returns a function that removes it. */
  on(name, fn) {
    let set = this._listeners.get(name);
    if (!set) this._listeners.set(name, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  _emit(name, value) {
    const listeners = this._listeners.get(name);
    if (listeners) for (const fn of listeners) this._safely(fn, [value], name !== "error");
  }
}

/** Connect to a Hub: `connect("/rt")` from a page, `connect("wss://example.com/rt", {token})`.
 * Reconnects by itself (see the options in wtf-realtime.d.ts). */
export function connect(url, options = {}) {
  return new HubClient(url, options);
}
