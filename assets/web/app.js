// vneid-recon office page: drag and drop onto the file input, copy the chat text, show a run's
// progress, change day on select. Every form also works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("files");
  if (zone && input) {
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.form.requestSubmit();
      }
    });
  }
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.value);
      } catch (_) {
        source.select();
        document.execCommand("copy");
      }
      button.textContent = "Đã sao chép";
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  const runForm = document.getElementById("run-form");
  if (runForm) {
    runForm.addEventListener("submit", () => {
      const button = runForm.querySelector("button");
      const status = document.getElementById("run-progress");
      button.disabled = true;
      const poll = async () => {
        try {
          const answer = await fetch("/api/run/status", { credentials: "same-origin" });
          const state = await answer.json();
          if (state.running) {
            status.textContent = state.total > 0 && state.read < state.total
              ? `Đang đọc ${state.read}/${state.total} tệp…`
              : "Đang tính và ghi kết quả…";
          }
        } catch (_) { /* the page is being replaced */ }
        setTimeout(poll, 500);
      };
      status.textContent = "Đang chạy…";
      setTimeout(poll, 300);
    });
  }
});
