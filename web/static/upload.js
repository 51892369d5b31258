// Drag and drop for the upload page: dropped files go into the form's file input, so
// the form posts them as a plain multipart form would (the page works without this).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.querySelector("[data-dropzone]");
  if (!zone) return;
  const input = zone.querySelector("input[type=file]");
  const list = zone.querySelector("[data-dropzone-list]");
  const show = () => {
    list.textContent = Array.from(input.files).map((f) => f.name).join(", ");
  };
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("is-dragging");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => {
    zone.classList.remove("is-dragging");
  }));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
});
