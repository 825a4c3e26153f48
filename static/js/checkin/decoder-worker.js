/*
 * Decodes QR codes off the page's main thread, so that the verdict and the camera view stay smooth:
 * receives camera frames (RGBA pixels) and answers with the text of the QR code found, or null.
 * jsQR (static/vendor/jsqr/, from npm) is loaded on the first message, from the page's own origin.
 */
"use strict";

var ready = false;

self.onmessage = function (event) {
  var message = event.data || {};
  if (message.type === "init") {
    importScripts(message.library);
    ready = typeof self.jsQR === "function";
    self.postMessage({type: "ready", ok: ready});
    return;
  }
  if (message.type === "frame") {
    var text = null;
    if (ready) {
      var found = self.jsQR(new Uint8ClampedArray(message.pixels), message.width, message.height, {
        inversionAttempts: "attemptBoth"
      });
      text = found && found.data ? found.data : null;
    }
    self.postMessage({type: "result", text: text});
  }
};
