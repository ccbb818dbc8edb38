// The file's legal clock, refreshed from the server (never counted down here): every few minutes, and when the
// tab comes back into view, the figures are asked again from /files/<id>/clock/.
const box = document.getElementById("file-clock");
if (box) {
  const figures = document.getElementById("file-clock-figures");
  const every = Number(box.dataset.refreshSeconds || "300") * 1000;
  const refresh = async () => {
    try {
      const response = await fetch(box.dataset.refreshUrl, { credentials: "same-origin" });
      if (response.ok) figures.innerHTML = await response.text();
    } catch (error) {
      // offline: the figures shown stay those of the last answer (their date says so)
    }
  };
  setInterval(refresh, every);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
}
