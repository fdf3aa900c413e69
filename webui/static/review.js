// The review list by keyboard: J/K move between documents, Enter in a box confirms
// (the form's own submit), O opens the document. After a confirm the page comes back
// at the same document, or at the next one when that document is done.
(function () {
  "use strict";
  var docs = Array.prototype.slice.call(document.querySelectorAll(".review-doc"));
  if (!docs.length) { return; }

  function control(doc) {
    return doc.querySelector("input[name=value], select[name=value], button");
  }

  function focusDoc(doc) {
    docs.forEach(function (d) { d.classList.toggle("current", d === doc); });
    var c = control(doc);
    (c || doc).focus();
    if (c && c.select) { c.select(); }
    doc.scrollIntoView({block: "nearest"});
  }

  function current() {
    var active = document.activeElement;
    for (var i = 0; i < docs.length; i++) {
      if (docs[i].contains(active)) { return i; }
    }
    var marked = docs.findIndex(function (d) { return d.classList.contains("current"); });
    return marked;
  }

  var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  focusDoc(target && docs.indexOf(target) >= 0 ? target : docs[0]);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName);
    var key = event.key.toLowerCase();
    var i = current();
    if ((key === "j" && !typing) || (key === "arrowdown" && event.shiftKey)) {
      event.preventDefault();
      focusDoc(docs[Math.min(docs.length - 1, i + 1)]);
    } else if ((key === "k" && !typing) || (key === "arrowup" && event.shiftKey)) {
      event.preventDefault();
      focusDoc(docs[Math.max(0, i - 1)]);
    } else if (key === "o" && !typing && i >= 0) {
      event.preventDefault();
      location.href = docs[i].getAttribute("data-href");
    }
  });
})();
