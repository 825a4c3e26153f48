/*
 * Progress page of a badge print job (admin): polls the job's JSON endpoint every second and updates
 * the progress bar, its text ("37 of 200 badges", an aria-live region), the status, and, once the job
 * has finished, reveals the download link or the error message and the restart button.
 * When the endpoint fails (server error, network down, signed out) it keeps trying, more slowly; after
 * a few failures in a row it says so, and the note goes away as soon as progress arrives again.
 * Progressive enhancement: without JavaScript the page shows the state it was rendered with and a
 * link to reload it.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  var MAX_INTERVAL_MS = 10000;
  var FAILURES_BEFORE_NOTE = 3; // one failed request is a blip, not worth an alarm

  function start() {
    var root = document.getElementById("print-job");
    if (!root || !root.dataset.progressUrl || !window.fetch) {
      return;
    }
    var url = root.dataset.progressUrl;
    var bar = document.getElementById("print-job-bar");
    var text = document.getElementById("print-job-text");
    var status = document.getElementById("print-job-status");
    var download = document.getElementById("print-job-download");
    var downloadLink = document.getElementById("print-job-download-link");
    var failed = document.getElementById("print-job-failed");
    var error = document.getElementById("print-job-error");
    var restart = document.getElementById("print-job-restart");
    var pollError = document.getElementById("print-job-poll-error");
    var finished = document.getElementById("print-job-finished");
    var finishedAt = document.getElementById("print-job-finished-at");
    var failures = 0;

    function show(element, visible) {
      if (element) {
        element.hidden = !visible;
      }
    }

    function render(data) {
      bar.max = Math.max(data.total, 1);
      bar.value = data.done;
      bar.textContent = data.percent + " %";
      if (text.textContent !== data.text) {
        text.textContent = data.text; // announced by the live region only when it changes
      }
      status.textContent = data.status_label;
      root.dataset.status = data.status;
      if (data.download_url && downloadLink) {
        downloadLink.href = data.download_url;
      }
      show(download, Boolean(data.download_url));
      if (error && error.textContent !== data.error) {
        error.textContent = data.error;
      }
      show(failed, data.status === "failed");
      if (finishedAt && finishedAt.textContent !== data.finished_at) {
        finishedAt.textContent = data.finished_at;
      }
      show(finished, Boolean(data.finished_at));
      show(restart, data.can_restart);
    }

    function poll() {
      window
        .fetch(url, {
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "application/json" },
          redirect: "error", // a signed-out session redirects to the login page: not progress
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          show(pollError, false);
          render(data);
          if (!data.finished) {
            window.setTimeout(poll, INTERVAL_MS);
          }
        })
        .catch(function () {
          failures += 1;
          if (failures >= FAILURES_BEFORE_NOTE) {
            show(pollError, true);
          }
          window.setTimeout(poll, Math.min(INTERVAL_MS * failures, MAX_INTERVAL_MS));
        });
    }

    if (root.dataset.status === "queued" || root.dataset.status === "running") {
      poll();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
