/*
 * What the door team hears and feels after a scan, so that the verdict reaches them without looking:
 * short beep patterns that differ by verdict (Web Audio) and a vibration where the device allows it.
 * Checked in: one short high beep. Already checked in: two middle beeps. Refused: a long low buzz.
 * Browsers only let sound start after a gesture: the page calls unlock() on its first click or key.
 */
(function () {
  "use strict";

  var PATTERNS = {
    ok: {tones: [[1046, 0, 0.14]], type: "sine", vibrate: [90]},
    warn: {tones: [[660, 0, 0.12], [660, 0.2, 0.12]], type: "triangle", vibrate: [90, 90, 90]},
    bad: {tones: [[220, 0, 0.55]], type: "square", vibrate: [350, 120, 350]}
  };
  var context = null;

  function unlock() {
    var AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!AudioContext) {
      return;
    }
    if (!context) {
      try {
        context = new AudioContext();
      } catch (error) {
        context = null;
        return;
      }
    }
    if (context.state === "suspended") {
      context.resume().catch(function () {});
    }
  }

  function beep(pattern) {
    if (!context || context.state !== "running") {
      return;
    }
    var now = context.currentTime;
    pattern.tones.forEach(function (tone) {
      var oscillator = context.createOscillator();
      var gain = context.createGain();
      var start = now + tone[1];
      var end = start + tone[2];
      oscillator.type = pattern.type;
      oscillator.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.35, start + 0.01);
      gain.gain.setValueAtTime(0.35, end - 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, end);
      oscillator.connect(gain);
      gain.connect(context.destination);
      oscillator.start(start);
      oscillator.stop(end + 0.02);
    });
  }

  function signal(kind) {
    var pattern = PATTERNS[kind];
    if (!pattern) {
      return;
    }
    beep(pattern);
    if (navigator.vibrate) {
      try {
        navigator.vibrate(pattern.vibrate);
      } catch (error) {
        // Some browsers refuse vibration without a recent gesture: the screen and sound still say it.
      }
    }
  }

  window.AMFCheckinFeedback = {unlock: unlock, signal: signal};
})();
