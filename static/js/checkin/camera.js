/*
 * The check-in scanner's camera: the back camera filmed into the page's <video>, a frame every
 * FRAME_INTERVAL_MS decoded by the browser's BarcodeDetector where it has one for QR codes, else by
 * jsQR (static/vendor/jsqr/, from npm) in a worker (decoder-worker.js), so the page stays smooth;
 * each code found goes to options.onCode (the scanner decides what to do with a repeat). The screen
 * is kept on while the camera runs, where the browser offers a wake lock.
 */
(function () {
  "use strict";

  var FRAME_INTERVAL_MS = 120;
  var MAX_FRAME_SIDE = 800; // decoding a larger frame costs time and finds no more codes

  function create(options) {
    var video = options.video;
    var strings = options.strings;
    var camera = {stream: null, timer: null, busy: false, worker: null, detector: null, canvas: null, lock: null};

    function keepScreenOn(on) {
      // While the camera runs the phone's screen stays on (where the browser offers a wake lock).
      if (on && navigator.wakeLock && !camera.lock) {
        navigator.wakeLock.request("screen").then(function (lock) {
          camera.lock = lock;
          lock.addEventListener("release", function () {
            camera.lock = null;
          });
        }).catch(function () {});
      } else if (!on && camera.lock) {
        camera.lock.release().catch(function () {});
        camera.lock = null;
      }
    }

    function decoder() {
      if (camera.detector || camera.worker) {
        return Promise.resolve();
      }
      var useWorker = function () {
        camera.worker = new Worker(options.workerUrl);
        camera.worker.onmessage = function (event) {
          if (event.data.type === "result") {
            camera.busy = false;
            if (event.data.text) {
              options.onCode(event.data.text);
            }
          }
        };
        camera.worker.postMessage({type: "init", library: options.libraryUrl});
      };
      if ("BarcodeDetector" in window) {
        return window.BarcodeDetector.getSupportedFormats()
          .then(function (formats) {
            if (formats.indexOf("qr_code") !== -1) {
              camera.detector = new window.BarcodeDetector({formats: ["qr_code"]});
            } else {
              useWorker();
            }
          })
          .catch(useWorker);
      }
      useWorker();
      return Promise.resolve();
    }

    function grab() {
      if (!camera.stream || camera.busy || video.readyState < 2 || !video.videoWidth) {
        return;
      }
      camera.busy = true;
      if (camera.detector) {
        camera.detector
          .detect(video)
          .then(function (codes) {
            camera.busy = false;
            if (codes.length && codes[0].rawValue) {
              options.onCode(codes[0].rawValue);
            }
          })
          .catch(function () {
            camera.busy = false;
          });
        return;
      }
      var scale = Math.min(1, MAX_FRAME_SIDE / Math.max(video.videoWidth, video.videoHeight));
      var width = Math.round(video.videoWidth * scale);
      var height = Math.round(video.videoHeight * scale);
      var canvas = camera.canvas || (camera.canvas = document.createElement("canvas"));
      canvas.width = width;
      canvas.height = height;
      var context = canvas.getContext("2d", {willReadFrequently: true});
      context.drawImage(video, 0, 0, width, height);
      var pixels = context.getImageData(0, 0, width, height).data.buffer;
      camera.worker.postMessage({type: "frame", pixels: pixels, width: width, height: height}, [pixels]);
    }

    function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        options.status.textContent = strings.cameraMissing;
        return;
      }
      options.toggle.disabled = true;
      decoder()
        .then(function () {
          return navigator.mediaDevices.getUserMedia({
            audio: false,
            video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}}
          });
        })
        .then(function (stream) {
          camera.stream = stream;
          video.srcObject = stream;
          options.view.hidden = false;
          return video.play().catch(function () {});
        })
        .then(function () {
          camera.timer = window.setInterval(grab, FRAME_INTERVAL_MS);
          keepScreenOn(true);
          options.toggle.textContent = strings.stopCamera;
          options.toggle.setAttribute("aria-pressed", "true");
          options.status.textContent = strings.cameraOn;
        })
        .catch(function (error) {
          var name = error && error.name;
          options.status.textContent =
            name === "NotAllowedError" ? strings.cameraDenied : name === "NotFoundError" ? strings.cameraMissing : strings.cameraFailed;
          stop(true);
        })
        .then(function () {
          options.toggle.disabled = false;
        });
    }

    function stop(keepStatus) {
      if (camera.timer) {
        window.clearInterval(camera.timer);
        camera.timer = null;
      }
      if (camera.stream) {
        camera.stream.getTracks().forEach(function (track) {
          track.stop();
        });
        camera.stream = null;
      }
      camera.busy = false;
      keepScreenOn(false);
      video.srcObject = null;
      options.view.hidden = true;
      options.toggle.textContent = strings.startCamera;
      options.toggle.setAttribute("aria-pressed", "false");
      if (keepStatus !== true) {
        options.status.textContent = strings.cameraOff;
      }
    }

    return {
      start: start,
      stop: stop,
      toggle: function () {
        if (camera.stream) {
          stop();
        } else {
          start();
        }
      },
      resume: function () {
        // A wake lock ends when the page is hidden; take it again when the door comes back to it.
        if (camera.stream) {
          keepScreenOn(true);
        }
      }
    };
  }

  window.AMFCheckinCamera = {create: create};
})();
