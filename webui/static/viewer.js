// Page viewer: zoom and rotate the page images of a document (the view only; the original is untouched).
(function () {
  "use strict";
  var viewer = document.querySelector(".viewer");
  if (!viewer) { return; }
  var pages = viewer.querySelector(".pages");
  var label = viewer.querySelector(".zoom-level");
  var images = viewer.querySelectorAll(".page img");
  var zoom = 1;
  var turns = 0; // quarter turns chosen by the user, on top of each page's recorded rotation

  function layout(img, width) {
    // Until the image has loaded, assume an A4 portrait page so the frame is not empty.
    var w = img.naturalWidth || 1000;
    var h = img.naturalHeight || 1414;
    var degrees = ((parseInt(img.dataset.rotation || "0", 10) + turns * 90) % 360 + 360) % 360;
    var sideways = degrees === 90 || degrees === 270;
    // The frame takes the size of the turned page; the image turns about the frame's centre.
    var imageWidth = sideways ? width * w / h : width;
    img.style.width = imageWidth + "px";
    img.style.transform = "translate(-50%, -50%) rotate(" + degrees + "deg)";
    img.parentElement.style.width = width + "px";
    img.parentElement.style.height = (sideways ? imageWidth : width * h / w) + "px";
  }

  function apply() {
    var width = Math.max(pages.clientWidth - 24, 100) * zoom;
    images.forEach(function (img) { layout(img, width); });
    label.textContent = Math.round(zoom * 100) + "%";
  }

  viewer.querySelector(".toolbar").addEventListener("click", function (event) {
    var action = event.target.getAttribute("data-action");
    if (action === "zoom-in") { zoom = Math.min(zoom * 1.25, 5); }
    if (action === "zoom-out") { zoom = Math.max(zoom / 1.25, 0.25); }
    if (action === "fit") { zoom = 1; }
    if (action === "rotate-left") { turns -= 1; }
    if (action === "rotate-right") { turns += 1; }
    apply();
  });
  images.forEach(function (img) { img.addEventListener("load", apply); });
  window.addEventListener("resize", apply);
  apply();
})();
