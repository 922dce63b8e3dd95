// The page at /: shows whether sound is available and offers the one button a blocked
// autoplay needs. The uid label comes from ?uid= (abcdesktop passes the user's id).
import { RtcSound } from './rtcsound.js';

const status = document.getElementById('status');
const enableButton = document.getElementById('enable-sound');
const params = new URLSearchParams(location.search);

const sound = new RtcSound({
  audio: document.getElementById('speaker'),
  uid: params.get('uid') ?? `browser-${Math.random().toString(36).slice(2, 10)}`,
});
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
    const info = await (await fetch('/API/rtcsound/page-info')).json();
    link.href = info.secureUrl + location.search;
    link.textContent = info.secureUrl;
  } catch (e) {
    link.href = `https://${location.hostname}/`;
  }
}

sound.start();
