// The month view's panels: one open at a time; Esc, the × button or a click outside
// closes it. The print button prints the page (the print stylesheet lays out reasons).
(function () {
  "use strict";
  var marks = Array.prototype.slice.call(document.querySelectorAll("details.mark"));

  function closeAll(except) {
    marks.forEach(function (d) { if (d !== except && d.open) { d.open = false; } });
  }

  marks.forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (d.open) { closeAll(d); }
    });
    var close = d.querySelector(".panel .close");
    if (close) {
      close.addEventListener("click", function () {
        d.open = false;
        d.querySelector("summary").focus();
      });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = marks.filter(function (d) { return d.open; });
      closeAll(null);
      if (open.length) { open[0].querySelector("summary").focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("details.mark")) { closeAll(null); }
  });

  var print = document.querySelector("[data-print]");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
