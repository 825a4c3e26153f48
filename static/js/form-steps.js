/* AMF Events: a delegate form one step at a time on a narrow screen (progressive enhancement).

   Without JavaScript, and on screens 48rem wide or more, every section is shown and the form has one
   submit button. On a narrower screen:
   - one section (step) is shown at a time, with Back / Next below it and the step list above it as
     the progress (aria-current="step" on the current step);
   - Next checks the step's fields with the browser's constraint validation, says what is wrong next to
     each field in the words the server uses, and focuses the first of them;
   - the other steps stay in the page, only hidden: nothing typed is lost, and the form posts them all;
   - each step has its address (#section-…) in the history, so the browser's Back returns to the step
     shown before;
   - after a refused submission, the step that holds the first error is shown while the error summary
     keeps the focus, and the summary's links open the step of their field;
   - a step that is shown gets the focus on its heading, which screen readers announce.
   The registration form shows its submit button on the last step; the edit form (data-steps-submit-
   anywhere) on every step, as everything in it was valid already. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-steps]");
  if (!form || !window.matchMedia || !window.history || !window.history.pushState) {
    return;
  }
  var sections = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var nav = form.querySelector("[data-step-nav]");
  if (sections.length < 2 || !nav) {
    return;
  }
  var backButton = nav.querySelector("[data-step-back]");
  var nextButton = nav.querySelector("[data-step-next]");
  var nextLabel = nextButton.textContent;
  var actions = form.querySelector(".form-actions");
  var list = document.querySelector("[data-step-list]");
  var links = list ? Array.prototype.slice.call(list.querySelectorAll("[data-step-link]")) : [];
  var summary = document.querySelector("[data-error-summary]");
  var submitAnywhere = form.hasAttribute("data-steps-submit-anywhere");
  var errorPrefix = form.getAttribute("data-error-prefix") || "";
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  var active = false;
  var current = 0;

  // --- Where things are ----------------------------------------------------------------------------

  function indexOfAnchor(anchor) {
    for (var i = 0; i < sections.length; i += 1) {
      if (sections[i].getAttribute("data-step") === anchor) {
        return i;
      }
    }
    return -1;
  }

  function indexOfElement(element) {
    var section = element && element.closest("[data-step]");
    return section ? sections.indexOf(section) : -1;
  }

  // The step named by the address: #section-contact, or the id of a field in it (#id_phone).
  function indexOfHash() {
    var hash = decodeURIComponent(window.location.hash.slice(1));
    if (!hash) {
      return -1;
    }
    if (hash.indexOf("section-") === 0 && indexOfAnchor(hash.slice(8)) >= 0) {
      return indexOfAnchor(hash.slice(8));
    }
    var target = document.getElementById(hash);
    return target && form.contains(target) ? indexOfElement(target) : -1;
  }

  function hashOf(index) {
    return "#section-" + sections[index].getAttribute("data-step");
  }

  // --- Showing a step --------------------------------------------------------------------------------

  function render() {
    var last = current === sections.length - 1;
    sections.forEach(function (section, i) {
      section.hidden = active && i !== current;
    });
    nav.hidden = !active;
    backButton.hidden = current === 0;
    nextButton.hidden = last;
    nextButton.textContent = sections[current].getAttribute("data-step-next-label") || nextLabel;
    if (actions) {
      actions.hidden = active && !last && !submitAnywhere;
    }
    if (list) {
      list.classList.toggle("steps--progress", active);
    }
    links.forEach(function (link) {
      var i = indexOfAnchor(link.getAttribute("data-step-link"));
      if (active && i === current) {
        link.setAttribute("aria-current", "step");
      } else {
        link.removeAttribute("aria-current");
      }
      link.classList.toggle("steps__link--done", active && i < current);
    });
  }

  function focusHeading() {
    var heading = sections[current].querySelector(".form-section__heading") || sections[current];
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
    (list || sections[current]).scrollIntoView({ block: "start" });
  }

  // how: "push" (a new history entry), "replace", or nothing (the address already says it).
  function show(index, how, focus) {
    current = Math.max(0, Math.min(index, sections.length - 1));
    render();
    if (how === "push" && window.location.hash !== hashOf(current)) {
      window.history.pushState({ step: current }, "", hashOf(current));
    } else if (how === "replace") {
      window.history.replaceState({ step: current }, "", hashOf(current));
    }
    if (focus === "heading") {
      focusHeading();
    } else if (focus) {
      focus.focus();
    }
  }

  // --- Checking a step with the browser's constraint validation ---------------------------------------

  function wrapperOf(element) {
    return element.closest("[data-error-required]");
  }

  function describedBy(element, id, add) {
    var ids = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (value) {
      return value && value !== id;
    });
    if (add) {
      ids.push(id);
    }
    if (ids.length) {
      element.setAttribute("aria-describedby", ids.join(" "));
    } else {
      element.removeAttribute("aria-describedby");
    }
  }

  function isGroup(wrapper) {
    return wrapper.tagName === "FIELDSET";
  }

  function messageFor(element, wrapper) {
    if (element.validity.valueMissing) {
      return wrapper.getAttribute("data-error-required") || element.validationMessage;
    }
    return wrapper.getAttribute("data-error-invalid") || element.validationMessage;
  }

  function showError(wrapper, element) {
    var id = (isGroup(wrapper) ? "id_" + element.name : element.id) + "_client_error";
    var error = wrapper.querySelector("[data-client-error]");
    if (!error) {
      error = document.createElement("p");
      error.className = "field__error";
      error.id = id;
      error.setAttribute("data-client-error", "");
      var before = wrapper.querySelector(".choice") || element;
      before.parentNode.insertBefore(error, before);
    }
    error.textContent = "";
    var prefix = document.createElement("span");
    prefix.className = "visually-hidden";
    prefix.textContent = errorPrefix;
    error.appendChild(prefix);
    error.appendChild(document.createTextNode(" " + messageFor(element, wrapper)));
    wrapper.classList.add("field--error");
    wrapper.setAttribute("data-client-invalid", "");
    if (isGroup(wrapper)) {
      describedBy(wrapper, id, true);
    } else {
      describedBy(element, id, true);
      element.setAttribute("aria-invalid", "true");
    }
  }

  function clearError(wrapper, element) {
    if (!wrapper.hasAttribute("data-client-invalid")) {
      return;
    }
    var error = wrapper.querySelector("[data-client-error]");
    var serverError = wrapper.querySelector(".field__error:not([data-client-error])");
    if (error) {
      describedBy(isGroup(wrapper) ? wrapper : element, error.id, false);
      error.remove();
    }
    wrapper.removeAttribute("data-client-invalid");
    if (!serverError) {
      wrapper.classList.remove("field--error");
      if (!isGroup(wrapper)) {
        element.removeAttribute("aria-invalid");
      }
    }
  }

  // The first field of the step the browser finds invalid (after marking each), or null.
  function checkStep(index) {
    var firstInvalid = null;
    var seen = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.willValidate || !sections[index].contains(element)) {
        return;
      }
      var wrapper = wrapperOf(element);
      if (!wrapper || seen.indexOf(wrapper) >= 0) {
        return; // one message for a group of radio buttons
      }
      seen.push(wrapper);
      if (element.checkValidity()) {
        clearError(wrapper, element);
      } else {
        showError(wrapper, element);
        firstInvalid = firstInvalid || element;
      }
    });
    return firstInvalid;
  }

  // Check the steps from ``from`` up to (not including) ``to``; show the first with a problem.
  function checkSteps(from, to) {
    for (var i = from; i < to; i += 1) {
      var invalid = checkStep(i);
      if (invalid) {
        show(i, i === current ? null : "push", invalid);
        return false;
      }
    }
    return true;
  }

  function recheck(event) {
    var element = event.target;
    var wrapper = element.closest && wrapperOf(element);
    if (!wrapper || !wrapper.hasAttribute("data-client-invalid")) {
      return;
    }
    var first = isGroup(wrapper) ? wrapper.querySelector("input") : element;
    if (first.checkValidity()) {
      clearError(wrapper, first);
    }
  }

  // --- Moving between steps ----------------------------------------------------------------------------

  function goTo(index) {
    if (index > current && !checkSteps(current, index)) {
      return;
    }
    show(index, "push", "heading");
  }

  backButton.addEventListener("click", function () {
    show(current - 1, "push", "heading");
  });

  nextButton.addEventListener("click", function () {
    goTo(current + 1);
  });

  links.forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!active) {
        return;
      }
      event.preventDefault();
      goTo(indexOfAnchor(link.getAttribute("data-step-link")));
    });
  });

  // The error summary's links lead to a field: open its step, then focus it.
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!active || !target || !form.contains(target)) {
        return;
      }
      event.preventDefault();
      show(indexOfElement(target), "push", target);
    });
  }

  // Enter in a text field moves on rather than sending a half-filled form from a middle step.
  form.addEventListener("keydown", function (event) {
    var element = event.target;
    if (!active || event.key !== "Enter" || current === sections.length - 1 || submitAnywhere) {
      return;
    }
    if (element.tagName === "INPUT" && ["checkbox", "radio", "submit", "button"].indexOf(element.type) < 0) {
      event.preventDefault();
      goTo(current + 1);
    }
  });

  form.addEventListener("input", recheck);
  form.addEventListener("change", recheck);

  form.addEventListener("submit", function (event) {
    if (active && !checkSteps(0, sections.length)) {
      event.preventDefault();
    }
  });

  function followAddress() {
    if (!active) {
      return;
    }
    // The entry's own step when it has one (the page's first entry has no #section- address), else
    // the address (a link or a typed #section-…).
    var state = window.history.state;
    var index = state && typeof state.step === "number" ? state.step : indexOfHash();
    index = index < 0 ? 0 : index;
    if (index !== current) {
      show(index, null, null);
      // After the browser's own move to the address's fragment, which would take the focus back.
      window.setTimeout(focusHeading, 0);
    }
  }

  window.addEventListener("popstate", followAddress);
  window.addEventListener("hashchange", followAddress);

  // --- Narrow or wide ------------------------------------------------------------------------------------

  function firstStepWithErrors() {
    for (var i = 0; i < sections.length; i += 1) {
      if (sections[i].hasAttribute("data-step-has-errors")) {
        return i;
      }
    }
    // Only errors that belong to no field (e.g. "please submit again"): the step with the submit button.
    return summary ? sections.length - 1 : -1;
  }

  function update() {
    var wasActive = active;
    active = narrow.matches;
    if (active && !wasActive) {
      var index = firstStepWithErrors();
      if (index < 0) {
        index = Math.max(indexOfHash(), 0);
      }
      current = index;
      // Remember the step in this entry without changing its address: a new fragment would make the
      // browser move there when the page has loaded, taking the focus from the error summary.
      window.history.replaceState({ step: index }, "");
    }
    render();
  }

  if (narrow.addEventListener) {
    narrow.addEventListener("change", update);
  } else {
    narrow.addListener(update);
  }
  update();
})();
