/*
 * The scanner of one check-in list (templates/delegates/checkin/scanner.html).
 *
 * Codes come from the camera (the browser's BarcodeDetector where it has one, else jsQR in a worker),
 * from a handheld scanner or typing (the code field), or from a search result (by reference); all go
 * through check(). Online, the server decides (POST …/scan/); offline, or when the server cannot be
 * reached, the device decides from the list's offline data (offline-list.js: the SHA-256 of the code
 * looked up among the delegates' current and retired code hashes) and queues the scan, with its own
 * idempotency key, for …/sync/. Each sync sends the queue and learns the check-ins made on other
 * devices; the list's data is loaded again every few minutes while online. A 401 means the session
 * has gone: everything this device keeps is wiped (store.js). The camera: camera.js.
 *
 * Strings come translated from the page (the JSON block "checkin-config"), so no text lives here.
 */
(function () {
  "use strict";

  var CAMERA_COOLDOWN_MS = 5000; // the same code from the camera is not sent again within this time
  var SYNC_INTERVAL_MS = 30000;
  var RELOAD_INTERVAL_MS = 300000;
  var SYNC_BATCH = 500; // the server takes up to 1,000 scans per request
  var SEARCH_LIMIT = 20;
  var LABEL_KEY = "amf-checkin-device-label";

  var config;
  var strings;
  var store = window.AMFCheckinStore;
  var feedback = window.AMFCheckinFeedback;
  var OfflineList = window.AMFCheckinList;
  var elements = {};
  var state = {
    list: null, // the list as this device knows it (offline-list.js), once its data has loaded
    device: null,
    waiting: 0,
    syncing: false,
    reachable: true,
    stale: false, // the page's CSRF token no longer matches the session: reload needed
    ended: false,
    seq: 0,
    lastCode: null,
    lastCodeAt: 0,
    current: null // the verdict on screen: {answer, key, local}
  };

  // --- Small helpers ------------------------------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  function format(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (match, name) {
      return values && values[name] !== undefined && values[name] !== null ? String(values[name]) : "";
    });
  }

  function time(iso) {
    if (!iso) {
      return "";
    }
    try {
      // 09:12, as the server words it (Django's "H:i"), in the forum's time zone.
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: config.timeZone
      }).format(new Date(iso));
    } catch (error) {
      return new Date(iso).toLocaleTimeString();
    }
  }

  function online() {
    return navigator.onLine && state.reachable;
  }

  function deviceLabel() {
    return elements.deviceLabel.value.trim().slice(0, 64);
  }

  // --- Talking to the server ----------------------------------------------------------------------

  function ApiError(kind, status, message, body) {
    this.kind = kind; // "network" | "auth" | "forbidden" | "client" | "server"
    this.status = status;
    this.message = message;
    this.body = body || {};
  }

  function api(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: {Accept: "application/json"},
      cache: "no-store"
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = config.csrfToken;
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(
      function (response) {
        state.reachable = true;
        return response.json().catch(function () {
          return {};
        }).then(function (data) {
          if (response.ok) {
            return data;
          }
          var message = data.error || data.message || strings.serverError;
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (response.status === 403 && !json) {
            // Django's CSRF page, not the API: the session changed since this page was loaded (a
            // sign-in in another tab). The page must be loaded again; nothing is lost meanwhile.
            state.stale = true;
            throw new ApiError("stale", 403, strings.reloadPage, data);
          }
          if (response.status === 401) {
            throw new ApiError("auth", 401, message, data);
          }
          if (response.status === 403) {
            throw new ApiError("forbidden", 403, message, data);
          }
          throw new ApiError(response.status >= 500 ? "server" : "client", response.status, message, data);
        });
      },
      function () {
        state.reachable = false;
        throw new ApiError("network", 0, strings.syncFailed);
      }
    );
  }

  function sessionEnded() {
    if (state.ended) {
      return;
    }
    state.ended = true;
    stopCamera();
    state.list = null;
    store.wipe();
    elements.root.classList.add("checkin--ended");
    var link = document.createElement("a");
    link.href = config.urls.login;
    link.textContent = strings.sessionEnded;
    elements.queue.textContent = "";
    elements.queue.appendChild(link);
    showVerdict({verdict: "refused", reason: null, message: strings.sessionEnded, delegate: null}, {});
  }

  function failed(error) {
    if (error && error.kind === "auth") {
      sessionEnded();
      return true;
    }
    return false;
  }

  // --- The list's offline data --------------------------------------------------------------------

  function saveList() {
    return state.list ? store.putList(state.list.record).catch(function () {}) : Promise.resolve();
  }

  function learn(reference, checkIn) {
    if (state.list) {
      state.list.learn(reference, checkIn);
    }
  }

  function checkedIn(delegate) {
    return state.list ? state.list.checkedIn(delegate) : delegate.checked_in || null;
  }

  function loadData() {
    if (state.ended) {
      return Promise.resolve();
    }
    return api("GET", config.urls.data)
      .then(function (data) {
        var previous = state.list ? state.list.record : null;
        var list = OfflineList.open({
          id: config.list.id,
          data: data,
          since: data.generated_at,
          loadedAt: new Date().toISOString(),
          local: {}
        });
        // Scans still waiting keep their local check-in until the server has answered them.
        return store.queued(config.list.id).then(function (items) {
          list.keepLocal(
            previous,
            items.filter(function (item) {
              return item.localCheckIn;
            }).map(function (item) {
              return item.reference;
            })
          );
          state.list = list;
          return saveList();
        });
      })
      .then(renderState)
      .catch(function (error) {
        if (!failed(error)) {
          renderState(error.kind === "network" ? null : strings.loadFailed);
        }
      });
  }

  // --- Deciding a scan ----------------------------------------------------------------------------

  function alreadyMessage(checkIn) {
    if (checkIn.local) {
      return format(strings.alreadyHere, {time: time(checkIn.at)});
    }
    return format(checkIn.by ? strings.already : strings.alreadyNoName, {time: time(checkIn.at), name: checkIn.by});
  }

  function decideHere(code, hash, scannedAt) {
    // The server's answer as this device can give it, in the same shape.
    if (!state.list) {
      return {verdict: "refused", reason: "no_data", message: strings.reason_no_data, delegate: null};
    }
    var answer = state.list.decide(code, hash, {at: scannedAt, by: config.user, device_label: deviceLabel()});
    if (answer.verdict === "checked_in") {
      answer.message = strings.checkedIn;
      answer.can_print_badge = true;
    } else if (answer.verdict === "already") {
      answer.message = alreadyMessage(answer.check_in);
    } else {
      answer.message = state.list.messages()[answer.reason] || strings["reason_" + answer.reason] || strings.refused;
      answer.can_print_badge = Boolean(answer.delegate && answer.delegate.status === "confirmed");
    }
    return answer;
  }

  function check(code) {
    if (state.ended) {
      return Promise.resolve();
    }
    var key = crypto.randomUUID();
    var scannedAt = new Date().toISOString();
    var body = {
      device: state.device,
      device_label: deviceLabel(),
      idempotency_key: key,
      scanned_at: scannedAt
    };
    if (code.reference) {
      body.reference = code.reference;
    } else {
      body.token = code.token;
    }
    showChecking();
    var viaServer = online()
      ? api("POST", config.urls.scan, body).then(function (answer) {
          if (answer.delegate && answer.check_in) {
            learn(answer.delegate.reference, answer.check_in);
            saveList();
          }
          showVerdict(answer, {key: key});
          return true;
        })
      : Promise.reject(new ApiError("network", 0, ""));
    return viaServer.catch(function (error) {
      if (failed(error)) {
        return;
      }
      if (error.kind === "stale") {
        renderState();
      }
      if (error.kind === "forbidden" || error.kind === "client") {
        showVerdict({verdict: "refused", reason: null, message: error.message, delegate: null}, {});
        return;
      }
      // Offline, or the server is unreachable or failing: decide here and send it later (the same
      // idempotency key, so a scan the server did record is not recorded twice).
      var hashing = code.token ? OfflineList.sha256(code.token) : Promise.resolve(null);
      return hashing.then(function (hash) {
        var answer = decideHere(code, hash, scannedAt);
        var item = {
          idempotency_key: key,
          list: config.list.id,
          seq: Date.now() * 1000 + (state.seq++ % 1000),
          scanned_at: scannedAt,
          localCheckIn: answer.verdict === "checked_in",
          reference: answer.delegate ? answer.delegate.reference : null
        };
        if (code.reference) {
          item.scan_reference = code.reference;
        } else {
          item.token = code.token;
        }
        return store.enqueue(item).then(saveList).then(function () {
          showVerdict(answer, {key: key, local: true});
          return countWaiting();
        });
      });
    });
  }

  // --- Sync ---------------------------------------------------------------------------------------

  function countWaiting() {
    return store.queued(config.list.id).then(function (items) {
      state.waiting = items.length;
      renderState();
      return items;
    }).catch(function () {
      return [];
    });
  }

  function sync() {
    if (state.syncing || state.ended || !navigator.onLine || !state.list) {
      return Promise.resolve();
    }
    state.syncing = true;
    return countWaiting()
      .then(function (items) {
        var batch = items.slice(0, SYNC_BATCH);
        return api("POST", config.urls.sync, {
          device: state.device,
          device_label: deviceLabel(),
          since: state.list.record.since || null,
          scans: batch.map(function (item) {
            var scan = {idempotency_key: item.idempotency_key, scanned_at: item.scanned_at};
            if (item.scan_reference) {
              scan.reference = item.scan_reference;
            } else {
              scan.token = item.token;
            }
            return scan;
          })
        }).then(function (answer) {
          (answer.results || []).forEach(function (result) {
            if (result.delegate) {
              learn(result.delegate.reference, result.check_in);
            }
          });
          (answer.check_ins || []).forEach(function (checkIn) {
            learn(checkIn.reference, checkIn);
          });
          var record = state.list.record;
          record.since = answer.server_time || record.since;
          record.syncedAt = answer.server_time || new Date().toISOString();
          return store.dequeue(batch.map(function (item) {
            return item.idempotency_key;
          })).then(saveList).then(function () {
            return items.length > batch.length;
          });
        });
      })
      .then(function (more) {
        state.syncing = false;
        return countWaiting().then(function () {
          return more ? sync() : null;
        });
      })
      .catch(function (error) {
        state.syncing = false;
        if (!failed(error)) {
          renderState(error.kind === "network" ? null : error.message);
        }
      });
  }

  // --- Showing --------------------------------------------------------------------------------------

  function renderState(note) {
    // note: a problem to tell (the list could not load, the server failed); it shows in the line
    // under the queue until the next state.
    var isOnline = online();
    elements.network.classList.toggle("network--online", isOnline);
    elements.network.classList.toggle("network--offline", !isOnline);
    elements.networkText.textContent = isOnline ? strings.online : strings.offline;
    if (state.ended) {
      return;
    }
    var queueText;
    if (!state.list) {
      queueText = strings.loading;
    } else if (state.waiting > 0) {
      queueText = format(state.waiting === 1 ? strings.waitingOne : strings.waitingMany, {count: state.waiting});
    } else {
      queueText = strings.allSent;
    }
    elements.queue.textContent = queueText;
    elements.queue.classList.toggle("checkin-state__queue--waiting", state.waiting > 0);
    var line = "";
    if (state.stale) {
      line = strings.reloadPage;
    } else if (typeof note === "string" && note) {
      line = note;
    } else if (!isOnline) {
      line = strings.offlineHint;
    } else if (state.list) {
      var updated = state.list.record.syncedAt || state.list.record.loadedAt;
      line = format(strings.stored, {count: state.list.size()}) +
        (updated ? " · " + format(strings.syncedAt, {time: time(updated)}) : "");
    }
    elements.stored.textContent = line;
    elements.stored.classList.toggle("checkin-state__stored--problem", Boolean(state.stale || note));
  }

  function showChecking() {
    elements.verdict.className = "verdict verdict--checking";
    elements.kicker.textContent = "";
    elements.title.textContent = strings.verdictChecking;
    elements.detail.textContent = "";
    elements.person.hidden = true;
    elements.actions.hidden = true;
    elements.actionStatus.textContent = "";
  }

  function fillPerson(delegate) {
    elements.person.hidden = !delegate;
    if (!delegate) {
      return;
    }
    elements.honorific.textContent = delegate.honorific || "";
    elements.honorific.hidden = !delegate.honorific;
    elements.name.textContent = delegate.name || "";
    elements.native.hidden = !delegate.native_name;
    elements.native.textContent = delegate.native_name || "";
    if (delegate.native_name_lang) {
      elements.native.setAttribute("lang", delegate.native_name_lang);
    } else {
      elements.native.removeAttribute("lang");
    }
    elements.categoryName.textContent = delegate.category || "";
    elements.category.hidden = !delegate.category;
    paintSwatch(delegate.category_colour);
    var place = [delegate.city, delegate.country_name || delegate.country].filter(Boolean).join(", ");
    elements.place.textContent = place;
    elements.place.hidden = !place;
    elements.reference.textContent = delegate.reference || "";
  }

  function paintSwatch(colour) {
    // The category's colour is data: set through the CSSOM, which the CSP allows (no style attribute).
    var valid = /^#[0-9a-fA-F]{3,8}$/.test(colour || "");
    elements.swatch.style.backgroundColor = valid ? colour : "";
    elements.person.style.borderInlineStartColor = valid ? colour : "";
    elements.swatch.hidden = !valid;
  }

  function showVerdict(answer, options) {
    var kind = {checked_in: "ok", already: "warn", refused: "bad"}[answer.verdict] || "bad";
    state.current = {answer: answer, key: options.key || null, local: Boolean(options.local)};
    elements.verdict.className = "verdict verdict--" + kind;
    elements.kicker.textContent = kind === "bad" && answer.reason ? strings.refused : "";
    elements.title.textContent = kind === "ok" ? strings.checkedIn : answer.message || strings.refused;
    elements.detail.textContent = options.local && kind === "ok" ? strings.checkedInLocal : "";
    fillPerson(answer.delegate);
    var canPrint = Boolean(config.can.print && answer.delegate && answer.can_print_badge !== false);
    var canUndo = Boolean(
      config.can.undo && kind === "ok" && (options.local || (answer.check_in && answer.check_in.id))
    );
    elements.print.hidden = !canPrint;
    elements.undo.hidden = !canUndo;
    elements.actions.hidden = !(canPrint || canUndo);
    elements.actionStatus.textContent = "";
    feedback.signal(kind);
    var top = elements.verdict.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight / 2) {
      elements.verdict.scrollIntoView({block: "start"});
    }
  }

  // --- Actions on the verdict -----------------------------------------------------------------------

  function printBadge() {
    var current = state.current;
    if (!current || !current.answer.delegate) {
      return;
    }
    if (!navigator.onLine) {
      elements.actionStatus.textContent = strings.printOffline;
      return;
    }
    var reference = current.answer.delegate.reference;
    var form = new FormData();
    form.append("reference", reference);
    elements.actionStatus.textContent = strings.printing;
    elements.print.disabled = true;
    fetch(config.urls.badge, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: {"X-CSRFToken": config.csrfToken}
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/pdf") === 0) {
          return response.blob().then(function (blob) {
            var name = "badge-" + reference + ".pdf";
            var link = document.createElement("a");
            link.href = URL.createObjectURL(blob);
            link.download = name;
            link.className = "verdict__download";
            link.textContent = format(strings.printed, {file: name});
            elements.actionStatus.textContent = "";
            elements.actionStatus.appendChild(link);
            link.click();
          });
        }
        if (response.status === 401) {
          sessionEnded();
          return null;
        }
        return response.json().catch(function () {
          return {};
        }).then(function (data) {
          elements.actionStatus.textContent = data.error || data.message || strings.printFailed;
        });
      })
      .catch(function () {
        elements.actionStatus.textContent = strings.printOffline;
      })
      .then(function () {
        elements.print.disabled = false;
      });
  }

  function undo() {
    var current = state.current;
    if (!current || current.answer.verdict !== "checked_in") {
      return;
    }
    var delegate = current.answer.delegate;
    var done;
    if (current.local) {
      // Not sent yet: forget the queued scan and the local check-in.
      done = store.dequeue([current.key]).then(function () {
        if (state.list) {
          state.list.forget(delegate.reference);
        }
        return saveList();
      });
    } else {
      var url = config.urls.undo.replace("00000000-0000-0000-0000-000000000000", current.answer.check_in.id);
      done = api("POST", url, {}).then(function () {
        learn(delegate.reference, null);
        return saveList();
      });
    }
    elements.undo.disabled = true;
    done
      .then(function () {
        elements.verdict.className = "verdict verdict--idle";
        elements.kicker.textContent = "";
        elements.title.textContent = strings.undone;
        elements.detail.textContent = "";
        elements.actions.hidden = true;
        state.current = null;
        state.lastCode = null;
        return countWaiting();
      })
      .catch(function (error) {
        if (!failed(error)) {
          elements.actionStatus.textContent = error.message || strings.undoFailed;
        }
      })
      .then(function () {
        elements.undo.disabled = false;
      });
  }

  // --- Search -------------------------------------------------------------------------------------

  function statusLine(delegate) {
    var parts = [strings["status_" + delegate.status] || delegate.status];
    if (delegate.status === "confirmed" && delegate.on_list === false) {
      parts.push(strings.notOnList);
    }
    var known = checkedIn(delegate);
    if (known) {
      parts.push(format(strings.checkedInShort, {time: time(known.at)}));
    }
    return parts.join(" · ");
  }

  function renderResults(results) {
    elements.results.textContent = "";
    results.forEach(function (delegate) {
      var item = document.createElement("li");
      item.className = "search__result";
      var name = document.createElement("p");
      name.className = "search__name";
      name.textContent = [delegate.honorific, delegate.name].filter(Boolean).join(" ");
      item.appendChild(name);
      if (delegate.native_name) {
        var native = document.createElement("p");
        native.className = "search__native native-name";
        native.textContent = delegate.native_name;
        if (delegate.native_name_lang) {
          native.setAttribute("lang", delegate.native_name_lang);
        }
        item.appendChild(native);
      }
      var meta = document.createElement("p");
      meta.className = "search__meta";
      meta.textContent = [delegate.reference, delegate.category, delegate.city].filter(Boolean).join(" · ");
      item.appendChild(meta);
      var status = document.createElement("p");
      status.className = "search__state";
      status.textContent = statusLine(delegate);
      item.appendChild(status);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--primary search__check";
      button.textContent = strings.checkInButton;
      button.setAttribute("aria-label", format(strings.checkInNamed, {name: delegate.name}));
      button.addEventListener("click", function () {
        feedback.unlock();
        check({reference: delegate.reference}).then(function () {
          elements.verdict.scrollIntoView({block: "start", behavior: "smooth"});
        });
      });
      item.appendChild(button);
      elements.results.appendChild(item);
    });
    var count = results.length;
    elements.searchStatus.textContent = count
      ? format(count === 1 ? strings.resultsOne : strings.resultsCount, {count: count})
      : strings.noResults;
  }

  function search(query) {
    query = query.trim();
    if (query.length < 2) {
      elements.searchStatus.textContent = strings.searchShort;
      elements.results.textContent = "";
      return;
    }
    elements.searchStatus.textContent = strings.searching;
    var local = function () {
      if (query.indexOf("@") !== -1) {
        elements.results.textContent = "";
        elements.searchStatus.textContent = strings.emailOffline;
        return;
      }
      if (!state.list) {
        elements.searchStatus.textContent = strings.reason_no_data;
        return;
      }
      renderResults(state.list.search(query, SEARCH_LIMIT));
    };
    if (!online()) {
      local();
      return;
    }
    api("GET", config.urls.search + "?q=" + encodeURIComponent(query))
      .then(function (answer) {
        renderResults(answer.results || []);
      })
      .catch(function (error) {
        if (failed(error)) {
          return;
        }
        if (error.kind === "network" || error.kind === "server") {
          local();
        } else {
          elements.results.textContent = "";
          elements.searchStatus.textContent = error.message;
        }
      });
  }

  // --- Camera (static/js/checkin/camera.js) ------------------------------------------------------

  var camera = null;

  function fromCamera(text) {
    var now = Date.now();
    if (text === state.lastCode && now - state.lastCodeAt < CAMERA_COOLDOWN_MS) {
      return;
    }
    state.lastCode = text;
    state.lastCodeAt = now;
    check({token: text});
  }

  function stopCamera(keepStatus) {
    if (camera) {
      camera.stop(keepStatus);
    }
  }

  // --- Start --------------------------------------------------------------------------------------

  function bind() {
    [
      ["root", "checkin"],
      ["network", "checkin-network"],
      ["networkText", "checkin-network-text"],
      ["queue", "checkin-queue"],
      ["stored", "checkin-stored"],
      ["verdict", "verdict"],
      ["kicker", "verdict-kicker"],
      ["title", "verdict-title"],
      ["detail", "verdict-detail"],
      ["person", "verdict-person"],
      ["honorific", "verdict-honorific"],
      ["name", "verdict-name"],
      ["native", "verdict-native"],
      ["category", "verdict-category"],
      ["categoryName", "verdict-category-name"],
      ["swatch", "verdict-swatch"],
      ["place", "verdict-place"],
      ["reference", "verdict-reference"],
      ["actions", "verdict-actions"],
      ["print", "verdict-print"],
      ["undo", "verdict-undo"],
      ["actionStatus", "verdict-action-status"],
      ["cameraView", "camera-view"],
      ["video", "camera-video"],
      ["cameraToggle", "camera-toggle"],
      ["cameraStatus", "camera-status"],
      ["codeForm", "code-form"],
      ["codeInput", "code-input"],
      ["searchForm", "search-form"],
      ["searchInput", "search-input"],
      ["searchStatus", "search-status"],
      ["results", "search-results"],
      ["deviceLabel", "device-label"]
    ].forEach(function (pair) {
      elements[pair[0]] = $(pair[1]);
    });
  }

  function start() {
    var data = $("checkin-config");
    if (!data || !store || !feedback || !OfflineList || !window.AMFCheckinCamera || !window.crypto || !crypto.subtle || !window.indexedDB) {
      return;
    }
    config = JSON.parse(data.textContent);
    strings = config.strings;
    bind();
    try {
      elements.deviceLabel.value = window.localStorage.getItem(LABEL_KEY) || "";
    } catch (error) {
      elements.deviceLabel.value = "";
    }
    elements.deviceLabel.addEventListener("change", function () {
      try {
        window.localStorage.setItem(LABEL_KEY, deviceLabel());
      } catch (error) {
        // Not kept: asked again next time.
      }
    });
    document.addEventListener("pointerdown", feedback.unlock, {once: true});
    document.addEventListener("keydown", feedback.unlock, {once: true});
    camera = window.AMFCheckinCamera.create({
      video: elements.video,
      view: elements.cameraView,
      toggle: elements.cameraToggle,
      status: elements.cameraStatus,
      strings: strings,
      workerUrl: config.urls.worker,
      libraryUrl: config.urls.jsqr,
      onCode: fromCamera
    });
    elements.cameraToggle.addEventListener("click", function () {
      feedback.unlock();
      camera.toggle();
    });
    elements.codeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      feedback.unlock();
      var code = elements.codeInput.value.trim();
      if (!code) {
        showVerdict({verdict: "refused", reason: null, message: strings.emptyCode, delegate: null}, {});
        return;
      }
      elements.codeInput.value = "";
      check({token: code}); // a handheld scanner types the code and Enter: ready for the next at once
    });
    elements.searchForm.addEventListener("submit", function (event) {
      event.preventDefault();
      search(elements.searchInput.value);
    });
    elements.print.addEventListener("click", printBadge);
    elements.undo.addEventListener("click", undo);
    window.addEventListener("online", function () {
      state.reachable = true;
      renderState();
      sync().then(loadData);
    });
    window.addEventListener("offline", function () {
      renderState();
    });
    window.addEventListener("pagehide", function () {
      stopCamera(true);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        camera.resume();
      }
    });
    store
      .deviceId()
      .then(function (id) {
        state.device = id;
        return store.getList(config.list.id);
      })
      .then(function (record) {
        if (record && record.data) {
          state.list = OfflineList.open(record);
        }
        return countWaiting();
      })
      .catch(function () {
        state.device = state.device || crypto.randomUUID();
      })
      .then(function () {
        renderState();
        return navigator.onLine ? sync().then(loadData) : null;
      });
    window.setInterval(sync, SYNC_INTERVAL_MS);
    window.setInterval(function () {
      if (online()) {
        loadData();
      }
    }, RELOAD_INTERVAL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
