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
    ? { unsaved: "Unsaved changes", saving: "Saving…", failed: "Not saved: no connection. Your input is kept; try again.",
        draft: "What you typed after your session ended was not saved. It was kept on this device.",
        restore: "Put it back and save", discard: "Discard it", restored: "Put back; saving…" }
    : { unsaved: "未保存の変更があります", saving: "保存中…", failed: "保存できませんでした（接続エラー）。入力内容は残っています。もう一度お試しください。",
        draft: "ログインが切れた後に入力した内容は保存されていません。この端末に残してあります。",
        restore: "元に戻して保存する", discard: "破棄する", restored: "入力を戻しました。保存中…" };

  // Unsaved input: typed and not yet sent, or refused (a field in error). Leaving then asks first.
  var dirty = false;
  var inFlight = false;
  function isSave(elt) { return !!elt && elt.getAttribute && elt.getAttribute("data-hx-target") === "#results"; }

  function changedSinceServed(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {
        // With no option marked selected in the HTML, a single select starts on its first option.
        var marked = Array.prototype.some.call(el.options, function (o) { return o.defaultSelected; });
        return Array.prototype.some.call(el.options, function (o, i) {
          return o.selected !== (marked ? o.defaultSelected : i === 0 && !el.multiple);
        });
      }
      if (el.type === "hidden" || el.type === "submit" || el.type === "button") return false;
      return "defaultValue" in el && el.value !== el.defaultValue;
    });
  }

  if (form) {
    form.addEventListener("input", function () { dirty = true; setState("unsaved", t.unsaved); });
    form.addEventListener("change", function (event) {
      dirty = true;
      var box = event.target.closest(".concern");
      if (box && event.target.classList.contains("concern-toggle")) box.classList.toggle("on", event.target.checked);
      if (event.target.name && event.target.name.indexOf("areas-") === 0) syncMap(event.target.name.slice(6));
    });
    // A change made while the page was still loading, before htmx listened, is saved, not dropped.
    htmx.onLoad(function (elt) {
      if (elt === document.body && changedSinceServed(form)) htmx.trigger(form, "change");
    });
    // Pending typing is sent at once when the tab is hidden (switching apps on the tablet, closing it).
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty && !inFlight) htmx.trigger(form, "change");
    });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty && !inFlight) return;
      htmx.trigger(form, "change");
      event.preventDefault();
      event.returnValue = "";
    });
  }
  // Only saves and option changes answer with the save state; a handout issue leaves the badge alone.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (!isSave(event.detail.elt)) return;
    if (event.detail.elt === form) { dirty = false; inFlight = true; }
    setState("saving", t.saving);
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) return;
    inFlight = false;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    // 422: a field was refused and its text is still only on this page; 503 / no answer: nothing saved.
    // (409: another tab's version won; the banner says to reload, so leaving is not held up.)
    if (status === 422 || status === 503 || status === 0) dirty = true;
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    if (isSave(event.detail.elt)) setState("failed", t.failed);
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    if (isSave(event.detail.elt)) setState("failed", t.failed);
  });
  // Each field the server refused is marked (aria-invalid) and described by its message.
  function markFields() {
    document.querySelectorAll(".field-error").forEach(function (span) {
      var field = form && form.elements[span.id.slice(6)];
      if (!field || !field.setAttribute) return;
      field.setAttribute("aria-describedby", span.id);
      if (span.textContent.trim()) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    });
  }
  markFields();
  document.body.addEventListener("htmx:afterSettle", markFields);
  // "Saved, except 1 field — check it" (a partly refused save) takes the counselor to the first
  // marked field, centred so the sticky status bar does not cover it.
  document.addEventListener("click", function (event) {
    var jump = event.target.closest && event.target.closest(".save-state-jump");
    var field = jump && form && form.querySelector("[aria-invalid=true]");
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });

  // The session ended: the server answers a save with a redirect to the login page. What was typed
  // is kept in this tab (sessionStorage) and offered back after logging in, never saved unasked.
  // Tablets are shared, so a draft belongs to the user the page was made for and to this
  // consultation, lives DRAFT_MINUTES, and goes on signing out: another user's draft, or an old one,
  // is discarded unseen.
  var DRAFT_MINUTES = 30;
  var notice = document.getElementById("draft-notice");
  var owner = notice ? notice.getAttribute("data-owner") : "";
  var draftKey = "draft:" + owner + ":" + location.pathname;
  function readDraft(key) {
    var draft = null;
    try { draft = JSON.parse(sessionStorage.getItem(key)); } catch (e) { return null; }
    if (!draft || !Array.isArray(draft.entries) || typeof draft.at !== "number") return null;
    var age = Date.now() - draft.at;
    return age >= 0 && age < DRAFT_MINUTES * 60000 ? draft : null;
  }
  function dropDrafts(keep) {
    try {
      for (var i = sessionStorage.length - 1; i >= 0; i--) {
        var key = sessionStorage.key(i);
        if (key && key.indexOf("draft:") === 0 && !keep(key)) sessionStorage.removeItem(key);
      }
    } catch (e) { /* storage unavailable: nothing kept */ }
  }
  dropDrafts(function (key) { return owner && key.indexOf("draft:" + owner + ":") === 0 && readDraft(key); });
  document.addEventListener("submit", function (event) {
    if ((event.target.getAttribute("action") || "").indexOf("/logout") !== -1) dropDrafts(function () { return false; });
  });
  function snapshot() {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "version") entries.push([name, value]);
    });
    return entries;
  }
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var to = xhr && xhr.getResponseHeader("HX-Redirect");
    if (!form || !to || to.indexOf("/login") === -1) return;
    try {
      if (owner) sessionStorage.setItem(draftKey, JSON.stringify({ at: Date.now(), entries: snapshot() }));
    } catch (e) { /* private mode: nothing kept */ }
    dirty = false;
    inFlight = false;
  });
  function restore(entries) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "version") return;
      var values = entries.filter(function (e) { return e[0] === el.name; }).map(function (e) { return e[1]; });
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.indexOf(el.value) !== -1;
      else if (values.length) el.value = values[0];
    });
    document.querySelectorAll(".concern").forEach(function (box) {
      var toggle = box.querySelector(".concern-toggle");
      box.classList.toggle("on", !!(toggle && toggle.checked));
      syncMap(box.id.slice(8));
    });
  }
  var saved = readDraft(draftKey);
  if (form && saved && notice) {
    notice.hidden = false;
    notice.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = t.draft;
    var put = document.createElement("button");
    put.type = "button";
    put.className = "primary";
    put.textContent = t.restore;
    var drop = document.createElement("button");
    drop.type = "button";
    drop.textContent = t.discard;
    notice.append(text, put, " ", drop);
    var forget = function () {
      try { sessionStorage.removeItem(draftKey); } catch (e) { /* nothing kept */ }
      notice.hidden = true;
      notice.textContent = "";
    };
    put.addEventListener("click", function () {
      if (!readDraft(draftKey)) { forget(); return; }  // its time ran out while the offer was on screen
      restore(saved.entries);
      forget();
      dirty = true;
      setState("unsaved", t.restored);
      htmx.trigger(form, "change");
    });
    drop.addEventListener("click", forget);
  }

  // One write at a time. Every save and option change carries the version this page last saw, so two
  // requests in flight at once would carry the same version and the server would refuse the second as
  // a conflict with another tab, when it is this tab's own earlier change. It happens as soon as a
  // counselor types a note and clicks "Add to comparison": leaving the note field saves it (change),
  // and the click posts at the same moment. So a write waits until the one in flight has been answered
  // and swapped in (with the new version); the last profile change and every click are then sent in order.
  var busy = false;
  var waiting = [];
  function isWrite(elt) { return !!(elt && elt.closest && elt.closest(".workspace")); }
  function sendWaiting() {
    while (!busy && waiting.length) waiting.shift()();
  }
  function later(detail) {
    var elt = detail.elt;
    if (elt === form) {
      // The form is read when the request is sent, so one waiting save carries every change made meanwhile.
      if (waiting.some(function (run) { return run.profile; })) return;
      var save = function () { detail.issueRequest(true); };
      save.profile = true;
      waiting.push(save);
      return;
    }
    // An option button's form is replaced when the answer before it re-renders the results; the same
    // button in the new results (with the new version) is pressed instead, if it is still offered.
    // (Anything else that is gone by then, e.g. a second click on "Print handout", is not repeated.)
    var url = elt.getAttribute("data-hx-post");
    var fields = elt.elements || {};
    var action = fields.action ? fields.action.value : null;
    var treatment = fields.treatment ? fields.treatment.value : null;
    waiting.push(function () {
      if (document.body.contains(elt)) { detail.issueRequest(true); return; }
      if (action === null) return;
      var same = Array.prototype.find.call(document.querySelectorAll(".workspace form[data-hx-post]"), function (f) {
        if (f.getAttribute("data-hx-post") !== url || !f.elements.action || f.elements.action.value !== action) return false;
        var field = f.elements.treatment;
        if (!field) return treatment === null;
        if (field.tagName === "SELECT") {
          if (!Array.prototype.some.call(field.options, function (o) { return o.value === treatment; })) return false;
          field.value = treatment;
          return true;
        }
        return field.value === treatment;
      });
      // htmx.ajax rather than a submit event: htmx may not have processed the new form yet.
      if (same) htmx.ajax("POST", url, { source: same });
    });
  }
  document.body.addEventListener("htmx:confirm", function (event) {
    if (busy && isWrite(event.detail.elt)) {
      event.preventDefault();
      later(event.detail);
    }
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (isWrite(event.detail.elt)) busy = true;
  });
  function done(event) {
    if (!isWrite(event.detail.elt)) return;
    busy = false;
    sendWaiting();
  }
  document.body.addEventListener("htmx:afterRequest", done);
  // A response that cannot be swapped in ends without afterRequest; later saves must still go out.
  document.body.addEventListener("htmx:onLoadError", done);

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
