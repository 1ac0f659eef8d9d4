// Copy and print buttons for a family's link. Without JavaScript the buttons stay hidden and the
// link can still be selected and copied, and the page printed from the browser's menu.
const status = document.querySelector("[data-copy-status]");

for (const button of document.querySelectorAll("[data-copy-link]")) {
  const input = document.getElementById(button.dataset.copyLink);
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      if (status) status.textContent = "The link has been copied.";
    } catch {
      input.select();
      if (status) status.textContent = "Select the link and copy it.";
    }
  });
}

for (const button of document.querySelectorAll("[data-print-page]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
