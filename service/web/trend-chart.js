// A small inline SVG line chart of loneliness over time (0 = least, 1 = most lonely).

import { h, shortDate } from "./ui.js";

const WIDTH = 320;
const HEIGHT = 140;
const PAD = { left: 34, right: 10, top: 12, bottom: 24 };

/** `points` are {at: ISO time, loneliness: 0..1}, oldest first. */
export function trendChart(points, name) {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const span = Math.max(Math.max(...times) - t0, 1);
  const x = (t) => PAD.left + (points.length === 1 ? plotW / 2 : ((t - t0) / span) * plotW);
  const y = (v) => PAD.top + (1 - v) * plotH;
  const coords = points.map((p, i) => [x(times[i]), y(p.loneliness)]);
  const first = points[0];
  const last = points[points.length - 1];
  const change = last.loneliness - first.loneliness;
  const summary =
    points.length < 2
      ? `One check-in, on ${shortDate(first.at)}.`
      : `${points.length} check-ins from ${shortDate(first.at)} to ${shortDate(last.at)}; loneliness ${
          Math.abs(change) < 0.05 ? "about the same" : change > 0 ? "worse" : "better"
        } (${Math.round(first.loneliness * 100)} to ${Math.round(last.loneliness * 100)} out of 100).`;
  return h(
    "figure",
    { class: "trend-figure" },
    h(
      "svg",
      { class: "trend", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-labelledby": "trend-title trend-desc" },
      h("title", { id: "trend-title" }, `Loneliness over time for ${name}`),
      h("desc", { id: "trend-desc" }, summary),
      h("line", { class: "axis", x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: HEIGHT - PAD.bottom }),
      h("line", { class: "axis", x1: PAD.left, y1: HEIGHT - PAD.bottom, x2: WIDTH - PAD.right, y2: HEIGHT - PAD.bottom }),
      h("text", { x: 4, y: y(1) + 4 }, "more"),
      h("text", { x: 4, y: y(0) + 4 }, "less"),
      h("text", { x: PAD.left, y: HEIGHT - 6 }, shortDate(first.at)),
      points.length > 1 ? h("text", { x: WIDTH - PAD.right, y: HEIGHT - 6, "text-anchor": "end" }, shortDate(last.at)) : null,
      h("polyline", { class: "line", points: coords.map(([cx, cy]) => `${cx.toFixed(1)},${cy.toFixed(1)}`).join(" ") }),
      coords.map(([cx, cy], i) =>
        h("circle", { class: "dot", cx: cx.toFixed(1), cy: cy.toFixed(1), r: 3.5 }, h("title", {}, `${shortDate(points[i].at)}: ${Math.round(points[i].loneliness * 100)} out of 100`)),
      ),
    ),
    h("figcaption", { class: "meta" }, summary),
  );
}
