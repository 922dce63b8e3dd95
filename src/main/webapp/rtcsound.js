// rtcsound browser client: a plain ES module, no build step.
//
//   import { RtcSound } from './rtcsound.js';
//   const sound = new RtcSound({ audio: document.querySelector('audio'), uid: 'alice', token: jwt });
//   sound.addEventListener('status', e => console.log(e.detail.state, e.detail.message));
//   sound.start();
//
// The server is the only offerer: the client says HELLO, answers the offer it gets,
// trickles candidates both ways, and plays the remote track. It reconnects on its own,
// fetching a fresh rtc_configuration before every connection.
//
// Where nothing but https passes (ICE does not connect), the same call moves to the
// WebSocket path: 'MEDIA websocket' on the signalling socket, and the desktop's Opus frames
// come on that socket (binary: an 8-byte timestamp, then the packet), decoded with WebCodecs
// and played by an AudioWorklet (rtcsound-worklet.js); the microphone goes up the same way.
// The page stays on that path until it is reloaded.
//
// The token (a JWT; a string, or a function that returns one, called before every
// connection so that it can be renewed) goes in the Authorization header of REST calls
// and in the WebSocket subprotocol list as 'bearer.<token>', never in a URL.

/**
 * A call whose connection has not come up this long after its answer is rebuilt at once
 * (webrtcbin in GStreamer 1.22 cannot restart ICE). Measured by FreshLoadsIT over 603 page
 * loads on a shared 2-core machine (fresh and warm streams, .local candidates, a TURN relay):
 * answer -> connected p99 341 ms, at most 600 ms; 1.5 s leaves room for a slower network.
 */
const CONNECT_TIMEOUT_MS = 1500;
/**
 * Each further call in a row that does not connect waits twice as long, up to this, so that
 * a network slower than CONNECT_TIMEOUT_MS still connects in the end instead of being cut off
 * over and over.
 */
const CONNECT_TIMEOUT_MAX_MS = 12000;
/** A connected call that receives no audio packet for this long is rebuilt (the server sends 100 a second, silence included). */
const STALL_MS = 3000;
/** The server is stopping (1012, service restart) or going away (1001): call again at once, and often. */
const RESTARTING = [1001, 1012];
/** While a server restarts, the page tries this often (for up to a minute), not with the growing backoff. */
const RESTART_RETRY_MS = 500;
/**
 * The server lost this call's media connection (4001: ICE failed; webrtcbin cannot restart
 * ICE) or heard nothing from this page for seconds (4002): call again at once.
 */
const CALL_AGAIN = [4001, 4002];
/** The close code of a call an operator ended (the server's CloseCode.ENDED_BY_OPERATOR). */
const ENDED_BY_OPERATOR = 4000;
/** On the WebSocket path, the round trip is measured this often. */
const ECHO_INTERVAL_MS = 2000;
/** Frames a slow socket may hold before the microphone's frames are dropped rather than queued. */
const MAX_BUFFERED_BYTES = 16000;
const NO_WEBCODECS = 'this browser cannot play sound over the WebSocket path (it lacks WebCodecs AudioDecoder): '
  + 'use a current Chrome, Edge, Safari or Firefox, or a network that lets WebRTC through';
/** The timeline keeps this many steps (the latest): enough for a few calls, bounded for a page left open for days. */
const TIMELINE_STEPS = 200;

const MICROPHONE = {
  off: 'microphone off',
  on: 'microphone on',
  muted: 'microphone muted',
  denied: 'microphone blocked: allow it in the browser to talk into the desktop',
  unavailable: 'no microphone',
  error: 'microphone failed',
};

const STATES = {
  waiting: 'sound not yet available',
  available: 'sound available',
  blocked: 'sound is ready: click to enable it',
  insecure: 'sound needs https',
  error: 'sound failed',
};

export class RtcSound extends EventTarget {
  /**
   * @param {object} options
   * @param {HTMLAudioElement} options.audio where the desktop's sound plays
   * @param {string} [options.uid] this browser session's uid (the token's user, when it names one)
   * @param {string | (() => string | Promise<string>)} [options.token] the JWT, or where to get a fresh one
   * @param {string} [options.baseUrl] the rtcsound server (default: this page's origin)
   * @param {(…args) => void} [options.log] where the steps are logged (default: console.log)
   * @param {'auto' | 'websocket'} [options.transport] 'websocket': every call on the WebSocket path from
   *   the start; 'auto' (the default): WebRTC, and the WebSocket path when ICE does not connect
   */
  constructor({ audio, uid = 'anonymous', token = null, baseUrl = location.origin,
    log = console.log.bind(console), transport = 'auto' }) {
    super();
    this.audio = audio;
    this.uid = uid;
    this.token = token;
    this.baseUrl = new URL(baseUrl);
    this.log = log;
    this.state = 'waiting';
    this.peerConnection = null;
    this.sparePeer = null; // made while the call's offer is on its way; the offer takes it
    this.remoteStream = null;
    this.socket = null;
    this.playing = false;
    this.stopped = false;
    this.retries = 0;
    this.stallTimer = null;
    this.stalls = 0; // calls rebuilt because their audio stopped
    this.healing = null; // why the next call replaces this one, when the page gave up on it: told to the server
    this.connectTimeouts = 0; // calls rebuilt because they had not connected in time
    this.unconnectedInARow = 0; // of those, since the last call that connected
    this.calls = 0; // calls started by this page: 1 while the first one lasts
    // What happened when, for latency budgets and tests: { at (performance.now(), ms since the
    // page's navigation started), call (its number), step }.
    this.timeline = [];
    this.microphone = null; // the local track, once the user has turned the microphone on
    this.microphoneState = 'off';
    this.webSocketPath = transport === 'websocket'; // calls ask for the WebSocket path (sticky once fallen back)
    this.path = null; // 'webrtc' or 'websocket': the current call's
    this.socketAudio = null; // the current call's player and microphone on the WebSocket path
    this.audioContext = null; // one for the page's life: the WebSocket path's player and microphone
    this.fallbacks = 0; // calls moved to the WebSocket path because ICE did not connect
    this.echoRoundTripMs = null;
  }

  /** Connects, and keeps connecting after any loss until stop(). */
  start() {
    this.stopped = false;
    // Browsers give WebRTC media only to secure pages (http://localhost passes as one, but
    // nothing else does, so plain http is refused everywhere to behave the same everywhere).
    if (!window.isSecureContext || location.protocol === 'http:') {
      this.#setState('insecure', 'WebRTC sound needs a secure (https) page');
      return;
    }
    this.#connect();
  }

  stop() {
    this.stopped = true;
    this.#hangUp();
  }

  /**
   * The MediaStream the page plays (the desktop's sound), for any page that wants to meter
   * or record it; null before the first call. Each call brings a new one: read it again
   * after a 'status' event.
   */
  get stream() {
    return this.remoteStream;
  }

  /**
   * The path the sound takes now, from getStats: the selected candidate pair, 'relay' when
   * either end of it is a TURN relay, else 'direct'; its protocol (for a relay, the one the
   * browser speaks to the TURN server: udp, tcp or tls); its last round-trip time in ms
   * (null while not measured). Null while no pair is selected.
   * On the WebSocket path: 'websocket', protocol 'wss' (or 'ws'), the round trip of an echo.
   * @returns {Promise<{path: 'direct' | 'relay' | 'websocket', protocol: string | null, roundTripMs: number | null} | null>}
   */
  async connection() {
    if (this.path === 'websocket') {
      return this.socketAudio ? {
        path: 'websocket', protocol: this.baseUrl.protocol === 'https:' ? 'wss' : 'ws',
        roundTripMs: this.echoRoundTripMs,
      } : null;
    }
    const pc = this.peerConnection;
    if (!pc) {
      return null;
    }
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((report) => {
      if (report.type === 'transport' && report.selectedCandidatePairId) {
        pair = stats.get(report.selectedCandidatePairId) ?? pair;
      }
    });
    // Firefox reports no transport: it marks the selected pair itself.
    stats.forEach((report) => {
      if (!pair && report.type === 'candidate-pair' && report.selected) {
        pair = report;
      }
    });
    if (!pair) {
      return null;
    }
    const local = stats.get(pair.localCandidateId);
    const remote = stats.get(pair.remoteCandidateId);
    const relayed = local?.candidateType === 'relay' || remote?.candidateType === 'relay';
    const seconds = pair.currentRoundTripTime
      ?? (pair.responsesReceived ? pair.totalRoundTripTime / pair.responsesReceived : null);
    return {
      path: relayed ? 'relay' : 'direct',
      protocol: (relayed && local?.relayProtocol) || local?.protocol || null,
      roundTripMs: seconds == null ? null : seconds * 1000,
    };
  }

  /**
   * Turns the microphone on: asks the browser for it (with webrtc.rtc_constraints from the
   * server) and sends it on the call's audio transceiver. Sound plays whatever the answer.
   */
  async enableMicrophone() {
    if (this.microphone) {
      return;
    }
    let stream;
    try {
      const constraints = await this.#fetchConstraints();
      stream = await navigator.mediaDevices.getUserMedia({ ...constraints, video: false });
    } catch (e) {
      const state = e.name === 'NotAllowedError' || e.name === 'SecurityError' ? 'denied'
        : e.name === 'NotFoundError' || e.name === 'OverconstrainedError' ? 'unavailable' : 'error';
      this.log(`Microphone: ${e.name} ${e.message}`);
      this.#setMicrophoneState(state, MICROPHONE[state]);
      return;
    }
    const track = stream.getAudioTracks()[0];
    if (!track) {
      this.#setMicrophoneState('unavailable', MICROPHONE.unavailable);
      return;
    }
    track.onended = () => {
      // the device went away: say so, keep the sound
      this.microphone = null;
      this.#sender()?.replaceTrack(null);
      this.socketAudio?.stopMicrophone();
      this.#setMicrophoneState('unavailable', 'the microphone was disconnected');
    };
    this.microphone = track;
    await this.#sender()?.replaceTrack(track);
    await this.#sendMicrophoneOverSocket();
    this.#setMicrophoneState('on', MICROPHONE.on);
  }

  /** Mute or unmute without renegotiation: a muted track sends silence. */
  setMicrophoneMuted(muted) {
    if (!this.microphone) {
      return;
    }
    this.microphone.enabled = !muted;
    this.#setMicrophoneState(muted ? 'muted' : 'on', MICROPHONE[muted ? 'muted' : 'on']);
  }

  /** Turns the microphone off and gives the device back. */
  disableMicrophone() {
    const track = this.microphone;
    this.microphone = null;
    this.#sender()?.replaceTrack(null);
    this.socketAudio?.stopMicrophone();
    track?.stop();
    this.#setMicrophoneState('off', MICROPHONE.off);
  }

  #sender() {
    return this.peerConnection?.getTransceivers()[0]?.sender;
  }

  async #fetchConstraints() {
    const response = await fetch(new URL('/API/core/getkeyinfo', this.baseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer(await this.#currentToken()) },
      body: JSON.stringify({ provider: 'webrtc.rtc_constraints' }),
      credentials: 'same-origin',
    });
    const reply = await response.json();
    const constraints = reply.id;
    // od.config may say just { 'audio': True }
    return typeof constraints === 'object' && constraints ? constraints : { audio: true };
  }

  #setMicrophoneState(state, message) {
    this.microphoneState = state;
    this.dispatchEvent(new CustomEvent('microphone', { detail: { state, message } }));
  }

  /** On the WebSocket path, the microphone's frames go up the signalling socket. */
  async #sendMicrophoneOverSocket() {
    const socket = this.socket;
    if (!this.microphone || !this.socketAudio) {
      return;
    }
    try {
      await this.socketAudio.sendMicrophone(this.microphone, (frame) => {
        if (socket.readyState === WebSocket.OPEN && socket.bufferedAmount < MAX_BUFFERED_BYTES) {
          socket.send(frame);
        }
      });
    } catch (e) {
      // the sound plays on; only the microphone cannot go up this path
      this.log(`Microphone: ${e.message}`);
      this.#setMicrophoneState('error', e.message);
    }
  }

  /** For the "enable sound" button when the browser blocked autoplay. */
  async enableSound() {
    await this.audioContext?.resume();
    await this.audio.play();
    this.#soundPlaying();
  }

  async #currentToken() {
    return typeof this.token === 'function' ? await this.token() : this.token;
  }

  /** Notes a step of the current call in the timeline. */
  #mark(step) {
    this.timeline.push({ at: performance.now(), call: this.calls, step });
    if (this.timeline.length > TIMELINE_STEPS) {
      this.timeline.shift();
    }
  }

  async #connect() {
    this.calls += 1;
    this.#mark('call');
    this.#setState('waiting', STATES.waiting);
    let token;
    try {
      token = await this.#currentToken();
    } catch (e) {
      this.#fail(new Error(`no token: ${e.message ?? e}`));
      return;
    }
    // The configuration and the socket are fetched side by side; the offer waits for both.
    const configuration = this.#fetchRtcConfiguration(token);
    const protocols = token ? ['rtcsound', `bearer.${token}`] : ['rtcsound'];
    const socket = new WebSocket(this.#signallingUrl(), protocols);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.path = this.webSocketPath ? 'websocket' : 'webrtc';
    socket.onopen = () => {
      this.#mark('socket open');
      if (this.webSocketPath) {
        socket.send('MEDIA websocket');
      }
      socket.send(`HELLO ${this.uid}`);
      if (this.healing) {
        // The server counts the page's own heals beside its own (rtcsound_heals_total).
        socket.send(`HEALED ${this.healing}`);
        this.healing = null;
      }
    };
    // One message after another, in the order they came: the server's candidates follow its
    // offer at once, while the offer may still wait for the RTCConfiguration, so a candidate
    // handled alongside found no peer connection yet and was lost. With all of them lost and
    // the browser's own candidates .local names the server cannot resolve, neither side had
    // a pair to check and the call never connected.
    let handled = Promise.resolve();
    socket.onmessage = (event) => {
      handled = handled.then(() => socket === this.socket && this.#onMessage(event.data, configuration))
        .catch((e) => this.#fail(e));
    };
    socket.onclose = (event) => this.#onClose(socket, event);
    configuration.then((c) => this.#prepareSparePeer(socket, c), (e) => this.#fail(e));
  }

  /**
   * The configuration usually comes before the offer: the RTCPeerConnection is made then,
   * not after the offer (about 10 ms of the answer's time here).
   */
  #prepareSparePeer(socket, configuration) {
    if (socket === this.socket && !this.peerConnection && !this.sparePeer && this.path === 'webrtc') {
      try {
        this.sparePeer = new RTCPeerConnection(configuration);
      } catch (e) {
        // none spare: the answer makes it again, and fails the call with why
      }
    }
  }

  #closePeers() {
    this.peerConnection?.close();
    this.peerConnection = null;
    this.sparePeer?.close();
    this.sparePeer = null;
  }

  async #fetchRtcConfiguration(token) {
    const response = await fetch(new URL('/API/webrtc/coturn_rtcconfiguration', this.baseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer(token) },
      body: '{}',
      credentials: 'same-origin',
    });
    const reply = await response.json();
    if (!response.ok || reply.status !== 200) {
      throw new Error(`rtc_configuration refused: ${reply.message ?? response.status}`);
    }
    // TURN credentials are secrets: the console shows where, not with what.
    this.log('rtc_configuration', JSON.stringify(reply.result, (key, value) => (key === 'credential' ? '***' : value)));
    return reply.result;
  }

  #signallingUrl() {
    const url = new URL('/signalling', this.baseUrl);
    url.protocol = this.baseUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.webSocketPath) {
      url.searchParams.set('media', 'websocket'); // so the server prepares no WebRTC call for it
    }
    return url;
  }

  async #onMessage(text, configuration) {
    if (text instanceof ArrayBuffer) {
      this.socketAudio?.receive(text);
      return;
    }
    if (text === 'MEDIA websocket') {
      await this.#startSocketPath();
      return;
    }
    if (text.startsWith('ECHO ')) {
      this.echoRoundTripMs = performance.now() - Number(text.slice(5));
      return;
    }
    if (text === 'HELLO') {
      this.#mark('hello');
      this.log('Registered with server, waiting for call');
      return;
    }
    if (text.startsWith('ERROR') && text.includes('(rtcsound.transport=webrtc)')) {
      // This server keeps to WebRTC: the call is built again on it, and the page asks no more.
      this.log(`Server says: ${text}`);
      this.webSocketRefused = true;
      this.webSocketPath = false;
      this.path = 'webrtc';
      this.#hangUp();
      this.#connect();
      return;
    }
    if (text.startsWith('ERROR microphone:')) {
      this.log(`Server says: ${text}`);
      this.#setMicrophoneState('error', text.slice(6));
      return;
    }
    if (text.startsWith('ERROR')) {
      this.log(`Server says: ${text}`);
      this.#setState('error', text.slice(6));
      return;
    }
    const message = JSON.parse(text);
    if (this.path === 'websocket') {
      return; // the WebRTC attempt's late messages
    }
    if (message.sdp) {
      this.#mark('offer');
      await this.#answer(message.sdp, await configuration);
    } else if (message.ice && this.peerConnection) {
      this.#mark('remote candidate');
      await this.peerConnection.addIceCandidate(message.ice);
    } else if (message.ice) {
      this.#mark('remote candidate dropped');
    }
  }

  async #answer(offer, configuration) {
    const pc = this.sparePeer ?? new RTCPeerConnection(configuration);
    this.sparePeer = null;
    this.peerConnection = pc;
    this.log('Created peer connection for call, waiting for SDP');
    pc.ontrack = (event) => this.#onTrack(event);
    pc.onicecandidate = (event) => this.#onLocalCandidate(event.candidate);
    pc.oniceconnectionstatechange = () => this.#mark(`ice ${pc.iceConnectionState}`);
    pc.onicegatheringstatechange = () => this.#mark(`gathering ${pc.iceGatheringState}`);
    pc.onconnectionstatechange = () => {
      this.#mark(`connection ${pc.connectionState}`);
      this.log(`Peer connection state: ${pc.connectionState}`);
      if (pc.connectionState === 'connected') {
        this.connectedOnce = true;
        this.unconnectedInARow = 0;
        this.#updateAvailability();
        this.#watchInbound(pc);
      } else if (pc.connectionState === 'failed' && pc === this.peerConnection && !this.connectedOnce) {
        this.#rebuildIfUnconnected(pc, 0); // never connected: built again, or moved to the WebSocket path
      } else if (pc.connectionState === 'failed') {
        this.#fail(new Error('the WebRTC connection failed'));
      }
    };
    await pc.setRemoteDescription(offer);
    this.log('Got remote description', offer.sdp.length, 'bytes');
    // Answer sendrecv even with no microphone yet, so that turning it on later needs no
    // new negotiation (rtcsound is the only offerer): replaceTrack on this transceiver.
    const transceiver = pc.getTransceivers()[0];
    if (transceiver) {
      transceiver.direction = 'sendrecv';
    }
    const answer = await pc.createAnswer();
    answer.sdp = preferStereo(answer.sdp);
    await pc.setLocalDescription(answer);
    this.socket.send(JSON.stringify({ sdp: { type: 'answer', sdp: pc.localDescription.sdp } }));
    this.#mark('answer sent');
    this.log('Local stream answer', pc.localDescription.sdp);
    // A call that has not connected soon starts over, instead of waiting the browser's own
    // ICE timeouts out (about 15 s); the second in a row whose ICE does not connect moves to
    // the WebSocket path (checked at CONNECT_TIMEOUT_MS, whatever the back-off).
    const timeout = Math.min(CONNECT_TIMEOUT_MAX_MS, CONNECT_TIMEOUT_MS * 2 ** this.unconnectedInARow);
    this.answeredAt = performance.now();
    this.connectedOnce = false;
    this.connectTimer = setTimeout(() => this.#rebuildIfUnconnected(pc, timeout), CONNECT_TIMEOUT_MS);
    const dtls = transceiver?.receiver.transport;
    if (dtls) {
      dtls.addEventListener('statechange', () => this.#mark(`dtls ${dtls.state}`));
    }
    if (this.microphone) {
      await this.#sender()?.replaceTrack(this.microphone);
    }
  }

  /**
   * The call on {@code pc} is still not connected and no audio came. If its ICE did not
   * connect either, and the call before it did not connect, the network lets no media through
   * (UDP blocked, TURN unreachable): the call moves to the WebSocket path. Otherwise, once
   * {@code timeout} is up, it is rebuilt at once (the rare call whose ICE connected and whose
   * DTLS never did, or a network that dropped the first try).
   */
  async #rebuildIfUnconnected(pc, timeout) {
    if (pc !== this.peerConnection || pc.connectionState === 'connected') {
      return;
    }
    const received = await packetsReceived(pc);
    if (pc !== this.peerConnection || received > 0) {
      return;
    }
    const iceUp = pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';
    if (!iceUp && this.unconnectedInARow > 0 && this.#fallBackIfIceDown(pc)) {
      return;
    }
    const waited = performance.now() - this.answeredAt;
    if (waited < timeout) {
      clearTimeout(this.connectTimer);
      this.connectTimer = setTimeout(() => this.#rebuildIfUnconnected(pc, timeout), timeout - waited);
      return;
    }
    this.#mark('not connected');
    this.log(`Not connected ${timeout} ms after the answer: starting over`);
    this.connectTimeouts += 1;
    this.unconnectedInARow += 1;
    this.healing = 'not-connected';
    // The server answered: only this call's connection did not come up, so no back-off.
    this.#hangUp();
    this.#connect();
  }

  /**
   * ICE has not connected: the network lets no media through (UDP blocked, TURN unreachable),
   * so this call moves to the WebSocket path, on the same socket. False when it cannot.
   */
  #fallBackIfIceDown(pc) {
    if (this.path === 'websocket' || this.socket?.readyState !== WebSocket.OPEN) {
      return false;
    }
    if (this.webSocketRefused) {
      return false;
    }
    this.#mark('websocket fallback');
    this.log(`ICE did not connect (${pc.iceConnectionState}): the sound comes over the WebSocket instead`);
    clearTimeout(this.connectTimer);
    this.fallbacks += 1;
    this.webSocketPath = true;
    // the path changes when the server says 'MEDIA websocket' (or refuses: see #onMessage);
    // a server that says neither soon gets a new call
    this.socket.send('MEDIA websocket');
    this.connectTimer = setTimeout(() => {
      if (this.path !== 'websocket' && pc === this.peerConnection) {
        this.#hangUp();
        this.#connect();
      }
    }, CONNECT_TIMEOUT_MS);
    return true;
  }

  /** The server said 'MEDIA websocket': its frames follow on this socket. */
  async #startSocketPath() {
    this.#mark('media websocket');
    this.path = 'websocket';
    clearTimeout(this.connectTimer);
    clearInterval(this.stallTimer);
    this.stallTimer = null;
    this.#closePeers();
    if (!('AudioDecoder' in window) || !('AudioWorkletNode' in window)) {
      this.log(`rtcsound: ${NO_WEBCODECS}`);
      this.stopped = true;
      this.#setState('error', NO_WEBCODECS);
      this.socket?.close();
      return;
    }
    this.log('The sound comes over the WebSocket');
    const socket = this.socket;
    const context = await this.#audioContext();
    const audio = new SocketAudio(context, this.log, () => this.#mark('first sound'));
    await audio.start();
    if (socket !== this.socket || this.stopped) {
      audio.close(); // this call ended meanwhile
      return;
    }
    this.socketAudio?.close();
    this.socketAudio = audio;
    this.remoteStream = audio.stream;
    this.audio.srcObject = audio.stream;
    await this.#sendMicrophoneOverSocket();
    this.#watchSocketFrames(audio);
    this.audio.play().then(async () => {
      // A context the browser keeps suspended (no user gesture yet) plays nothing: that is blocked too.
      await Promise.race([context.resume(), new Promise((resolve) => setTimeout(resolve, 300))]);
      if (context.state !== 'running') {
        throw new DOMException('the audio context is suspended', 'NotAllowedError');
      }
      this.#soundPlaying();
    }).catch((e) => {
      this.log(`Autoplay was blocked (${e.name}): waiting for a click`);
      this.#setState('blocked', STATES.blocked);
    });
  }

  async #audioContext() {
    if (!this.audioContext) {
      this.audioContext = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
      await this.audioContext.audioWorklet.addModule(new URL('./rtcsound-worklet.js', import.meta.url));
    }
    return this.audioContext;
  }

  /**
   * On the WebSocket path, frames come 100 a second: a call whose frames stop for STALL_MS
   * starts over, as a WebRTC call whose packets stop does. The round trip is measured too.
   */
  #watchSocketFrames(audio) {
    let frames = -1;
    let since = performance.now();
    const socket = this.socket;
    this.stallTimer = setInterval(() => {
      if (audio !== this.socketAudio) {
        return;
      }
      const now = performance.now();
      if (audio.framesReceived !== frames) {
        frames = audio.framesReceived;
        since = now;
        if (frames > 0) {
          this.#updateAvailability();
        }
      } else if (now - since > STALL_MS) {
        this.log(`No audio for ${STALL_MS} ms: starting over`);
        this.stalls += 1;
        this.healing = 'stalled';
        this.socket?.close();
      }
    }, 500);
    // The ECHOs are also the server's sign that this page is there (no RTCP on this path: quiet
    // for 5 s, the call is freed). Timers of a background tab may fire once a minute only, so
    // the player's figures, posted from the audio thread four times a second, prompt them too.
    let echoedAt = -Infinity;
    const echo = () => {
      const now = performance.now();
      if (socket === this.socket && socket.readyState === WebSocket.OPEN && now - echoedAt >= ECHO_INTERVAL_MS) {
        echoedAt = now;
        socket.send(`ECHO ${now.toFixed(1)}`);
      }
    };
    echo();
    audio.onFigures = echo;
    clearInterval(this.echoTimer);
    this.echoTimer = setInterval(echo, ECHO_INTERVAL_MS);
  }

  #onLocalCandidate(candidate) {
    if (this.path === 'websocket') {
      return;
    }
    if (!candidate) {
      this.log('ICE Candidate was null, done');
      return;
    }
    this.log(`Exchange from foundation ${candidate.foundation}: ${candidate.candidate}`);
    this.socket?.send(JSON.stringify({ ice: candidate.toJSON() }));
  }

  #onTrack(event) {
    this.#mark('track');
    // The smallest jitter buffer the browser allows: sound, not lip sync, matters here.
    if ('jitterBufferTarget' in event.receiver) {
      event.receiver.jitterBufferTarget = 0;
    }
    this.remoteStream = event.streams[0] ?? new MediaStream([event.track]);
    // A remote track decodes only when a media element plays it.
    this.audio.srcObject = this.remoteStream;
    this.audio.play().then(() => this.#soundPlaying(), (e) => {
      this.log(`Autoplay was blocked (${e.name}): waiting for a click`);
      this.#setState('blocked', STATES.blocked);
    });
  }

  #soundPlaying() {
    this.#mark('playing');
    this.playing = true;
    this.#updateAvailability();
  }

  /** Sound is available once the element plays and media can flow. */
  #updateAvailability() {
    const flowing = this.path === 'websocket' ? this.socketAudio?.framesReceived > 0
      : this.peerConnection?.connectionState === 'connected';
    if (this.playing && flowing) {
      this.retries = 0;
      this.restartingUntil = 0;
      this.#setState('available', STATES.available);
    }
  }

  #onClose(socket, event) {
    if (socket !== this.socket) {
      return;
    }
    this.#mark(`closed ${event.code}`);
    this.log(`Signalling closed (${event.code}${event.reason ? ': ' + event.reason : ''})`);
    this.#hangUp();
    if (this.stopped) {
      return;
    }
    if (event.code === ENDED_BY_OPERATOR) {
      // An operator ended this call on purpose: calling again would undo it. A reload calls again.
      this.stopped = true;
      return;
    }
    if (RESTARTING.includes(event.code)) {
      this.restartingUntil = performance.now() + 60000;
    }
    // Back off 0.5 s, 1 s, 2 s ... up to 10 s, for as long as it takes; right after a server
    // said it restarts, try again at once and then every RESTART_RETRY_MS, so that the page
    // hears again within a second of a replica being ready.
    const restarting = performance.now() < (this.restartingUntil ?? 0);
    const delay = RESTARTING.includes(event.code) || CALL_AGAIN.includes(event.code) ? 0
      : restarting ? RESTART_RETRY_MS : Math.min(10000, 500 * 2 ** this.retries++);
    if (this.state !== 'error') {
      this.#setState('waiting', STATES.waiting);
    }
    setTimeout(() => { if (!this.stopped) this.#connect(); }, delay);
  }

  #fail(error) {
    this.log(`rtcsound: ${error.message ?? error}`);
    this.#setState('error', error.message ?? String(error));
    this.socket?.close();
  }

  /**
   * Once connected, audio packets must keep coming: a call whose packets stop for STALL_MS
   * (the network went, ICE disconnected, or the desktop's capture stalled) starts over,
   * as a call that never connected does. webrtcbin (GStreamer 1.22) cannot restart ICE.
   */
  #watchInbound(pc) {
    if (this.stallTimer) {
      return;
    }
    let packets = -1;
    let since = performance.now();
    this.stallTimer = setInterval(async () => {
      if (pc !== this.peerConnection) {
        return;
      }
      const received = await packetsReceived(pc);
      const now = performance.now();
      if (received !== packets) {
        packets = received;
        since = now;
      } else if (now - since > STALL_MS && pc === this.peerConnection) {
        this.log(`No audio for ${STALL_MS} ms: starting over`);
        this.stalls += 1;
        this.healing = 'stalled';
        this.socket?.close();
      }
    }, 500);
  }

  #hangUp() {
    clearTimeout(this.connectTimer);
    clearInterval(this.stallTimer);
    clearInterval(this.echoTimer);
    this.stallTimer = null;
    this.socketAudio?.close();
    this.socketAudio = null;
    this.echoRoundTripMs = null;
    this.playing = false;
    this.#closePeers();
    const socket = this.socket;
    if (socket && socket.readyState <= WebSocket.OPEN) {
      socket.onclose = null;
      socket.close();
      this.socket = null;
    }
  }

  #setState(state, message) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('status', { detail: { state, message } }));
  }
}

/**
 * The WebSocket path's sound for one call: Opus frames decoded by WebCodecs, played by the
 * 'rtcsound-player' worklet into a MediaStream (the page's `stream`, metered and played like
 * WebRTC's); and the microphone, captured by 'rtcsound-capture' and encoded to Opus.
 */
export class SocketAudio {
  constructor(context, log, onFirstSound) {
    this.context = context;
    this.log = log;
    this.onFirstSound = onFirstSound;
    this.framesReceived = 0;
    this.figures = { played: 0, concealed: 0, underruns: 0, skipped: 0, bufferedMs: 0, targetMs: 0 };
    this.microphoneFrames = 0;
    this.closed = false;
  }

  async start() {
    this.player = new AudioWorkletNode(this.context, 'rtcsound-player',
      { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [2] });
    this.player.port.onmessage = (event) => {
      this.figures = event.data;
      this.onFigures?.();
    };
    this.destination = this.context.createMediaStreamDestination();
    this.player.connect(this.destination);
    this.stream = this.destination.stream;
    this.decoder = new AudioDecoder({
      output: (data) => this.#play(data),
      error: (e) => this.log(`rtcsound: decoding failed: ${e.message}`),
    });
    this.decoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 });
  }

  /** One binary frame from the server: an 8-byte timestamp (µs), then an Opus packet. */
  receive(frame) {
    if (this.closed || frame.byteLength <= 8) {
      return;
    }
    this.framesReceived += 1;
    if (this.context.state !== 'running') {
      return; // suspended (autoplay blocked): nothing would play it, and nothing may pile up
    }
    const timestamp = Number(new DataView(frame).getBigInt64(0));
    this.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp, data: new Uint8Array(frame, 8) }));
  }

  #play(data) {
    if (this.closed) {
      data.close();
      return;
    }
    const channels = [];
    for (let c = 0; c < data.numberOfChannels; c++) {
      const plane = new Float32Array(data.numberOfFrames);
      data.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
      channels.push(plane);
    }
    data.close();
    this.player.port.postMessage(channels, channels.map((plane) => plane.buffer));
    if (this.onFirstSound) {
      this.onFirstSound();
      this.onFirstSound = null;
    }
  }

  /** Encodes the track as 10 ms Opus frames and hands each, with its timestamp, to `send`. */
  async sendMicrophone(track, send) {
    this.stopMicrophone();
    if (!('AudioEncoder' in window)) {
      throw new Error('this browser cannot send the microphone over the WebSocket path (it lacks WebCodecs AudioEncoder)');
    }
    const request = (this.microphoneRequest = (this.microphoneRequest ?? 0) + 1);
    const config = { codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: 64000, opus: { frameDuration: 10000 } };
    const supported = await AudioEncoder.isConfigSupported(config).catch(() => ({ supported: false }));
    if (this.closed || request !== this.microphoneRequest) {
      return; // closed, or asked again, while the browser answered
    }
    this.stopMicrophone();
    const encoder = new AudioEncoder({
      output: (chunk) => {
        const frame = new ArrayBuffer(8 + chunk.byteLength);
        new DataView(frame).setBigInt64(0, BigInt(Math.round(chunk.timestamp)));
        chunk.copyTo(new Uint8Array(frame, 8));
        this.microphoneFrames += 1;
        send(frame);
      },
      error: (e) => this.log(`rtcsound: encoding the microphone failed: ${e.message}`),
    });
    // 20 ms frames where the browser offers no choice
    encoder.configure(supported.supported ? config : { ...config, opus: undefined });
    const source = this.context.createMediaStreamSource(new MediaStream([track]));
    const capture = new AudioWorkletNode(this.context, 'rtcsound-capture',
      { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit' });
    capture.port.onmessage = ({ data: { samples, startedAt } }) => {
      if (encoder.state !== 'configured') {
        return;
      }
      const data = new AudioData({
        format: 'f32-planar', sampleRate: 48000, numberOfFrames: samples.length, numberOfChannels: 1,
        timestamp: Math.round(startedAt * 1e6), data: samples,
      });
      encoder.encode(data);
      data.close();
    };
    source.connect(capture);
    capture.connect(this.context.destination); // silent: connected only so that it runs
    this.microphonePath = { encoder, source, capture };
  }

  stopMicrophone() {
    this.microphoneRequest = (this.microphoneRequest ?? 0) + 1; // a request still waiting installs nothing
    const path = this.microphonePath;
    this.microphonePath = null;
    if (!path) {
      return;
    }
    path.source.disconnect();
    path.capture.port.postMessage('stop');
    path.capture.disconnect();
    path.capture.port.onmessage = null;
    if (path.encoder.state !== 'closed') {
      path.encoder.close();
    }
  }

  close() {
    this.closed = true;
    this.stopMicrophone();
    if (this.decoder && this.decoder.state !== 'closed') {
      this.decoder.close();
    }
    this.player?.port.postMessage('stop'); // its process() returns false: the node can go
    this.player?.disconnect();
    this.stream?.getTracks().forEach((track) => track.stop());
  }
}

/** Audio RTP packets a peer connection has received so far. */
async function packetsReceived(pc) {
  let received = 0;
  (await pc.getStats()).forEach((report) => {
    if (report.type === 'inbound-rtp' && report.kind === 'audio') {
      received += report.packetsReceived ?? 0;
    }
  });
  return received;
}

/** The Authorization header for a token, or none. */
function bearer(token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Chrome plays stereo Opus as mono unless its own answer asks for stereo: add
 * stereo=1;sprop-stereo=1 to the Opus format parameters.
 */
export function preferStereo(sdp) {
  const opus = /a=rtpmap:(\d+) opus\/48000\/2/i.exec(sdp);
  if (!opus) {
    return sdp;
  }
  const pt = opus[1];
  const fmtp = new RegExp(`a=fmtp:${pt} ([^\\r\\n]*)`);
  const match = fmtp.exec(sdp);
  if (!match) {
    return sdp.replace(opus[0], `${opus[0]}\r\na=fmtp:${pt} stereo=1;sprop-stereo=1`);
  }
  const params = match[1].split(';').filter((p) => !/^(stereo|sprop-stereo)=/.test(p.trim()));
  params.push('stereo=1', 'sprop-stereo=1');
  return sdp.replace(match[0], `a=fmtp:${pt} ${params.join(';')}`);
}
