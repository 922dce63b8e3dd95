// The page at /: shows whether sound is available and offers the one button a blocked
// autoplay needs.
//
// The token comes in the fragment, /#jwt_token=<JWT>, which browsers never send to a
// server (so it sits in no access log); the uid is the token's user, else ?uid=. Without a
// token, a server that offers the local demo sign-in (the embedded default, on localhost
// only) signs this browser in as ?uid= or 'demo', and the page says so.
import { RtcSound } from './rtcsound.js';
import { claims, demoTokens, pageInfo, takeFragmentToken } from './signin.js';

const status = document.getElementById('status');
const enableButton = document.getElementById('enable-sound');
const params = new URLSearchParams(location.search);
const givenToken = takeFragmentToken();

const uid = (givenToken && claims(givenToken).sub) || params.get('uid')
  || (givenToken ? `browser-${Math.random().toString(36).slice(2, 10)}` : 'demo');

const info = await pageInfo();
let token = givenToken;
if (!token && info.demoSignIn) {
  token = demoTokens(uid);
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
