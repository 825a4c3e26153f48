/*
 * Service worker of the check-in pages (scope /checkin/): keeps the scanner's files and the check-in
 * pages a person opened, so that a phone can reload the scanner without a network. The delegates'
 * data is not here: the page keeps it in IndexedDB and the JSON API is never cached. Everything this
 * worker stores is wiped on sign-out (Clear-Site-Data, and the page itself on a 401).
 */
"use strict";

var VERSION = "{{ version }}";
var CACHE = "amf-checkin-" + VERSION;
var ASSETS = {{ assets_json|safe }};
var HOME = "{{ home }}";
var API = HOME + "api/";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("amf-checkin-") === 0 && name !== CACHE;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function isPage(url) {
  return url.origin === self.location.origin && url.pathname.indexOf(HOME) === 0 &&
    url.pathname.indexOf(API) !== 0 && url.pathname.slice(-1) === "/";
}

function keepPage(request, response) {
  // A redirect (to the sign-in page) or an error is not the page: keep the copy we have.
  if (response.ok && !response.redirected && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) {
      cache.put(request.url.split("#")[0].split("?")[0], copy);
    });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf(API) === 0) {
    return; // the API answers live or not at all; the page copes offline
  }
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(
      fetch(request).then(function (response) {
        return keepPage(request, response);
      }).catch(function () {
        return caches.match(url.pathname, {ignoreSearch: true}).then(function (cached) {
          return cached || caches.match(HOME) || Response.error();
        });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.match(request).then(function (cached) {
        return cached || fetch(request);
      })
    );
  }
});

// The page asks for itself to be kept once the worker is in control (the first visit loaded the
// page before the worker existed).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-page" && typeof data.url === "string") {
    var url = new URL(data.url, self.location.origin);
    if (isPage(url)) {
      event.waitUntil(
        fetch(url.pathname, {credentials: "same-origin", redirect: "manual"}).then(function (response) {
          return keepPage(new Request(url.pathname), response);
        }).catch(function () {
          return null;
        })
      );
    }
  }
});
