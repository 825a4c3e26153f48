/* AMF Events: progressive enhancement of the registration form. Everything works without it.
   - moves focus to the error summary after a failed submission, so that it is read first;
   - suggests the name on the badge (placeholder) from the given and family names;
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

  function suggestBadgeName() {
    var given = document.getElementById("id_given_name");
    var family = document.getElementById("id_family_name");
    var badge = document.getElementById("id_badge_name");
    if (!given || !family || !badge) {
      return;
    }
    function update() {
      badge.placeholder = [given.value.trim(), family.value.trim()].filter(Boolean).join(" ");
    }
    given.addEventListener("input", update);
    family.addEventListener("input", update);
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
