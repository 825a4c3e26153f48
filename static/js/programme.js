// Progressive enhancement for the programme page. On a narrow screen, fold the filter panel when no
// filter is in use, so that the first sessions are on screen; the panel's summary opens it again.
// Without JavaScript the panel simply stays open.
(function () {
  "use strict";
  var panel = document.querySelector("details[data-fold-when-narrow]");
  if (!panel || panel.hasAttribute("data-filters-active")) {
    return;
  }
  if (window.matchMedia("(max-width: 40rem)").matches) {
    panel.open = false;
  }
})();
