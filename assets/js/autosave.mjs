// Saves a draft application's page in the background every 30 seconds, when something on it has
// changed, and says so in the page's "Last saved" line (read out by screen readers). Without
// JavaScript nothing is lost: every page also saves on "Save and continue".

const PROBLEM =
  "We could not save your answers just now. They will be saved when you press “Save and continue”.";

function serialise(form) {
  return new URLSearchParams(new FormData(form)).toString();
}

function startAutosave(form, status) {
  const seconds = Number(form.dataset.autosaveSeconds) || 30;
  let lastSent = serialise(form);
  let saving = false;

  const say = (text) => {
    if (status && text && status.textContent !== text) status.textContent = text;
  };

  const save = async () => {
    const current = serialise(form);
    if (saving || current === lastSent) return;
    saving = true;
    try {
      // The form's own CSRF token travels in the body, as it does when the form is sent.
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "manual",
      });
      const isJson = (response.headers.get("content-type") || "").includes("application/json");
      if (!isJson) {
        say(PROBLEM);
        return;
      }
      const result = await response.json();
      if (response.ok) lastSent = current;
      say(result.message || PROBLEM);
    } catch {
      say(PROBLEM);
    } finally {
      saving = false;
    }
  };

  setInterval(save, seconds * 1000);
}

const form = document.querySelector("form[data-autosave-url]");
if (form) startAutosave(form, document.querySelector("[data-autosave-status]"));
