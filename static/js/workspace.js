// Workspace behaviour on top of htmx: save-state indicator, error handling, face-map toggles.
(function () {
  "use strict";
  // 409 conflict, 422 invalid input and 503 database trouble carry a page fragment to show.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "503", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];
  document.documentElement.classList.add("js");

  function setState(cls, text) {
    var el = document.getElementById("save-state");
    if (!el) return;
    el.className = "save-state " + cls;
    el.textContent = text;
  }
  var form = document.getElementById("profile-form");
  var t = document.documentElement.lang === "en"
    ? { unsaved: "Unsaved changes", saving: "Saving…", failed: "Not saved: no connection. Your input is kept; try again." }
    : { unsaved: "未保存の変更があります", saving: "保存中…", failed: "保存できませんでした（接続エラー）。入力内容は残っています。もう一度お試しください。" };

  if (form) {
    form.addEventListener("input", function () { setState("unsaved", t.unsaved); });
    form.addEventListener("change", function (event) {
      var box = event.target.closest(".concern");
      if (box && event.target.classList.contains("concern-toggle")) box.classList.toggle("on", event.target.checked);
      if (event.target.name && event.target.name.indexOf("areas-") === 0) syncMap(event.target.name.slice(6));
    });
  }
  document.body.addEventListener("htmx:beforeRequest", function () { setState("saving", t.saving); });
  document.body.addEventListener("htmx:sendError", function () { setState("failed", t.failed); });
  document.body.addEventListener("htmx:responseError", function () { setState("failed", t.failed); });

  function boxes(slug) {
    return document.querySelectorAll('input[name="areas-' + slug + '"]');
  }
  function syncMap(slug) {
    var concern = document.getElementById("concern-" + slug);
    if (!concern) return;
    boxes(slug).forEach(function (box) {
      var group = concern.querySelector('.area-group[data-area="' + box.value + '"]');
      if (!group) return;
      group.setAttribute("aria-pressed", box.checked ? "true" : "false");
      group.querySelectorAll(".area").forEach(function (shape) { shape.classList.toggle("selected", box.checked); });
    });
  }
  function toggleArea(group) {
    var slug = group.getAttribute("data-concern");
    var area = group.getAttribute("data-area");
    var box = Array.prototype.find.call(boxes(slug), function (b) { return b.value === area; });
    if (!box) return;
    box.checked = !box.checked;
    var toggle = document.querySelector('#concern-' + slug + ' .concern-toggle');
    if (box.checked && toggle && !toggle.checked) {
      toggle.checked = true;
      toggle.closest(".concern").classList.add("on");
    }
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("click", function (event) {
    var group = event.target.closest(".area-group[role=button]");
    if (group) toggleArea(group);
  });
  document.addEventListener("keydown", function (event) {
    var group = event.target.closest && event.target.closest(".area-group[role=button]");
    if (group && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      toggleArea(group);
    }
  });
})();
