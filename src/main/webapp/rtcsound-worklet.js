// rtcsound's AudioWorklet processors for the WebSocket path (loaded by rtcsound.js with
// audioWorklet.addModule; they run on the audio rendering thread).
//
// 'rtcsound-player' plays the desktop's decoded sound from a small adaptive buffer: it starts
// once `target` is buffered, conceals an underrun by fading to silence (and holds more from
// then on), and corrects clock drift by skipping samples when far too much is held.
// 'rtcsound-capture' hands the microphone to the page in 10 ms blocks for the Opus encoder.

const RATE = 48000;
const MS = RATE / 1000;
/** Buffering starts here and never goes below it: loopback networks need no more. */
const MIN_TARGET = 20 * MS;
/** Each underrun adds this much to the target, up to MAX_TARGET. */
const TARGET_STEP = 10 * MS;
const MAX_TARGET = 200 * MS;
/** After this long without an underrun, the target shrinks by one step. */
const CALM_FRAMES = 10 * RATE;
/** Held beyond target + this, the buffer has drifted (the desktop's clock runs faster): skip down to target. */
const DRIFT_SLACK = 40 * MS;
/** An underrun fades the last sample out over this many frames instead of clicking. */
const FADE = 48;

class Player extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunks = []; // [Float32Array left, Float32Array right] in order
    this.offset = 0; // frames of chunks[0] already played
    this.buffered = 0; // frames held
    this.target = MIN_TARGET;
    this.playing = false; // false while (re)filling to target
    this.started = false; // true once any sound was played
    this.calm = 0;
    this.last = [0, 0];
    this.figures = { played: 0, concealed: 0, underruns: 0, skipped: 0 };
    this.reportIn = 0;
    this.port.onmessage = (event) => {
      if (event.data === 'stop') {
        this.stopped = true;
        return;
      }
      const channels = event.data;
      this.chunks.push(channels);
      this.buffered += channels[0].length;
      // never more than the largest target and its slack: what is older goes (bounded memory)
      if (this.buffered > MAX_TARGET + DRIFT_SLACK) {
        this.#skip(this.buffered - this.target);
      }
    };
  }

  process(inputs, outputs) {
    const out = outputs[0];
    const frames = out[0].length;
    if (!this.playing && this.buffered >= this.target) {
      this.playing = true;
    }
    if (this.playing && this.buffered > this.target + DRIFT_SLACK) {
      this.#skip(this.buffered - this.target);
    }
    let written = 0;
    if (this.playing) {
      written = this.#read(out, frames);
    }
    if (written < frames) {
      this.#conceal(out, written, frames);
    }
    this.figures.played += frames;
    this.reportIn -= frames;
    if (this.reportIn <= 0) {
      this.reportIn = RATE / 4;
      this.port.postMessage({ ...this.figures, bufferedMs: this.buffered / MS, targetMs: this.target / MS });
    }
    return !this.stopped;
  }

  #read(out, frames) {
    let written = 0;
    while (written < frames && this.chunks.length) {
      const chunk = this.chunks[0];
      const n = Math.min(frames - written, chunk[0].length - this.offset);
      for (let c = 0; c < out.length; c++) {
        const source = chunk[Math.min(c, chunk.length - 1)];
        out[c].set(source.subarray(this.offset, this.offset + n), written);
      }
      written += n;
      this.offset += n;
      this.buffered -= n;
      if (this.offset === chunk[0].length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    if (written > 0) {
      this.started = true;
      for (let c = 0; c < out.length; c++) {
        this.last[c] = out[c][written - 1];
      }
    }
    if (written === frames) {
      this.calm += frames;
      if (this.calm > CALM_FRAMES && this.target > MIN_TARGET) {
        this.target = Math.max(MIN_TARGET, this.target - TARGET_STEP);
        this.calm = 0;
      }
    }
    return written;
  }

  /** Nothing to play: fade out what was last played, then silence; refill to a larger target. */
  #conceal(out, from, frames) {
    for (let c = 0; c < out.length; c++) {
      for (let i = from; i < frames; i++) {
        const k = i - from;
        out[c][i] = k < FADE ? this.last[c] * (1 - k / FADE) : 0;
      }
      this.last[c] = 0;
    }
    if (this.playing) {
      // An underrun while playing; silence before the first sound is not one.
      this.figures.underruns += 1;
      this.target = Math.min(MAX_TARGET, this.target + TARGET_STEP);
      this.playing = false;
      this.calm = 0;
    }
    if (this.started) {
      this.figures.concealed += frames - from; // silence before the first sound is not concealment
    }
  }

  #skip(frames) {
    let left = frames;
    while (left > 0 && this.chunks.length) {
      const chunk = this.chunks[0];
      const n = Math.min(left, chunk[0].length - this.offset);
      this.offset += n;
      left -= n;
      if (this.offset === chunk[0].length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.buffered -= frames - left;
    this.figures.skipped += frames - left;
  }
}

class Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Float32Array(10 * MS);
    this.filled = 0;
    this.port.onmessage = (event) => {
      this.stopped = event.data === 'stop';
    };
  }

  process(inputs) {
    if (this.stopped) {
      return false;
    }
    const input = inputs[0];
    const mono = input && input[0];
    if (!mono) {
      return true;
    }
    let read = 0;
    while (read < mono.length) {
      const n = Math.min(mono.length - read, this.block.length - this.filled);
      this.block.set(mono.subarray(read, read + n), this.filled);
      this.filled += n;
      read += n;
      if (this.filled === this.block.length) {
        // currentTime is this render quantum's first sample; the block ends `read` samples into it
        const startedAt = currentTime + (read - this.block.length) / RATE;
        this.port.postMessage({ samples: this.block, startedAt }, [this.block.buffer]);
        this.block = new Float32Array(10 * MS);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('rtcsound-player', Player);
registerProcessor('rtcsound-capture', Capture);
