/*
 * A check-in list as this device knows it, and the rule of the door applied to it when the server
 * cannot be asked: the same verdicts as the server's (delegates/checkin/verdicts.py), from the list's
 * offline data (GET …/data/: each delegate's status, whether the list admits them, their check-in,
 * and the SHA-256 of their current and retired badge codes). Check-ins made here and not yet answered
 * by the server are kept apart ("local") so that what the server says later replaces them.
 *
 * The record (what store.js keeps): {id, data, since, loadedAt, syncedAt, local: {reference: checkIn}}.
 */
(function () {
  "use strict";

  function normalise(text) {
    // Case and accents do not count (Nguyễn = nguyen); marks of Thai, Khmer or Lao are folded alike.
    return String(text || "")
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLocaleLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function normaliseReference(text) {
    return String(text || "").toUpperCase().replace(/[^0-9A-Z]/g, "");
  }

  function sha256(text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.prototype.map
        .call(new Uint8Array(buffer), function (byte) {
          return byte.toString(16).padStart(2, "0");
        })
        .join("");
    });
  }

  function open(record) {
    var byHash = new Map();
    var byRetired = new Map();
    var byReference = new Map();
    record.local = record.local || {};
    record.data.delegates.forEach(function (delegate) {
      (delegate.token_hashes || []).forEach(function (hash) {
        byHash.set(hash, delegate);
      });
      (delegate.retired_token_hashes || []).forEach(function (hash) {
        byRetired.set(hash, delegate);
      });
      byReference.set(normaliseReference(delegate.reference), delegate);
    });

    function find(reference) {
      return byReference.get(normaliseReference(reference)) || null;
    }

    function checkedIn(delegate) {
      return record.local[delegate.reference] || delegate.checked_in || null;
    }

    function refused(reason, delegate) {
      return {verdict: "refused", reason: reason, delegate: delegate || null, check_in: null};
    }

    return {
      record: record,
      size: function () {
        return record.data.delegates.length;
      },
      messages: function () {
        return record.data.messages || {};
      },
      checkedIn: checkedIn,

      // The verdict on a code ({token} with its hash, or {reference} from a search); a check-in is
      // noted here as local (checkIn: {at, by, device_label}).
      decide: function (code, hash, checkIn) {
        var delegate;
        if (code.reference) {
          delegate = find(code.reference);
        } else {
          delegate = byHash.get(hash) || null;
          if (!delegate && byRetired.has(hash)) {
            return refused("reissued", byRetired.get(hash));
          }
        }
        if (!delegate) {
          return refused("unknown"); // a badge of another forum too: this device knows only its own
        }
        if (delegate.status !== "confirmed") {
          return refused(delegate.status, delegate); // cancelled, rejected, waitlisted, pending
        }
        if (!delegate.on_list) {
          return refused("not_on_list", delegate);
        }
        var known = checkedIn(delegate);
        if (known) {
          return {verdict: "already", reason: null, delegate: delegate, check_in: known};
        }
        checkIn.local = true;
        record.local[delegate.reference] = checkIn;
        return {verdict: "checked_in", reason: null, delegate: delegate, check_in: checkIn, local: true};
      },

      // What the server says of a delegate's check-in on this list (null: none) replaces what this
      // device guessed.
      learn: function (reference, checkIn) {
        var delegate = find(reference);
        if (delegate) {
          delegate.checked_in = checkIn && !checkIn.undone ? checkIn : null;
          delete record.local[delegate.reference];
        }
      },

      // A local check-in taken back before it was sent.
      forget: function (reference) {
        delete record.local[reference];
      },

      // After a reload of the data: the local check-ins of scans still waiting are kept.
      keepLocal: function (previous, references) {
        references.forEach(function (reference) {
          if (previous && previous.local[reference]) {
            record.local[reference] = previous.local[reference];
          }
        });
      },

      // By name (Latin or native script, every word, accents ignored) or the start of a reference.
      search: function (query, limit) {
        var words = normalise(query).split(" ").filter(Boolean);
        var reference = normaliseReference(query);
        var found = [];
        record.data.delegates.some(function (delegate) {
          var haystack = normalise([delegate.name, delegate.native_name, delegate.honorific].join(" "));
          var byName = words.length > 0 && words.every(function (word) {
            return haystack.indexOf(word) !== -1;
          });
          var byRef = reference.length >= 4 && normaliseReference(delegate.reference).indexOf(reference) === 0;
          if (byName || byRef) {
            found.push(delegate);
          }
          return found.length >= limit;
        });
        return found;
      }
    };
  }

  window.AMFCheckinList = {open: open, sha256: sha256};
})();
