// Starts GOV.UK Frontend's components and the sign-out warning. Everything works without it.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

function startTimeoutWarning(dialog) {
  const idleSeconds = Number(dialog.dataset.idleSeconds);
  const warnSeconds = Number(dialog.dataset.warnSeconds);
  const countdown = dialog.querySelector("[data-countdown]");
  let deadline = Date.now() + idleSeconds * 1000;
  let lastAnnounced = null;

  const describe = (seconds) => {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  };

  // Signing in again brings the person back to this page.
  const signInAgain = () => {
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.href = `${dialog.dataset.loginUrl}?next=${next}`;
  };

  const tick = () => {
    const secondsLeft = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (secondsLeft === 0) {
      signInAgain();
      return;
    }
    if (secondsLeft <= warnSeconds) {
      if (!dialog.open) dialog.showModal();
      // Announce once a minute, then every 20 seconds at the end, so screen readers are not flooded.
      const text = describe(secondsLeft);
      const step = secondsLeft > 60 ? 60 : 20;
      if (lastAnnounced === null || secondsLeft % step === 0) {
        countdown.textContent = text;
        lastAnnounced = text;
      }
    }
  };

  dialog.querySelector("[data-extend]").addEventListener("click", async () => {
    const csrf = document.cookie.split("; ").find((c) => c.includes("csrftoken="));
    const response = await fetch(dialog.dataset.statusUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf ? csrf.split("=")[1] : "" },
      credentials: "same-origin",
    });
    const status = await response.json();
    if (!status.signed_in) {
      signInAgain();
      return;
    }
    deadline = Date.now() + status.seconds_left * 1000;
    lastAnnounced = null;
    dialog.close();
  });

  setInterval(tick, 1000);
}

const dialog = document.getElementById("timeout-warning");
if (dialog) startTimeoutWarning(dialog);
