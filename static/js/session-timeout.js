// Warns staff before an idle session ends, so no one loses typed work to a silent time-out
// (JIS X 8341-3 / WCAG 2.2.1). The server ends a session after SESSION_COOKIE_AGE seconds
// without a request; "続ける" makes a request that starts the period again.
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = parseInt(script.dataset.sessionSeconds, 10);
  var keepaliveUrl = script.dataset.keepaliveUrl;
  var warnBefore = Math.min(300, Math.floor(seconds / 4));
  var warnTimer, endTimer;

  function banner() {
    var box = document.getElementById("session-timeout");
    if (box) { return box; }
    box = document.createElement("div");
    box.id = "session-timeout";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-live", "assertive");
    box.setAttribute("aria-labelledby", "session-timeout-text");
    box.hidden = true;
    box.innerHTML = '<p id="session-timeout-text"></p><button type="button" class="button default">作業を続ける</button>';
    box.querySelector("button").addEventListener("click", keepAlive);
    document.body.insertBefore(box, document.body.firstChild);
    return box;
  }

  function show(text, withButton) {
    var box = banner();
    box.querySelector("p").textContent = text;
    box.querySelector("button").hidden = !withButton;
    box.hidden = false;
    if (withButton) { box.querySelector("button").focus(); }
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(function () {
      show("操作がないため、あと" + Math.round(warnBefore / 60) + "分で自動的にログアウトします。" +
           "入力を続ける場合は「作業を続ける」を押してください。", true);
    }, (seconds - warnBefore) * 1000);
    endTimer = setTimeout(function () {
      show("操作がなかったため、ログアウトしました。保存していない入力内容は失われています。" +
           "ページを再読み込みしてログインし直してください。", false);
    }, seconds * 1000);
  }

  function keepAlive() {
    fetch(keepaliveUrl, { credentials: "same-origin" }).then(function (response) {
      if (response.ok) {
        banner().hidden = true;
        schedule();
      }
    });
  }

  schedule();
})();
