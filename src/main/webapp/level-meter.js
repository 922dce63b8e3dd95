// Live level meters: a Web Audio AnalyserNode on a MediaStream, shown on a <meter> in dBFS.
//
//   const meters = new LevelMeters();
//   meters.show(document.getElementById('desktop-level'), sound.stream);
//
// One AudioContext and one drawing loop serve every meter. The loop runs once a frame
// (requestAnimationFrame), or four times a second for users who prefer reduced motion, and
// not at all while the page is hidden (the context is suspended then, so nothing is computed).

/** The quietest level a meter shows, dBFS: below it is silence to a listener. */
export const FLOOR_DB = -60;
/** How fast a shown level falls back when the sound drops, dB per second (a level rises at once). */
const FALL_DB_PER_SECOND = 40;
/** With reduced motion, the meters move this often, without the falling animation. */
const REDUCED_MOTION_INTERVAL_MS = 250;
/** How often the spoken value (aria-valuetext) changes: a screen reader needs no 60 updates a second. */
const SPOKEN_INTERVAL_MS = 500;

const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

export class LevelMeters {
  #context = null;
  /** meter element -> { stream, source, analyser, samples, shown } */
  #meters = new Map();
  #frame = 0;
  #timer = 0;
  #last = 0;
  #spoken = 0;

  constructor() {
    document.addEventListener('visibilitychange', () => this.#schedule());
    reducedMotion.addEventListener('change', () => this.#schedule());
    // Browsers start an AudioContext suspended until the user does something on the page.
    for (const type of ['pointerdown', 'keydown']) {
      document.addEventListener(type, () => this.#schedule(), { capture: true });
    }
  }

  /** Meters the first audio track of `stream` on `meter`; null leaves the meter at its floor. */
  show(meter, stream) {
    const current = this.#meters.get(meter);
    if (current?.stream === stream) {
      return;
    }
    current?.source?.disconnect();
    const entry = { stream, source: null, analyser: null, samples: null, shown: FLOOR_DB };
    this.#meters.set(meter, entry);
    if (stream?.getAudioTracks().length) {
      this.#context ??= new AudioContext();
      entry.source = this.#context.createMediaStreamSource(stream);
      entry.analyser = this.#context.createAnalyser();
      entry.analyser.fftSize = 2048; // about 43 ms of sound at 48 kHz
      entry.samples = new Float32Array(entry.analyser.fftSize);
      entry.source.connect(entry.analyser);
    }
    this.#draw(meter, FLOOR_DB, true);
    this.#schedule();
  }

  /** Starts or stops the loop for the page's visibility and the user's motion preference. */
  #schedule() {
    cancelAnimationFrame(this.#frame);
    clearTimeout(this.#timer);
    this.#frame = 0;
    this.#timer = 0;
    if (!this.#context) {
      return;
    }
    if (document.hidden) {
      this.#context.suspend();
      return;
    }
    if (this.#context.state === 'suspended') {
      this.#context.resume().catch(() => {}); // refused until a gesture; the next one tries again
    }
    this.#last = performance.now();
    this.#next();
  }

  #next() {
    if (reducedMotion.matches) {
      this.#timer = setTimeout(() => this.#tick(performance.now()), REDUCED_MOTION_INTERVAL_MS);
    } else {
      this.#frame = requestAnimationFrame((now) => this.#tick(now));
    }
  }

  #tick(now) {
    const seconds = Math.max(0, (now - this.#last) / 1000);
    this.#last = now;
    const speak = now - this.#spoken >= SPOKEN_INTERVAL_MS;
    if (speak) {
      this.#spoken = now;
    }
    for (const [meter, entry] of this.#meters) {
      const level = entry.analyser ? levelDb(entry.analyser, entry.samples) : FLOOR_DB;
      entry.shown = reducedMotion.matches ? level : Math.max(level, entry.shown - FALL_DB_PER_SECOND * seconds);
      this.#draw(meter, entry.shown, speak);
    }
    this.#next();
  }

  #draw(meter, db, speak) {
    meter.value = db;
    if (speak) {
      meter.setAttribute('aria-valuetext', db <= FLOOR_DB ? 'silent' : `${Math.round(db)} dB`);
    }
  }
}

/** The RMS level of the analyser's latest samples, dBFS, no lower than FLOOR_DB. */
function levelDb(analyser, samples) {
  analyser.getFloatTimeDomainData(samples);
  let squares = 0;
  for (const sample of samples) {
    squares += sample * sample;
  }
  const rms = Math.sqrt(squares / samples.length);
  return rms > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(rms)) : FLOOR_DB;
}
