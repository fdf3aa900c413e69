// Copy buttons of the month view: put the 摘要欄 text on the clipboard.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) { return; }
    var box = document.getElementById(button.getAttribute("data-copy"));
    if (!box) { return; }
    function done() {
      button.textContent = "コピーしました";
      setTimeout(function () { button.textContent = "コピー"; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(done, function () { box.select(); document.execCommand("copy"); done(); });
    } else {
      // Plain http on the hospital network: the Clipboard API is not available there.
      box.select();
      document.execCommand("copy");
      done();
    }
  });
})();
