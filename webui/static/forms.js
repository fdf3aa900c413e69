// Forms: destructive actions ask first: a button or form with data-confirm="…" shows that
// question; 「キャンセル」 stops the submit. (No inline script: the CSP forbids it.)
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
  // Drag and drop onto an upload form puts the files into its file box.
  Array.prototype.forEach.call(document.querySelectorAll("form.drop-zone"), function (zone) {
    var input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (input && event.dataTransfer && event.dataTransfer.files.length) { input.files = event.dataTransfer.files; }
    });
  });
  // Upload forms: the button is disabled and a progress bar shows while sending.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented || !window.XMLHttpRequest || !window.FormData) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var bar = form.querySelector("progress");
      var note = form.querySelector(".upload-status");
      if (button) { button.disabled = true; button.textContent = "送信中…"; }
      if (bar) { bar.hidden = false; bar.value = 0; }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && bar) { bar.value = Math.round(e.loaded / e.total * 100); }
        if (note) {
          note.textContent = e.loaded < e.total ? "送信中 " + Math.round(e.loaded / e.total * 100) + "%"
                                                : "取り込み中です。しばらくお待ちください…";
        }
      });
      request.addEventListener("load", function () {
        // The answer is a page (results) or a redirect already followed: show it.
        document.open();
        document.write(request.responseText);
        document.close();
        if (request.responseURL) { history.replaceState(null, "", request.responseURL); }
      });
      request.addEventListener("error", function () {
        if (button) { button.disabled = false; button.textContent = "送信"; }
        if (note) { note.textContent = "送信できませんでした。もう一度お試しください。"; }
      });
      request.send(new FormData(form));
    });
  });
})();
