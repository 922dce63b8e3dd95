// The page at /: shows whether sound is available and offers the one button a blocked
// autoplay needs.
//
// The token comes in the fragment, /#jwt_token=<JWT>, which browsers never send to a
// server (so it sits in no access log); the uid is the token's user, else ?uid=. Without a
// token, a server that offers the local demo sign-in (the embedded default, on localhost
// only) signs this browser in as ?uid= or 'demo', and the page says so.
import { RtcSound } from './rtcsound.js';

const status = document.getElementById('status');
const enableButton = document.getElementById('enable-sound');
const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const givenToken = fragment.get('jwt_token');
if (givenToken) {
  // keep the token out of the history and of copied links
  history.replaceState(null, '', location.pathname + location.search);
}

/** The token's claims, read without checking: the server checks; the page only wants `sub`. */
function claims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload));
  } catch (e) {
    return {};
  }
}

const uid = (givenToken && claims(givenToken).sub) || params.get('uid')
  || (givenToken ? `browser-${Math.random().toString(36).slice(2, 10)}` : 'demo');

let demoToken = null;
/** A demo token, renewed a minute before it expires. */
async function demoSignIn() {
  if (demoToken && claims(demoToken).exp * 1000 - Date.now() > 60000) {
    return demoToken;
  }
  const response = await fetch('/API/rtcsound/demo-sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: uid }),
  });
  const reply = await response.json();
  if (!response.ok) {
    throw new Error(reply.message ?? `demo sign-in answered ${response.status}`);
  }
  demoToken = reply.token;
  return demoToken;
}

async function pageInfo() {
  try {
    return await (await fetch('/API/rtcsound/page-info')).json();
  } catch (e) {
    return {};
  }
}

const info = await pageInfo();
let token = givenToken;
if (!token && info.demoSignIn) {
  token = demoSignIn;
  const banner = document.getElementById('demo');
  banner.hidden = false;
  document.getElementById('demo-user').textContent = uid;
}

const sound = new RtcSound({ audio: document.getElementById('speaker'), uid, token });
window.rtcsound = sound; // for the console, and for tests that listen to what the page hears

sound.addEventListener('status', ({ detail }) => {
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

sound.addEventListener('microphone', ({ detail }) => {
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

async function showSecureLink() {
  document.getElementById('insecure').hidden = false;
  const link = document.getElementById('secure-link');
  try {
    link.href = info.secureUrl + location.search;
    link.textContent = info.secureUrl;
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
