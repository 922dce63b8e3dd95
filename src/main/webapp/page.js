// The page at /: shows whether sound is available and offers the one button a blocked
// autoplay needs; meters the desktop's sound and the microphone, and shows the path the
// sound takes (direct, through a TURN relay, or over the WebSocket) with its round-trip time.
//
// The token comes in the fragment, /#jwt_token=<JWT>, which browsers never send to a
// server (so it sits in no access log); the uid is the token's user, else ?uid=. Without a
// token, a server that offers the local demo sign-in (the embedded default, on localhost
// only) signs this browser in as ?uid= or 'demo', and the page says so.
import { RtcSound } from './rtcsound.js';
import { claims, demoTokens, pageInfo, takeFragmentToken } from './signin.js';
import { LevelMeters } from './level-meter.js';

const status = document.getElementById('status');
const enableButton = document.getElementById('enable-sound');
const params = new URLSearchParams(location.search);
const givenToken = takeFragmentToken();

const uid = (givenToken && claims(givenToken).sub) || params.get('uid')
  || (givenToken ? `browser-${Math.random().toString(36).slice(2, 10)}` : 'demo');

// A page given its token calls at once; only the demo sign-in has to wait for the page's info.
const infoReady = pageInfo();
const info = givenToken ? {} : await infoReady;
let token = givenToken;
if (!token && info.demoSignIn) {
  token = demoTokens(uid);
  const banner = document.getElementById('demo');
  banner.hidden = false;
  document.getElementById('demo-user').textContent = uid;
}

// ?transport=websocket puts the sound on the WebSocket path from the start (else: when ICE does not connect).
const transport = params.get('transport') === 'websocket' ? 'websocket' : 'auto';
const sound = new RtcSound({ audio: document.getElementById('speaker'), uid, token, transport });
window.rtcsound = sound; // for the console, and for tests that listen to what the page hears

const meters = new LevelMeters();
const desktopLevel = document.getElementById('desktop-level');
const microphoneLevel = document.getElementById('microphone-level');

sound.addEventListener('status', ({ detail }) => {
  meters.show(desktopLevel, sound.stream); // each call brings its own stream
  showConnection();
  status.textContent = detail.message;
  status.dataset.state = detail.state;
  enableButton.hidden = detail.state !== 'blocked';
  if (detail.state === 'insecure') {
    showSecureLink();
  }
});

enableButton.addEventListener('click', () => sound.enableSound().catch((e) => console.log(e)));

// The microphone is the user's choice, never a prompt that holds the sound back.
const microphoneButton = document.getElementById('microphone');
const muteButton = document.getElementById('mute');
const microphoneStatus = document.getElementById('microphone-status');

let microphoneStream = null;

sound.addEventListener('microphone', ({ detail }) => {
  // Metered as the browser captures it; muted (a disabled track), the meter falls silent.
  if (microphoneStream?.getAudioTracks()[0] !== sound.microphone) {
    microphoneStream = sound.microphone ? new MediaStream([sound.microphone]) : null;
  }
  meters.show(microphoneLevel, microphoneStream);
  microphoneStatus.textContent = detail.message;
  microphoneStatus.dataset.state = detail.state;
  const active = detail.state === 'on' || detail.state === 'muted';
  microphoneButton.textContent = active ? 'Turn off the microphone' : 'Turn on the microphone';
  muteButton.hidden = !active;
  muteButton.textContent = detail.state === 'muted' ? 'Unmute' : 'Mute';
});

microphoneButton.addEventListener('click', () => {
  if (sound.microphone) {
    sound.disableMicrophone();
  } else {
    sound.enableMicrophone();
  }
});

muteButton.addEventListener('click', () => sound.setMicrophoneMuted(sound.microphoneState !== 'muted'));

// The path and its round-trip time, once a second while the page is visible.
const CONNECTION_INTERVAL_MS = 1000;
const pathText = document.getElementById('path');
const roundTripText = document.getElementById('round-trip');
// Made at the first round trip shown, not as the page starts: a fresh page's first
// Intl.NumberFormat loads the locale's data, 33-84 ms on the main thread here, which sat
// before the call started.
let milliseconds = null;
let connectionTimer = 0;

async function showConnection() {
  let connection = null;
  if (sound.state === 'available') {
    try {
      connection = await sound.connection();
    } catch (e) {
      connection = null; // the call closed while its stats were read
    }
  }
  pathText.textContent = connection
    ? `${connection.path}${connection.protocol ? ` (${connection.protocol})` : ''}` : 'none yet';
  roundTripText.textContent = connection?.roundTripMs == null ? '–'
    // Chromium measures it in whole milliseconds: on one host it reads 0
    : connection.roundTripMs < 1 ? '< 1 ms' : `${formatMilliseconds(connection.roundTripMs)} ms`;
  clearTimeout(connectionTimer); // one timer, however many callers awaited stats at once
  if (!document.hidden) {
    connectionTimer = setTimeout(showConnection, CONNECTION_INTERVAL_MS);
  }
}

function formatMilliseconds(value) {
  milliseconds ??= new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
  return milliseconds.format(value);
}

document.addEventListener('visibilitychange', showConnection);

async function showSecureLink() {
  document.getElementById('insecure').hidden = false;
  const link = document.getElementById('secure-link');
  try {
    const { secureUrl } = await infoReady;
    if (!secureUrl) {
      throw new Error('no secure address');
    }
    link.href = secureUrl + location.search;
    link.textContent = secureUrl;
  } catch (e) {
    link.href = `https://${location.hostname}/`;
  }
}

if (token) {
  sound.start();
} else {
  status.textContent = 'sign-in required: open this page with its token (/#jwt_token=...)';
  status.dataset.state = 'error';
  if (location.protocol === 'http:') {
    showSecureLink();
  }
}
