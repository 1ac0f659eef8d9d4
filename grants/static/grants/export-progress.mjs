// Keeps an export's progress up to date without reloading the page. Without JavaScript the page
// offers a "Check progress" link instead.
const panel = document.querySelector("[data-export-status-url]");

if (panel) {
  const bar = panel.querySelector("progress");
  const message = panel.querySelector("[data-export-message]");
  const download = panel.querySelector("[data-export-download]");
  const check = panel.querySelector("[data-export-check]");

  const poll = async () => {
    const response = await fetch(panel.dataset.exportStatusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const state = await response.json();
    bar.value = state.percent;
    message.textContent = state.message;
    if (state.status === "ready") {
      download.hidden = false;
      if (check) check.hidden = true;
      return;
    }
    if (state.status !== "failed") window.setTimeout(poll, 1500);
  };
  window.setTimeout(poll, 1000);
}
