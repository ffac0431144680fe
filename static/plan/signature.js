// The patient's signature on the tablet: pointer events (finger, pen or mouse) on a <canvas>, kept
// as strokes of points in a 1000 × 300 box and posted as JSON. No library, no external service.
(function () {
  "use strict";
  const pad = document.getElementById("signature-pad");
  if (!pad) return;
  const form = pad.closest("form");
  const field = form.querySelector("input[name=signature]");
  const submit = form.querySelector("button[type=submit]");
  const clear = document.getElementById("signature-clear");
  const context = pad.getContext("2d");
  const strokes = [];
  let current = null;

  function point(event) {
    const box = pad.getBoundingClientRect();
    const x = Math.min(1000, Math.max(0, ((event.clientX - box.left) / box.width) * 1000));
    const y = Math.min(300, Math.max(0, ((event.clientY - box.top) / box.height) * 300));
    return [Math.round(x), Math.round(y)];
  }
  function draw() {
    context.clearRect(0, 0, pad.width, pad.height);
    context.lineWidth = 5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
    for (const stroke of strokes) {
      context.beginPath();
      stroke.forEach(([x, y], i) => {
        const px = (x / 1000) * pad.width;
        const py = (y / 300) * pad.height;
        if (i === 0) context.moveTo(px, py); else context.lineTo(px, py);
      });
      if (stroke.length === 1) context.lineTo((stroke[0][0] / 1000) * pad.width + 1, (stroke[0][1] / 300) * pad.height);
      context.stroke();
    }
    field.value = strokes.length ? JSON.stringify(strokes) : "";
    submit.disabled = strokes.length === 0;
  }
  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    current = [point(event)];
    strokes.push(current);
    draw();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!current) return;
    current.push(point(event));
    draw();
  });
  for (const type of ["pointerup", "pointercancel"]) {
    pad.addEventListener(type, () => { current = null; });
  }
  clear.addEventListener("click", () => { strokes.length = 0; draw(); });
  draw();
})();
