// django-modeltranslation's ja/en tabs (jQuery UI tabs) made accessible, after they are built.
//
// jQuery UI makes each <li> the tab (role="tab", focusable, keyboard-driven) and leaves an <a href>
// inside it: a second interactive control nested in the first, which screen readers announce and axe
// reports (nested-interactive). The tab panels here are always in the page, so the link's href is
// removed once the tabs exist, and jQuery UI is told every tab is local (without an href it would
// otherwise fetch the panel over the network). The page-wide ja/en switch gets an accessible name.
window.addEventListener("load", function () {
  "use strict";
  var jq = window.jQuery;
  if (!jq || !jq.ui || !jq.ui.tabs) {
    return;
  }
  jq.ui.tabs.prototype._isLocal = function () {
    return true;
  };
  var label = (document.documentElement.lang || "").indexOf("ja") === 0 ? "表示する言語" : "Language shown";

  function fix() {
    document.querySelectorAll(".ui-tabs-nav a.ui-tabs-anchor[href]").forEach(function (anchor) {
      anchor.removeAttribute("href");
      anchor.style.cursor = "pointer";
    });
    var mainSwitch = document.getElementById("modeltranslation-main-switch");
    if (mainSwitch && !mainSwitch.hasAttribute("aria-label")) {
      mainSwitch.setAttribute("aria-label", label);
    }
  }

  fix();
  // "Add another" inlines build their tabs later.
  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
});
