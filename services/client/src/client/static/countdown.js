// Live countdowns to orders' expiry, on the orders list and an unpaid order's page.
(function () {
  var started = Date.now();
  var counters = Array.prototype.slice.call(document.querySelectorAll(".countdown[data-seconds-left]"));
  if (counters.length === 0) return;
  function render() {
    var running = false;
    counters.forEach(function (element) {
      var left = Math.max(0, Math.round(Number(element.dataset.secondsLeft) - (Date.now() - started) / 1000));
      if (left === 0) {
        element.textContent = "Order expired";
        document.querySelectorAll("form.pay, form.cancel").forEach(function (form) { form.hidden = true; });
        return;
      }
      running = true;
      element.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s" + (element.dataset.suffix || "");
    });
    if (running) setTimeout(render, 1000);
  }
  render();
})();
