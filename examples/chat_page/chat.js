// The chat page: wtf's JavaScript client (served by hub.client_route) and plain DOM code.
import { connect, Code } from "/wtf-realtime.js";

const $ = (id) => document.getElementById(id);
const rooms = new Map(); // name -> {messages: [message], unread, element}
let current = null;
let me = null;
let client = null;

function setStatus(state, text) {
  $("status").className = `status ${state}`;
  $("status").textContent = text;
}

function showError(text) {
  $("error").textContent = text;
  $("error").hidden = !text;
}

function start() {
  client = connect("/rt"); // the login cookie goes with the upgrade request
  client.on("open", ({ reconnected }) => setStatus("open", reconnected ? "back online" : "online"));
  client.on("close", ({ reconnecting }) =>
    setStatus(reconnecting ? "connecting" : "closed", reconnecting ? "reconnecting…" : "offline"),
  );
  client.on("resubscribe", ({ event, channel, recovered }) => {
    if (event === "presence") refreshPeople(channel); // back in the room: everyone is told
    if (event === "message" && recovered === false) {
      notice(channel, "some older messages could not be recovered");
    }
  });
  client.listen("notice", (n) => notice(current, `${n.from} to you: ${n.text}`));
  for (const name of rooms.keys()) subscribeRoom(name).catch(() => {});
}

function restart() {
  client?.close();
  start();
}

// --- rooms ------------------------------------------------------------------------------

async function subscribeRoom(name, password) {
  const data = password ? { password } : undefined;
  await client.subscribe("message", name, (m, meta) => received(name, m, meta), { data });
  await client.subscribe("presence", name, (p) => people(p.room, p.users), { data });
  await refreshPeople(name);
}

async function join(name, password) {
  showError("");
  if (rooms.has(name)) return show(name);
  const room = { messages: [], unread: 0, element: document.createElement("li") };
  room.element.dataset.room = name;
  room.element.onclick = () => show(name);
  rooms.set(name, room);
  try {
    await subscribeRoom(name, password);
  } catch (error) {
    rooms.delete(name);
    client.unsubscribe("message", name).catch(() => {});
    showError(`cannot join #${name}: ${error.message}`);
    return;
  }
  $("rooms").append(room.element);
  show(name);
}

async function refreshPeople(name) {
  try {
    people(name, await client.call("chat.here", { room: name }));
  } catch (error) {
    if (error.code !== Code.DISCONNECTED) showError(error.message);
  }
}

function show(name) {
  current = name;
  const room = rooms.get(name);
  room.unread = 0;
  $("title").textContent = `#${name}`;
  $("messages").replaceChildren(...room.messages.map(render));
  $("messages").scrollTop = $("messages").scrollHeight;
  renderRooms();
  room.people && people(name, room.people);
}

function renderRooms() {
  for (const [name, room] of rooms) {
    room.element.className = name === current ? "current" : "";
    const badge = room.unread ? `<span class="unread">${room.unread}</span>` : "";
    room.element.innerHTML = `<span>#${escape(name)}</span>${badge}`;
  }
}

function people(name, users) {
  const room = rooms.get(name);
  if (!room) return;
  room.people = users;
  if (name !== current) return;
  $("people").replaceChildren(
    ...users.map((user) => Object.assign(document.createElement("li"), { textContent: user })),
  );
}

// --- messages ---------------------------------------------------------------------------

function received(name, message, meta) {
  const room = rooms.get(name);
  if (!room) return;
  const entry = { ...message, offset: meta.offset };
  room.messages.push(entry);
  if (room.messages.length > 500) room.messages.shift();
  if (name === current) {
    const list = $("messages");
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
    list.append(render(entry));
    if (atBottom) list.scrollTop = list.scrollHeight;
  } else {
    room.unread += 1;
    renderRooms();
  }
}

function notice(name, text) {
  const room = rooms.get(name);
  if (!room) return;
  room.messages.push({ notice: text });
  if (name === current) $("messages").append(render({ notice: text }));
}

function render(message) {
  const li = document.createElement("li");
  if (message.notice) {
    li.className = "notice";
    li.textContent = message.notice;
    return li;
  }
  li.className = message.from === me ? "mine" : "";
  if (message.offset != null) li.dataset.offset = message.offset;
  const time = new Date(message.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  for (const [cls, text] of [["from", message.from], ["text", message.text], ["at", time]]) {
    li.append(Object.assign(document.createElement("span"), { className: cls, textContent: text }));
  }
  return li;
}

function escape(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// --- logging in and posting -------------------------------------------------------------

function loggedIn(name) {
  me = name;
  $("login").hidden = true;
  $("me").hidden = false;
  $("me").textContent = name;
  $("text").disabled = $("send").disabled = false;
  $("text").placeholder = "say something";
  $("text").focus();
}

$("login").onsubmit = async (e) => {
  e.preventDefault();
  showError("");
  const answer = await fetch("/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: $("name").value, password: $("password").value }),
  });
  const body = await answer.json();
  if (!answer.ok) return showError(body.detail ?? "cannot log in");
  loggedIn(body.name);
  restart(); // the new cookie binds the next connection to the user
};

$("join").onsubmit = (e) => {
  e.preventDefault();
  join($("room").value.trim(), $("room-password").value);
  $("room").value = $("room-password").value = "";
};

$("say").onsubmit = async (e) => {
  e.preventDefault();
  const text = $("text").value;
  if (!text.trim() || !current) return;
  showError("");
  try {
    const { sent } = await client.call("chat.send", { room: current, text });
    if (sent) $("text").value = "";
  } catch (error) {
    showError(error.message);
  }
};

const who = await fetch("/me");
if (who.ok) loggedIn((await who.json()).name);
start();
join("lobby");
