// Unit tests of wtf-realtime.js with Node's own runner (node --test), against a fake WebSocket
// and mocked timers: backoff, reconnect and recovery, rejections, timeouts, tokens.
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import {
  backoffDelay,
  shouldReconnect,
  connect,
  Code,
  WtfError,
} from "../../../wtf/realtime/static/wtf-realtime.js";

class FakeSocket {
  static made = [];
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.sent = [];
    this.closed = null;
    FakeSocket.made.push(this);
  }
  send(frame) {
    this.sent.push(typeof frame === "string" ? JSON.parse(frame) : frame);
  }
  close(code = 1000, reason = "") {
    this.closed = [code, reason];
  }
  // The server's side.
  open() {
    this.onopen?.({});
  }
  receive(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006, reason = "") {
    this.onclose?.({ code, reason });
  }
  last() {
    return this.sent[this.sent.length - 1];
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function fresh(options = {}) {
  FakeSocket.made = [];
  const client = connect("ws://127.0.0.1:1/rt", { WebSocket: FakeSocket, ...options });
  return { client, socket: () => FakeSocket.made[FakeSocket.made.length - 1] };
}

test("backoff grows exponentially from initial, is capped at max, and is jittered", () => {
  const limits = { initial: 100, max: 3000 };
  const low = [0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, limits, () => 0));
  const high = [0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, limits, () => 0.999999));
  assert.deepEqual(low, [50, 100, 200, 400, 800, 1500, 1500]);
  assert.deepEqual(high.map(Math.round), [100, 200, 400, 800, 1600, 3000, 3000]);
  assert.equal(backoffDelay(1000, limits, () => 0.5), 2250); // huge attempts stay capped
  assert.equal(backoffDelay(0, undefined, () => 0), 250); // defaults: 500 ms, halved at least
});

test("which closes are followed by a reconnect", () => {
  for (const [code, reason] of [[1000, ""], [1001, "going away"], [1006, ""], [1011, "server error"], [1012, ""], [1008, "slow consumer"]]) {
    assert.equal(shouldReconnect(code, reason), true, `${code} ${reason}`);
  }
  for (const [code, reason] of [[1008, "kicked"], [1008, "log in first"], [1002, ""], [1003, ""], [1007, ""], [1009, ""]]) {
    assert.equal(shouldReconnect(code, reason), false, `${code} ${reason}`);
  }
});

test("calls made before the socket opens go out once it does, in order", async () => {
  const { client, socket } = fresh();
  const first = client.call("a", { x: 1 });
  client.notify("b");
  assert.deepEqual(socket().sent, []);
  socket().open();
  assert.deepEqual(socket().sent, [{ m: "a", p: { x: 1 }, i: 1 }, { m: "b" }]);
  socket().receive({ i: 1, r: { ok: true } });
  assert.deepEqual(await first, { ok: true });
  assert.deepEqual(socket().protocols, ["wtf.json"]);
});

test("an error reply rejects with the wire's code, message and data", async () => {
  const { client, socket } = fresh();
  socket().open();
  const call = client.call("chat.send", { room: "a" });
  socket().receive({ i: 1, e: { c: -1003, m: "the params do not bind", d: { errors: [] } } });
  await assert.rejects(call, (error) => {
    assert.ok(error instanceof WtfError);
    assert.deepEqual([error.code, error.message, error.data], [-1003, "the params do not bind", { errors: [] }]);
    return true;
  });
});

test("a call without a reply in time rejects with TIMEOUT; its late reply is ignored", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { client, socket } = fresh({ timeout: 1000 });
  socket().open();
  const slow = client.call("slow");
  const quick = client.call("quick", undefined, { timeout: 50 });
  t.mock.timers.tick(50);
  await assert.rejects(quick, { code: Code.TIMEOUT, message: "no reply to quick in 50 ms" });
  socket().receive({ i: 2, r: "late" });
  socket().receive({ i: 1, r: "in time" });
  assert.equal(await slow, "in time");
});

test("a drop rejects the calls in flight, reconnects with backoff, resubscribes since the last offset, and drops repeats", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { client, socket } = fresh({ backoff: { initial: 1000, max: 8000 } });
  const seen = [];
  const events = [];
  client.on("reconnect", (e) => events.push(["reconnect", e.attempts]));
  client.on("close", (e) => events.push(["close", e.code, e.reconnecting]));
  client.on("resubscribe", (e) => events.push(["resubscribe", e.recovered]));
  const first = socket();
  first.open();
  const joined = client.subscribe("message", "room", (data, meta) => seen.push([data, meta.offset]));
  assert.deepEqual(first.last(), { m: "$subscribe", p: { event: "message", channel: "room" }, i: 1 });
  first.receive({ i: 1, r: { offset: 4, epoch: "E" } });
  assert.deepEqual(await joined, { offset: 4, epoch: "E" });
  first.receive({ v: "message", c: "room", r: "five", o: 5, ep: "E" });
  first.receive({ v: "message", c: "other", r: "not mine", o: 1, ep: "E" });
  const inFlight = client.call("chat.send", { text: "x" });
  first.drop(1006);
  await assert.rejects(inFlight, { code: Code.DISCONNECTED });
  assert.equal(client.state, "connecting");
  assert.equal(FakeSocket.made.length, 1);
  t.mock.timers.tick(999); // the first delay is between 500 and 1000 ms
  const second = socket();
  assert.equal(FakeSocket.made.length, 2);
  second.open();
  assert.deepEqual(second.sent, [
    { m: "$subscribe", p: { event: "message", channel: "room", since: 5, epoch: "E" }, i: 3 },
  ]);
  // The server replays what was missed (five again is a repeat) before its answer.
  second.receive({ v: "message", c: "room", r: "five", o: 5, ep: "E" });
  second.receive({ v: "message", c: "room", r: "six", o: 6, ep: "E" });
  second.receive({ i: 3, r: { offset: 6, epoch: "E", recovered: true } });
  await flush();
  second.receive({ v: "message", c: "room", r: "seven", o: 7, ep: "E" });
  assert.deepEqual(seen, [["five", 5], ["six", 6], ["seven", 7]]);
  assert.deepEqual(events, [["close", 1006, true], ["reconnect", 1], ["resubscribe", true]]);
});

test("attempts back off further while the server stays away, and reset once connected", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { client, socket } = fresh({ backoff: { initial: 100, max: 400 } });
  socket().open();
  const counts = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    socket().drop(1006);
    const before = FakeSocket.made.length;
    t.mock.timers.tick(Math.min(400, 100 * 2 ** attempt) / 2 - 1); // below the least delay
    counts.push(FakeSocket.made.length - before);
    t.mock.timers.tick(Math.min(400, 100 * 2 ** attempt) / 2 + 1); // past the greatest
    counts.push(FakeSocket.made.length - before);
  }
  assert.deepEqual(counts, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  const reconnects = [];
  client.on("reconnect", (e) => reconnects.push(e.attempts));
  socket().open();
  assert.deepEqual(reconnects, [5]);
  socket().drop(1006);
  const before = FakeSocket.made.length;
  t.mock.timers.tick(100);
  assert.equal(FakeSocket.made.length - before, 1); // back to the first delay
});

test("a kick is final: no reconnect, everything pending rejected", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { client, socket } = fresh();
  socket().open();
  const pending = client.call("x");
  const closes = [];
  client.on("close", (e) => closes.push([e.code, e.reason, e.reconnecting]));
  socket().drop(1008, "kicked");
  await assert.rejects(pending, { code: Code.DISCONNECTED });
  t.mock.timers.tick(60_000);
  assert.equal(FakeSocket.made.length, 1);
  assert.equal(client.state, "closed");
  assert.deepEqual(closes, [[1008, "kicked", false]]);
  await assert.rejects(client.call("y"), { code: Code.DISCONNECTED });
});

test("close() rejects pending calls and unconfirmed subscriptions, and never reconnects", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { client, socket } = fresh();
  const queued = client.call("x");
  const subscribing = client.subscribe("e", "c", () => {});
  client.close();
  await assert.rejects(queued, { code: Code.DISCONNECTED });
  await assert.rejects(subscribing, { code: Code.DISCONNECTED });
  t.mock.timers.tick(60_000);
  assert.equal(FakeSocket.made.length, 1);
  assert.deepEqual(socket().closed, [1000, ""]);
});

test("a refused subscription rejects and is not asked again after a reconnect", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { client, socket } = fresh();
  socket().open();
  const refused = client.subscribe("message", "staff-x", () => {}, { data: { password: "no" } });
  assert.deepEqual(socket().last().p, { event: "message", channel: "staff-x", data: { password: "no" } });
  socket().receive({ i: 1, e: { c: -1006, m: "not allowed", d: null } });
  await assert.rejects(refused, { code: Code.NO_PERMISSION, message: "not allowed" });
  socket().drop(1006);
  t.mock.timers.tick(1000);
  socket().open();
  assert.deepEqual(socket().sent, []);
});

test("a subscription asked while offline goes out once, when the socket opens", async () => {
  const { client, socket } = fresh();
  const joined = client.subscribe("presence", "lobby", () => {});
  socket().open();
  assert.equal(socket().sent.length, 1);
  socket().receive({ i: 1, r: true });
  assert.equal(await joined, true);
});

test("events without a channel reach listen(); $settings updates settings; a throwing handler hurts no other", async () => {
  const { client, socket } = fresh();
  socket().open();
  const got = [];
  const errors = [];
  client.on("error", (e) => errors.push(e.message));
  client.listen("notice", () => {
    throw new Error("a bug in a handler");
  });
  client.listen("notice", (data, meta) => got.push([data, meta.channel]));
  client.on("settings", (s) => got.push(["settings", s]));
  socket().receive({ v: "notice", c: null, r: { text: "hi" } });
  socket().receive({ v: "$settings", c: null, r: { theme: "dark" } });
  assert.deepEqual(got, [[{ text: "hi" }, null], ["settings", { theme: "dark" }]]);
  assert.deepEqual(client.settings, { theme: "dark" });
  assert.deepEqual(errors, ["a bug in a handler"]);
});

test("a token is offered as a base64url subprotocol, asked again at each reconnect", async (t) => {
  let asked = 0;
  const { socket } = fresh({ token: async () => `tok+/${++asked}=é` });
  await flush();
  const encoded = Buffer.from("tok+/1=é").toString("base64url");
  assert.deepEqual(socket().protocols, ["wtf.json", `wtf.token.${encoded}`]);
  assert.match(socket().protocols[1], /^wtf\.token\.[A-Za-z0-9_-]+$/);
  t.mock.timers.enable({ apis: ["setTimeout"] });
  socket().open();
  socket().drop(1006);
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(socket().protocols[1], `wtf.token.${Buffer.from("tok+/2=é").toString("base64url")}`);
});

test("MessagePack: frames are encoded and decoded by the implementation given", async () => {
  const codec = {
    encode: (value) => new TextEncoder().encode("P" + JSON.stringify(value)),
    decode: (bytes) => JSON.parse(new TextDecoder().decode(bytes).slice(1)),
  };
  const { client, socket } = fresh({ msgpack: codec });
  socket().open();
  assert.deepEqual(socket().protocols, ["wtf.msgpack"]);
  const call = client.call("m", { a: 1 });
  assert.equal(new TextDecoder().decode(socket().sent[0]), 'P{"m":"m","i":1,"p":{"a":1}}');
  socket().onmessage({ data: codec.encode({ i: 1, r: 42 }).buffer });
  assert.equal(await call, 42);
});
