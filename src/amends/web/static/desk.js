// The agent's desk in the browser: keyboard shortcuts ("?" lists them), "typing a reply"
// for the presence beat, and saved replies inserted at the cursor. Every page works
// without it; it only adds quicker ways to the same links and forms.
(function () {
  "use strict";

  var TYPING_IDLE_MS = 6000;

  function byId(id) {
    return document.getElementById(id);
  }

  function caseId() {
    var desk = byId("desk");
    return desk ? desk.getAttribute("data-case-id") : null;
  }

  function typingInField(event) {
    var el = event.target;
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  function focusOn(el) {
    if (!el) return false;
    el.scrollIntoView({ block: "center" });
    el.focus();
    return true;
  }

  function stepControl(n) {
    var steps = document.querySelectorAll("#playbook li.step");
    var step = steps[n - 1];
    if (!step) return null;
    // A step done has no control; its row still gets the reader's attention.
    return step.querySelector("button, a") || null;
  }

  function helpDialog() {
    var dialog = byId("keyboard-help");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  function search() {
    var box = byId("inbox-q");
    if (box) return focusOn(box);
    window.location.href = "/cases#search";
    return true;
  }

  var keys = {
    "?": helpDialog,
    "/": search,
    j: function () {
      var id = caseId();
      window.location.href = "/next-case" + (id ? "?after=" + encodeURIComponent(id) : "");
    },
    r: function () {
      return focusOn(byId("reply-text"));
    },
    c: function () {
      return focusOn(byId("close-outcome"));
    },
    a: function () {
      var form = byId("take-case");
      if (form) form.requestSubmit();
    },
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.isComposing) return;
    var reply = byId("reply-text");
    var replyForm = reply ? reply.form : null;
    if (
      event.key === "Enter" &&
      (event.ctrlKey || event.metaKey) &&
      replyForm &&
      event.target &&
      event.target.form === replyForm
    ) {
      // Anywhere in the reply form: the text, a step to complete, the offer.
      event.preventDefault();
      replyForm.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || typingInField(event)) return;
    var dialog = byId("keyboard-help");
    if (dialog && dialog.open) return;
    if (/^[1-9]$/.test(event.key)) {
      if (focusOn(stepControl(Number(event.key)))) event.preventDefault();
      return;
    }
    var action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  // Shortcuts named on the controls themselves, for assistive technology.
  function label(id, shortcut) {
    var el = byId(id);
    if (el) el.setAttribute("aria-keyshortcuts", shortcut);
  }

  function typing() {
    var reply = byId("reply-text");
    var flag = byId("presence-typing");
    if (!reply || !flag) return;
    var timer = null;
    reply.addEventListener("input", function () {
      flag.value = "1";
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        flag.value = "";
      }, TYPING_IDLE_MS);
    });
  }

  function quietPresence() {
    // The beat's answer is swapped in only when it changed, so a screen reader hears
    // who came and went, not the same names every few seconds.
    var last = null;
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var detail = event.detail;
      if (!detail || !detail.target || detail.target.id !== "presence-list") return;
      var answer = (detail.xhr && detail.xhr.responseText) || "";
      if (answer === last) detail.shouldSwap = false;
      last = answer;
    });
  }

  function insertAtCursor(box, text) {
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    var before = box.value.slice(0, start);
    var after = box.value.slice(end);
    box.value = before + text + after;
    var at = start + text.length;
    box.setSelectionRange(at, at);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  function savedReplies() {
    var form = byId("saved-reply-form");
    var box = byId("reply-text");
    var select = byId("saved-reply");
    if (!form || !box || !select) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url =
        "/cases/" +
        encodeURIComponent(form.getAttribute("data-case-id")) +
        "/saved-replies/" +
        encodeURIComponent(select.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/plain" } })
        .then(function (answer) {
          if (!answer.ok) throw new Error(String(answer.status));
          return answer.text();
        })
        .then(function (text) {
          insertAtCursor(box, text);
        })
        .catch(function () {
          form.submit(); // the page fills it in instead
        });
    });
  }

  function start() {
    label("reply-text", "R");
    label("close-outcome", "C");
    label("inbox-q", "/");
    typing();
    quietPresence();
    savedReplies();
    if (window.location.hash === "#search") focusOn(byId("inbox-q"));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
