// Live countdown to an order's expiry: the only script of the client.
(function () {
  var element = document.getElementById("countdown");
  if (!element) return;
  var deadline = Date.now() + Number(element.dataset.secondsLeft) * 1000;
  function render() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (left === 0) {
      element.textContent = "Order expired";
      var form = document.querySelector("form.pay");
      if (form) form.hidden = true;
      return;
    }
    element.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s left to pay";
    setTimeout(render, 1000);
  }
  render();
})();
