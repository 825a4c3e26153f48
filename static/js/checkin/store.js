/*
 * What a check-in device keeps (IndexedDB "amf-checkin"), so that scanning goes on offline:
 *   lists  — per list: its offline data as the server sent it (delegates, messages), the local
 *            check-ins made since, and "since" (the server time the check-ins are known up to);
 *   queue  — the scans not yet sent, each with its own idempotency key, in the order made;
 *   meta   — this device's id.
 * wipe() removes all of it, the service worker's caches and the worker itself (on a 401: the session
 * has gone, and with it the right to keep delegates' data on this device).
 */
(function () {
  "use strict";

  var NAME = "amf-checkin";
  var VERSION = 1;
  var opening = null;

  function promised(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(NAME, VERSION);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("lists", {keyPath: "id"});
          var queue = db.createObjectStore("queue", {keyPath: "idempotency_key"});
          queue.createIndex("list", "list");
          db.createObjectStore("meta", {keyPath: "key"});
        };
        request.onsuccess = function () {
          var db = request.result;
          // Another tab deleting the database (sign-out) must not wait on us.
          db.onversionchange = function () {
            db.close();
            opening = null;
          };
          resolve(db);
        };
        request.onerror = function () {
          opening = null;
          reject(request.error);
        };
        request.onblocked = function () {
          opening = null;
          reject(new Error("blocked"));
        };
      });
    }
    return opening;
  }

  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var result;
        Promise.resolve(work(transaction.objectStore(storeName))).then(function (value) {
          result = value;
        });
        transaction.oncomplete = function () {
          resolve(result);
        };
        transaction.onerror = function () {
          reject(transaction.error);
        };
        transaction.onabort = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function get(storeName, key) {
    return run(storeName, "readonly", function (store) {
      return promised(store.get(key));
    });
  }

  function put(storeName, value) {
    return run(storeName, "readwrite", function (store) {
      store.put(value);
    });
  }

  function deviceId() {
    return get("meta", "device").then(function (entry) {
      if (entry) {
        return entry.value;
      }
      var id = crypto.randomUUID();
      return put("meta", {key: "device", value: id}).then(function () {
        return id;
      });
    });
  }

  function queued(listId) {
    return run("queue", "readonly", function (store) {
      return promised(store.index("list").getAll(listId));
    }).then(function (items) {
      return items.sort(function (a, b) {
        return a.seq - b.seq;
      });
    });
  }

  function dequeue(keys) {
    return run("queue", "readwrite", function (store) {
      keys.forEach(function (key) {
        store.delete(key);
      });
    });
  }

  function wipe() {
    // The service worker goes first, so that it stores nothing more; then its caches.
    var steps = [];
    opening = null;
    steps.push(open().then(function (db) {
      db.close();
    }).catch(function () {}).then(function () {
      return promised(indexedDB.deleteDatabase(NAME));
    }).catch(function () {}));
    var unregistered = navigator.serviceWorker
      ? navigator.serviceWorker.getRegistrations().then(function (registrations) {
          return Promise.all(registrations.map(function (registration) {
            return registration.unregister();
          }));
        }).catch(function () {})
      : Promise.resolve();
    if (window.caches) {
      steps.push(unregistered.then(function () {
        return caches.keys();
      }).then(function (names) {
        return Promise.all(names.map(function (name) {
          return caches.delete(name);
        }));
      }).catch(function () {}));
    }
    steps.push(unregistered);
    try {
      window.localStorage.removeItem("amf-checkin-device-label");
    } catch (error) {
      // Storage may be unavailable (private mode): nothing stored there then.
    }
    opening = null;
    return Promise.all(steps);
  }

  window.AMFCheckinStore = {
    getList: function (id) {
      return get("lists", id);
    },
    putList: function (record) {
      return put("lists", record);
    },
    enqueue: function (item) {
      return put("queue", item);
    },
    queued: queued,
    dequeue: dequeue,
    deviceId: deviceId,
    wipe: wipe
  };
})();
