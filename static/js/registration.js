/* AMF Events: progressive enhancement of the registration form. Everything works without it.
   - moves focus to the error summary after a failed submission, so that it is read first;
   - shows the delegate's name in each order next to the name-order choice, and, while nobody has chosen
     an order, ticks the usual one for the script of the native name or the country, saying why;
   - suggests the name on the badge (placeholder) from the given and family names, in that order;
   - shows "Dietary details" only when "Other" is chosen;
   - sets the lang attribute of the native-script name input from the chosen script, so that the
     browser uses the right fonts and shaping while typing. */
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // Family and given name together, as registration/names.py puts them: no space between two parts
  // in a script written without spaces (陈美玲).
  var UNSPACED = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/;

  function joinName(first, second) {
    if (!first || !second) {
      return first || second;
    }
    var unspaced = UNSPACED.test(first.slice(-1)) && UNSPACED.test(second.charAt(0));
    return first + (unspaced ? "" : " ") + second;
  }

  function nameInOrder(order) {
    var given = document.getElementById("id_given_name");
    var family = document.getElementById("id_family_name");
    var g = given ? given.value.trim() : "";
    var f = family ? family.value.trim() : "";
    return order === "family_first" ? joinName(f, g) : joinName(g, f);
  }

  function checkedOrder() {
    var chosen = document.querySelector("input[name='name_order']:checked");
    return chosen ? chosen.value : "given_first";
  }

  function nameOrder() {
    var group = document.querySelector("[data-name-order]");
    if (!group) {
      return;
    }
    var radios = group.querySelectorAll("input[name='name_order']");
    var suggestion = group.querySelector("[data-name-order-suggestion]");
    var scripts = (group.getAttribute("data-family-first-scripts") || "").split(" ");
    var countries = (group.getAttribute("data-family-first-countries") || "").split(" ");
    var script = document.getElementById("id_native_name_lang");
    var country = document.getElementById("id_country");
    var examples = {};
    group.querySelectorAll("[data-name-order-example]").forEach(function (note) {
      examples[note.getAttribute("data-name-order-example")] = { note: note, text: note.textContent };
    });
    // An order ticked when the page came (the edit form, a form sent back) was chosen: it stays.
    var chosen = Array.prototype.some.call(radios, function (radio) {
      return radio.checked;
    });

    function usualOrder() {
      var lang = script ? script.value : "";
      if (lang && lang !== "und") {
        return { order: scripts.indexOf(lang) >= 0 ? "family_first" : "given_first", from: "script" };
      }
      if (country && countries.indexOf(country.value) >= 0) {
        return { order: "family_first", from: "country" };
      }
      return null;
    }

    // Once both names are typed, each choice shows the delegate's own name in its order.
    function showExamples() {
      var given = document.getElementById("id_given_name");
      var family = document.getElementById("id_family_name");
      var both = given && family && given.value.trim() && family.value.trim();
      Object.keys(examples).forEach(function (order) {
        examples[order].note.textContent = both ? nameInOrder(order) : examples[order].text;
      });
    }

    function suggest() {
      if (chosen) {
        return;
      }
      var usual = usualOrder();
      radios.forEach(function (radio) {
        radio.checked = usual !== null && radio.value === usual.order;
      });
      if (suggestion) {
        var text = usual ? group.getAttribute("data-suggested-" + usual.from) : "";
        suggestion.textContent = text || "";
        suggestion.hidden = !text;
      }
      document.dispatchEvent(new CustomEvent("amf:name-order"));
    }

    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        chosen = true;
        if (suggestion) {
          suggestion.hidden = true;
        }
        document.dispatchEvent(new CustomEvent("amf:name-order"));
      });
    });
    ["id_given_name", "id_family_name"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) {
        input.addEventListener("input", showExamples);
      }
    });
    if (script) {
      script.addEventListener("change", suggest);
    }
    if (country) {
      country.addEventListener("change", suggest);
    }
    showExamples();
    suggest();
  }

  function suggestBadgeName() {
    var given = document.getElementById("id_given_name");
    var family = document.getElementById("id_family_name");
    var badge = document.getElementById("id_badge_name");
    if (!given || !family || !badge) {
      return;
    }
    function update() {
      badge.placeholder = nameInOrder(checkedOrder());
    }
    given.addEventListener("input", update);
    family.addEventListener("input", update);
    document.addEventListener("amf:name-order", update);
    update();
  }

  function toggleDietaryOther() {
    var wrapper = document.querySelector("[data-dietary-other]");
    var radios = document.querySelectorAll("input[name='dietary']");
    if (!wrapper || !radios.length) {
      return;
    }
    var details = wrapper.querySelector("input, textarea");
    function update() {
      var chosen = document.querySelector("input[name='dietary']:checked");
      var isOther = chosen && chosen.value === "other";
      var keep = isOther || (details && details.value.trim() !== "") || wrapper.querySelector(".field__error");
      wrapper.hidden = !keep;
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  function nativeNameLang() {
    var input = document.getElementById("id_native_name");
    var script = document.getElementById("id_native_name_lang");
    if (!input || !script) {
      return;
    }
    function update() {
      if (script.value && script.value !== "und") {
        input.setAttribute("lang", script.value);
      } else {
        input.removeAttribute("lang");
      }
    }
    script.addEventListener("change", update);
    update();
  }

  function init() {
    focusErrorSummary();
    nameOrder();
    suggestBadgeName();
    toggleDietaryOther();
    nativeNameLang();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
