/*
 * A forum's dashboard (admin): its check-in section is fetched again every data-refresh-seconds (the
 * DASHBOARD_REFRESH_SECONDS setting, 30 by default) while the page is open and visible, and swapped in
 * place; a table the reader opened stays open. A failed fetch leaves the figures as they were (their "Updated at" says how old
 * they are) and is tried again at the next turn. Without JavaScript the page shows the figures it
 * was rendered with.
 */
(function () {
  "use strict";

  function openTables(section) {
    var open = {};
    section.querySelectorAll("details[data-keep-open]").forEach(function (details) {
      open[details.dataset.keepOpen] = details.open;
    });
    return open;
  }

  function refresh(section, done) {
    var open = openTables(section);
    fetch(section.dataset.refreshUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#" + section.id);
        if (!fresh) {
          throw new Error("no section in the answer");
        }
        fresh.querySelectorAll("details[data-keep-open]").forEach(function (details) {
          if (open[details.dataset.keepOpen]) {
            details.open = true;
          }
        });
        section.replaceWith(fresh);
        done(fresh);
      })
      .catch(function () {
        done(section);
      });
  }

  function start() {
    var section = document.querySelector("[data-refresh-url]");
    if (!section || !window.fetch) {
      return;
    }
    var seconds = parseInt(section.dataset.refreshSeconds, 10) || 30;
    function turn() {
      if (document.visibilityState === "hidden") {
        window.setTimeout(turn, seconds * 1000);
        return;
      }
      refresh(section, function (current) {
        section = current;
        window.setTimeout(turn, seconds * 1000);
      });
    }
    window.setTimeout(turn, seconds * 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
