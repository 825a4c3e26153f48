/*
 * Check-in pages: install the service worker (scope /checkin/) that keeps the scanner usable offline,
 * and ask it to keep the page being shown (the first visit loads before the worker exists).
 */
(function () {
  "use strict";

  function keepThisPage(registration) {
    var worker = registration.active || navigator.serviceWorker.controller;
    if (worker) {
      worker.postMessage({type: "keep-page", url: window.location.pathname});
    }
  }

  function start() {
    var root = document.querySelector("[data-service-worker]");
    if (!root || !("serviceWorker" in navigator) || !window.isSecureContext) {
      return;
    }
    navigator.serviceWorker
      .register(root.dataset.serviceWorker, {scope: root.dataset.scope})
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(keepThisPage)
      .catch(function () {
        // Without a worker the page still works online, and keeps its data offline while open.
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
