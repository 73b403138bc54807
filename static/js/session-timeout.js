// Warns staff before an idle session ends, so no one loses typed work to a silent time-out
// (JIS X 8341-3 / WCAG 2.2.1). The server ends a session after SESSION_COOKIE_AGE seconds
// without a request; "続ける" makes a request that starts the period again. It also ends it
// SESSION_ABSOLUTE_AGE after login, which nothing postpones: that end is announced too.
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

  // The absolute end, hours after login, cannot be postponed: warn before it, with no button.
  function warnOfTheEnd(endsIn) {
    var before = Math.min(300, endsIn);
    setTimeout(function () {
      clearTimeout(warnTimer);
      show("ログインからの利用時間の上限まで、あと" + Math.max(1, Math.round(before / 60)) + "分です。" +
           "入力中の内容を保存してください。時間になると自動的にログアウトします。", false);
    }, (endsIn - before) * 1000);
  }

  schedule();
  var endsIn = parseInt(script.dataset.sessionEndsIn, 10);
  if (endsIn >= 0) { warnOfTheEnd(endsIn); }
})();
