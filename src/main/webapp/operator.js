// The operator page, /operator.html, for the admin group: the calls open (each can be ended),
// the desktop streams with their level, the server's totals, and the od.config in force.
// It asks the admin API once a second while the page is visible, one round of requests at a
// time, and updates the tables in place, so that a keyboard's focus on an End button stays put.
//
// Sign-in as on the page at /: #jwt_token=<an admin-group token>, or on this machine the
// demo sign-in (asking for the admin group).
import { demoTokens, pageInfo, takeFragmentToken } from './signin.js';

const POLL_MS = 1000;
/** What a figure the server did not give shows (absent or null). */
const NONE = '\u2013';
/** The level meter's range, dBFS. */
const LEVEL_FLOOR_DB = -100;

const notice = document.getElementById('notice');
const callsBody = document.querySelector('#calls tbody');
const streamsBody = document.querySelector('#streams tbody');
const numbers = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** A refusal or failure answered by the admin API, with its HTTP status. */
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let token = takeFragmentToken();
if (!token) {
  const info = await pageInfo();
  if (info.demoSignIn) {
    const user = new URLSearchParams(location.search).get('uid') || 'operator';
    token = demoTokens(user, { admin: true });
    document.getElementById('demo').hidden = false;
    document.getElementById('demo-user').textContent = user;
  }
}

/** Says how the page stands, in the live region; the same words are not announced twice. */
function say(state, text) {
  notice.dataset.state = state;
  if (notice.textContent !== text) {
    notice.textContent = text;
  }
}

async function api(method, path) {
  const bearer = typeof token === 'function' ? await token() : token;
  const response = await fetch(path, { method, headers: { Authorization: `Bearer ${bearer}` }, cache: 'no-store' });
  if (response.status === 204) {
    return null;
  }
  let reply = null;
  try {
    reply = await response.json();
  } catch (e) {
    // not JSON: the status line says enough
  }
  if (!response.ok) {
    throw new ApiError(response.status, reply?.message ?? `${response.status} ${response.statusText}`);
  }
  return reply;
}

// Formatting: every figure may be absent or null, and then shows NONE.

function known(value) {
  return value !== undefined && value !== null && !(typeof value === 'number' && !Number.isFinite(value));
}

function figure(value, unit = '') {
  return known(value) ? `${numbers.format(value)}${unit}` : NONE;
}

function bytes(value) {
  if (!known(value)) {
    return NONE;
  }
  const units = ['B', 'kB', 'MB', 'GB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  return `${numbers.format(scaled)} ${units[unit]}`;
}

function both(first, second) {
  const parts = [first, second].filter((part) => part !== NONE);
  return parts.length ? parts.join(', ') : NONE;
}

/** An ISO-8601 instant (Java's, up to nanoseconds) as a Date. */
function instant(iso) {
  return known(iso) ? new Date(String(iso).replace(/(\.\d{3})\d+/, '$1')) : null;
}

function age(date) {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ${seconds % 60} s`;
  }
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A cell showing when something began: the time, and how long ago, in a <time> element. */
function showSince(cell, iso) {
  const date = instant(iso);
  if (!date || Number.isNaN(date.getTime())) {
    setText(cell, NONE);
    return;
  }
  let time = cell.querySelector('time');
  if (!time) {
    cell.textContent = '';
    time = cell.appendChild(document.createElement('time'));
  }
  time.dateTime = date.toISOString();
  setText(time, `${date.toLocaleTimeString('en-GB')} (${age(date)} ago)`);
}

function setText(element, text) {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}

/**
 * Keeps a table body's rows in the order of `items`, one row per key: rows are made once
 * and then only updated (never rebuilt), and rows whose item is gone are removed.
 */
function syncRows(body, rows, items, keyOf, makeRow, update) {
  const seen = new Set();
  items.forEach((item, index) => {
    const key = keyOf(item);
    seen.add(key);
    let row = rows.get(key);
    if (!row) {
      row = makeRow(key);
      rows.set(key, row);
    }
    if (body.children[index] !== row) {
      body.insertBefore(row, body.children[index] ?? null);
    }
    update(row, item);
  });
  for (const [key, row] of rows) {
    if (!seen.has(key)) {
      if (row.contains(document.activeElement)) {
        // a focused button goes with its row: keep the keyboard in the table's section
        body.closest('section').querySelector('h2').focus();
      }
      row.remove();
      rows.delete(key);
    }
  }
}

function makeRow(fields, rowHeader) {
  const row = document.createElement('tr');
  for (const field of fields) {
    const cell = document.createElement(field === rowHeader ? 'th' : 'td');
    if (field === rowHeader) {
      cell.scope = 'row';
    }
    cell.dataset.field = field;
    row.append(cell);
  }
  return row;
}

function cell(row, field) {
  return row.querySelector(`[data-field="${field}"]`);
}

// Calls.

const CALL_FIELDS = ['id', 'caller', 'state', 'since', 'desktop', 'microphone', 'path', 'ice', 'roundTrip',
  'lost', 'jitter', 'bitrate', 'sent'];
const callRows = new Map();

function makeCallRow(id) {
  const row = makeRow(CALL_FIELDS, 'id');
  row.dataset.call = id;
  const end = document.createElement('button');
  end.type = 'button';
  end.className = 'end';
  end.textContent = 'End';
  end.addEventListener('click', () => endCall(id, end));
  const action = document.createElement('td');
  action.append(end);
  row.append(action);
  return row;
}

function updateCallRow(row, call) {
  const network = call.network ?? {};
  const texts = {
    id: call.id,
    caller: call.caller ?? NONE,
    state: call.state ?? NONE,
    desktop: call.desktop ?? NONE,
    microphone: known(call.microphone) ? (call.microphone ? 'on' : 'off') : NONE,
    path: network.path ?? NONE,
    ice: network.iceState ?? NONE,
    roundTrip: figure(network.roundTripMs, ' ms'),
    lost: both(known(network.fractionLost) ? `${numbers.format(network.fractionLost * 100)} %` : NONE,
      figure(network.packetsLost, ' packets')),
    jitter: figure(network.jitterMs, ' ms'),
    bitrate: figure(network.bitrateKbps, ' kbit/s'),
    sent: both(bytes(network.bytesSent), figure(network.packetsSent, ' packets')),
  };
  for (const [field, text] of Object.entries(texts)) {
    setText(cell(row, field), text);
  }
  showSince(cell(row, 'since'), call.openedAt);
  row.querySelector('button.end').setAttribute('aria-label',
    `End call ${call.id}${call.caller ? ` of ${call.caller}` : ''}`);
}

function showCalls(calls) {
  syncRows(callsBody, callRows, calls, (call) => call.id, makeCallRow, updateCallRow);
  document.getElementById('no-calls').hidden = calls.length > 0;
}

async function endCall(id, button) {
  button.disabled = true;
  try {
    await api('DELETE', `/API/admin/calls/${encodeURIComponent(id)}`);
    say('done', `ended call ${id}`);
  } catch (e) {
    if (e.status === 404) {
      say('done', `call ${id} had already ended`);
    } else {
      say('error', `could not end call ${id}: ${e.message}`);
      button.disabled = false;
    }
  }
  pollSoon(0);
}

// Desktop streams and totals.

const STREAM_FIELDS = ['server', 'speakerSink', 'listeners', 'lingering', 'since', 'level'];
const streamRows = new Map();

function makeStreamRow() {
  const row = makeRow(STREAM_FIELDS, 'server');
  const meter = document.createElement('meter');
  meter.min = LEVEL_FLOOR_DB;
  meter.max = 0;
  meter.low = -60;
  meter.high = -3;
  meter.optimum = -20;
  const reading = document.createElement('span');
  reading.className = 'reading';
  cell(row, 'level').append(meter, reading);
  return row;
}

function updateStreamRow(row, stream) {
  setText(cell(row, 'server'), stream.server ?? NONE);
  setText(cell(row, 'speakerSink'), stream.speakerSink ?? NONE);
  setText(cell(row, 'listeners'), figure(stream.listeners));
  setText(cell(row, 'lingering'), known(stream.lingering) ? (stream.lingering ? 'yes' : 'no') : NONE);
  showSince(cell(row, 'since'), stream.startedAt);
  const meter = row.querySelector('meter');
  const level = known(stream.levelDb) ? Math.min(0, Math.max(LEVEL_FLOOR_DB, stream.levelDb)) : null;
  meter.hidden = level === null;
  if (level !== null) {
    meter.value = level;
    meter.setAttribute('aria-label', `level of ${stream.server}`);
    meter.setAttribute('aria-valuetext', `${numbers.format(level)} dBFS`);
  }
  setText(row.querySelector('.reading'), level === null ? NONE : `${numbers.format(level)} dBFS`);
}

function showStatus(status) {
  const streams = status.desktopStreams ?? [];
  syncRows(streamsBody, streamRows, streams, (stream) => `${stream.server} ${stream.speakerSink}`,
    makeStreamRow, updateStreamRow);
  document.getElementById('no-streams').hidden = streams.length > 0;
  const totals = document.getElementById('totals');
  // -1: the server could not read /proc
  const count = (value) => (known(value) && value >= 0 ? figure(value) : NONE);
  setText(cell(totals, 'sessions'), count(status.sessions));
  setText(cell(totals, 'listeners'), count(status.listeners));
  setText(cell(totals, 'threads'), count(status.nativeThreads));
  setText(cell(totals, 'sockets'), count(status.openSockets));
}

// The od.config in force.

function dateTime(iso) {
  const date = instant(iso);
  return date && !Number.isNaN(date.getTime()) ? date.toLocaleString('en-GB') : NONE;
}

function showConfig(config) {
  const shown = document.getElementById('config');
  setText(cell(shown, 'source'), config.source ?? NONE);
  setText(cell(shown, 'sha256'), config.sha256 ?? NONE);
  setText(cell(shown, 'loadedAt'), dateTime(config.loadedAt));
  const refusal = config.lastRefusal;
  setText(cell(shown, 'refusal'), refusal ? `${refusal.message} (${dateTime(refusal.at)})` : 'none');
}

// Polling: one round (the three requests side by side) at a time, the next a second after
// the last one ended; none while the page is hidden, and none after a refusal.

let timer = null;
let polling = false;
let stopped = false;

function pollSoon(delay) {
  clearTimeout(timer);
  timer = null;
  if (!stopped && !document.hidden) {
    timer = setTimeout(poll, delay);
  }
}

async function poll() {
  timer = null;
  if (polling || stopped || document.hidden) {
    return; // the round under way schedules the next
  }
  polling = true;
  try {
    const [calls, status, config] = await Promise.all([api('GET', '/API/admin/calls'),
      api('GET', '/API/admin/status'), api('GET', '/API/admin/config')]);
    showCalls(calls);
    showStatus(status);
    showConfig(config);
    if (notice.dataset.state !== 'done') { // an action's result stays until something else happens
      say('live', 'up to date (refreshed every second)');
    }
  } catch (e) {
    if (e.status === 401) {
      stopped = true;
      say('error', `token refused: ${e.message}. Open this page with an operator's token (/operator.html#jwt_token=...)`);
    } else if (e.status === 403) {
      stopped = true;
      say('error', `not an operator: ${e.message}`);
    } else {
      say('error', `cannot reach rtcsound's admin API (${e.message}); trying again`);
    }
  } finally {
    polling = false;
    if (!stopped && timer === null) {
      pollSoon(POLL_MS);
    }
  }
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    clearTimeout(timer);
    timer = null;
  } else if (!polling) {
    pollSoon(0);
  }
});

if (token) {
  poll();
} else {
  say('error', "sign-in required: open this page with an operator's token (/operator.html#jwt_token=...)");
}
