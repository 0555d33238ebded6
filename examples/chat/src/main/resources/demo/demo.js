// The wsguard demo page. Plain script, no framework, no inline code (the page's CSP forbids it).
// Rule for every value that comes from the network (chat text, names, events): it is set with textContent, never
// parsed as markup, so a message like <img src=x onerror=...> shows as those characters and nothing runs.
'use strict';

const TENANTS = ['acme', 'globex'];
const CLOSE_MEANINGS = {
  1000: 'normal closure', 1001: 'going away', 1006: 'connection refused or lost', 1007: 'malformed message',
  1008: 'policy violation', 1009: 'message too big', 1011: 'server error', 4401: 'token expired, invalid or revoked',
  4403: 'origin not allowed', 4429: 'rate limited'
};
const MAX_LOG = 300;
const MAX_EVENTS = 150;
const FLOOD = 60;

const state = { ws: null, user: null, claims: null, refreshTimer: null, refreshes: 0, pending: null, lastEvent: 0 };

const $ = (id) => document.getElementById(id);

/** Adds a line to the answers log; identical consecutive lines are counted rather than repeated. */
function log(kind, text) {
  const list = $('log');
  const last = list.lastElementChild;
  if (last && last.dataset.text === text) {
    const count = Number(last.dataset.count) + 1;
    last.dataset.count = String(count);
    last.textContent = text + '  \u00d7' + count;
  } else {
    const li = document.createElement('li');
    li.className = kind;
    li.dataset.text = text;
    li.dataset.count = '1';
    li.textContent = text;
    list.append(li);
    while (list.childElementCount > MAX_LOG) {
      list.firstElementChild.remove();
    }
  }
  list.scrollTop = list.scrollHeight;
}

/** The token's claims, for display and for timing the refresh; the server verifies the token, not this page. */
function claimsOf(token) {
  const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

async function fetchToken(user) {
  const response = await fetch('dev/token?user=' + encodeURIComponent(user), { cache: 'no-store' });
  if (!response.ok) {
    throw new Error('dev issuer answered ' + response.status);
  }
  return (await response.text()).trim();
}

function socketOpen() {
  return state.ws !== null && state.ws.readyState === WebSocket.OPEN;
}

function updateStatus() {
  const status = $('status');
  const open = socketOpen();
  status.dataset.state = open ? 'open' : 'closed';
  if (open) {
    const left = Math.max(0, Math.round(state.claims.exp - Date.now() / 1000));
    const groups = (state.claims.groups || []).join(', ');
    status.textContent = 'Connected as ' + state.claims.sub + ' (tenant ' + state.claims.tenant + ', roles ' + groups
        + '). Token expires in ' + left + ' s; refreshed ' + state.refreshes + '\u00d7.';
  } else {
    status.textContent = 'Not connected.';
  }
  for (const button of document.querySelectorAll('.needs-socket')) {
    button.disabled = !open;
  }
  $('disconnect').disabled = !open;
}

function send(message, shown) {
  if (!socketOpen()) {
    log('refused', 'not connected');
    return;
  }
  const text = typeof message === 'string' ? message : JSON.stringify(message);
  log('out', '\u2192 ' + (shown || text));
  state.ws.send(text);
}

async function connect() {
  disconnect();
  const user = $('user').value;
  let token;
  try {
    token = await fetchToken(user);
  } catch (e) {
    log('refused', 'no token: ' + e.message);
    return;
  }
  state.user = user;
  state.claims = claimsOf(token);
  state.refreshes = 0;
  // Relative to the page, so that the page works under a WAR's context path as at a server's root.
  const socketUrl = new URL('chat', location.href);
  socketUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = socketUrl.href;
  log('out', '\u2192 open ' + url + ' as ' + user + ' (token in Sec-WebSocket-Protocol)');
  const ws = new WebSocket(url, ['bearer', token]);
  state.ws = ws;
  ws.onopen = () => {
    log('info', 'open (server chose subprotocol "' + ws.protocol + '")');
    $('channel').value = 'tenant:' + state.claims.tenant + ':general';
    scheduleRefresh();
    updateStatus();
  };
  ws.onmessage = (event) => received(String(event.data));
  ws.onerror = () => log('refused', 'socket error');
  ws.onclose = (event) => {
    const meaning = CLOSE_MEANINGS[event.code] || '';
    log('close', 'closed ' + event.code + (meaning ? ' (' + meaning + ')' : '') + (event.reason ? ': ' + event.reason : ''));
    if (state.ws === ws) {
      state.ws = null;
      clearTimeout(state.refreshTimer);
    }
    updateStatus();
  };
}

function disconnect() {
  clearTimeout(state.refreshTimer);
  if (state.ws !== null) {
    state.ws.close(1000);
  }
}

/** Refresh when two thirds of the remaining lifetime have passed, well before the server's 4401 at exp. */
function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  const remaining = state.claims.exp * 1000 - Date.now();
  state.refreshTimer = setTimeout(refresh, Math.max(500, remaining * 2 / 3));
}

async function refresh() {
  if (!socketOpen()) {
    return;
  }
  try {
    const token = await fetchToken(state.user);
    state.pending = claimsOf(token);
    send({ type: 'auth', token: token }, '{"type":"auth","token":"\u2026fresh token\u2026"}');
  } catch (e) {
    log('refused', 'token refresh failed: ' + e.message);
  }
}

function received(data) {
  let message = null;
  try {
    message = JSON.parse(data);
  } catch (e) {
    // Shown as it came; the server only sends JSON, so this is worth seeing.
  }
  log(message !== null && message.type === 'error' ? 'refused' : 'in', '\u2190 ' + data);
  if (message === null) {
    return;
  }
  if (message.type === 'message') {
    showMessage(message);
  } else if (message.type === 'auth' && message.status === 'ok' && state.pending !== null) {
    state.claims = state.pending;
    state.pending = null;
    state.refreshes++;
    scheduleRefresh();
    updateStatus();
  }
}

function showMessage(message) {
  const li = document.createElement('li');
  const channel = document.createElement('span');
  channel.className = 'channel';
  channel.textContent = String(message.channel);
  const from = document.createElement('span');
  from.className = 'from';
  from.textContent = String(message.from);
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = String(message.text);
  li.append(channel, from, text);
  const list = $('messages');
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

async function pollEvents() {
  try {
    const response = await fetch('dev/events?after=' + state.lastEvent, { cache: 'no-store' });
    if (!response.ok) {
      return;
    }
    const events = await response.json();
    const body = $('events');
    for (const event of events) {
      state.lastEvent = Math.max(state.lastEvent, event.seq);
      const row = document.createElement('tr');
      row.dataset.seq = String(event.seq);
      row.className = event.reason ? 'refused' : (event.kind === 'HANDSHAKE_ACCEPTED' ? 'accepted' : '');
      const time = String(event.time).replace(/^.*T/, '').replace(/\.\d+Z$/, 'Z');
      for (const value of [time, event.kind, event.reason, event.subject, event.type, event.origin]) {
        const cell = document.createElement('td');
        cell.textContent = value === null || value === undefined ? '' : String(value);
        cell.title = cell.textContent;
        row.append(cell);
      }
      body.prepend(row);
    }
    while (body.childElementCount > MAX_EVENTS) {
      body.lastElementChild.remove();
    }
  } catch (e) {
    // The server may be restarting; the next poll tries again.
  }
}

/** Whom the kick button targets: for carol (admin of acme) alice, since a kick reaches only the admin's own tenant. */
function kickTarget() {
  return state.user === 'alice' ? 'bob' : 'alice';
}

function siblingChannel() {
  const other = TENANTS.find((t) => t !== state.claims.tenant);
  return 'tenant:' + other + ':general';
}

/**
 * 60 pings in one burst: 50 pass the session's flood limit (50 per second), the next 10 are refused with
 * rate_limited, and the tenth refusal closes the session with 4429. Sending more would leave pings unread when the
 * server closes, and the TCP reset that causes can make the browser report 1006 instead of 4429.
 */
function flood() {
  for (let i = 0; i < FLOOD && socketOpen(); i++) {
    state.ws.send('{"type":"ping"}');
  }
  log('out', '\u2192 {"type":"ping"} \u00d7' + FLOOD + ' in one burst');
}

document.addEventListener('DOMContentLoaded', () => {
  $('connect').addEventListener('click', connect);
  $('disconnect').addEventListener('click', disconnect);
  $('subscribe').addEventListener('click', () => send({ type: 'subscribe', channel: $('channel').value }));
  $('publish').addEventListener('click', () => {
    send({ type: 'publish', channel: $('channel').value, text: $('text').value });
    $('text').value = '';
  });
  $('text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      $('publish').click();
    }
  });
  $('kick').addEventListener('click', () => send({ type: 'kick', user: kickTarget() }));
  $('sibling').addEventListener('click', () => send({ type: 'subscribe', channel: siblingChannel() }));
  $('flood').addEventListener('click', flood);
  $('oversized').addEventListener('click', () => send({ type: 'ping', pad: 'x'.repeat(70000) },
      '{"type":"ping","pad":"xxxx\u2026 (70,000 characters)"}'));
  $('malformed').addEventListener('click', () => send('{"type":"ping"'));
  setInterval(updateStatus, 1000);
  setInterval(pollEvents, 1000);
  pollEvents();
  updateStatus();
});
