// A small inline SVG line chart of loneliness over time (0 = least, 1 = most lonely), with its
// scale in words (the levels of the words module) and dates along the bottom; the summary says
// what changed at the latest check-in.

import { h, shortDate } from "./ui.js";
import { latestChange, loneliness } from "./words.js";

const WIDTH = 360;
const HEIGHT = 160;
const PAD = { left: 104, right: 12, top: 12, bottom: 24 };
// Where each level's words sit on the scale (0..1): its middle.
const SCALE_MARKS = [
  [1, "often lonely"],
  [0.5, "sometimes lonely"],
  [0, "rarely lonely"],
];

/** `points` are {at: ISO time, loneliness: 0..1}, oldest first. */
export function trendChart(points, name) {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const spanMs = Math.max(Math.max(...times) - t0, 1);
  const x = (t) => PAD.left + (points.length === 1 ? plotW / 2 : ((t - t0) / spanMs) * plotW);
  const y = (v) => PAD.top + (1 - v) * plotH;
  const coords = points.map((p, i) => [x(times[i]), y(p.loneliness)]);
  const first = points[0];
  const last = points[points.length - 1];
  const span = points.length < 2 ? `One check-in, on ${shortDate(first.at)}.` : `${points.length} check-ins from ${shortDate(first.at)} to ${shortDate(last.at)}.`;
  const summary = `${span} ${latestChange(points, name)}`;
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
      SCALE_MARKS.flatMap(([v, words]) => [
        h("line", { class: "grid", x1: PAD.left - 4, y1: y(v), x2: WIDTH - PAD.right, y2: y(v) }),
        h("text", { x: PAD.left - 8, y: y(v) + 4, "text-anchor": "end" }, words),
      ]),
      h("text", { x: PAD.left, y: HEIGHT - 6 }, shortDate(first.at)),
      points.length > 1 ? h("text", { x: WIDTH - PAD.right, y: HEIGHT - 6, "text-anchor": "end" }, shortDate(last.at)) : null,
      h("polyline", { class: "line", points: coords.map(([cx, cy]) => `${cx.toFixed(1)},${cy.toFixed(1)}`).join(" ") }),
      coords.map(([cx, cy], i) =>
        h("circle", { class: "dot", cx: cx.toFixed(1), cy: cy.toFixed(1), r: 3.5 }, h("title", {}, `${shortDate(points[i].at)}: ${loneliness(points[i].loneliness)}`)),
      ),
    ),
    h("figcaption", { class: "meta" }, summary),
  );
}
