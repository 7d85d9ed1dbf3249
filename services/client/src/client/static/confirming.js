// The order page right after a payment: ask the page again until orders has confirmed the
// payment (or the order ended otherwise), then show what it says now, without a reload.
(function () {
  var order = document.getElementById("order");
  if (!order) return;
  var delay = 500;
  var waited = 0;
  function check() {
    fetch(window.location.pathname, { headers: { accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var now = html && new DOMParser().parseFromString(html, "text/html").getElementById("order");
        if (now && now.dataset.orderStatus !== "created") {
          order.replaceWith(now);
          return;
        }
        again();
      })
      .catch(again);
  }
  function again() {
    waited += delay;
    if (waited > 120000) return;  // two minutes: something is wrong; a reload will tell
    delay = Math.min(delay * 2, 4000);
    setTimeout(check, delay);
  }
  setTimeout(check, delay);
})();
