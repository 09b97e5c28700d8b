"""Draw static/img/patterns.svg: one picture per option of the `pattern` question.

    .venv/bin/python tools/draw_patterns.py        # rewrites static/img/patterns.svg

Every drawing is this project's own, in one style: a simple head seen from
above (front at the top), from the front or from the side, in lines of
``currentColor`` (so it takes the colour of the text around it, also in
Windows forced-colours mode and in print), with the area of hair loss shaded.

The shading is drawn as real lines and dots, not as an SVG ``<pattern>`` or a
light fill alone: a paint server in a sprite resolves ``currentColor`` inside
the sprite's own document (always black), so hatching made that way would vanish
on a dark forced-colours background; a pale fill alone vanishes in forced
colours and on some printers. Drawn lines follow the text colour everywhere.

    hatching  hair gone (bald skin)
    dots      hair thinner than it was
    a pale fill under both (normal screens only; not needed to read the picture)

The page's CSS (``.picture`` in static/css/main.css) gives every drawing its
common style: no fill, ``currentColor`` lines with round ends, and a pale fill
(``fill-opacity``) for the shaded areas, which alone set ``fill="currentColor"``.
A drawing is copied into the page under the ``<use>`` that shows it, so it
inherits from there (not from this file's root element).

The symbol ids are the option values of the question (tests/unit/test_pictures.py
fails when an option has no symbol). Coordinates: each symbol is 64 x 64.
"""

from __future__ import annotations

import math
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "static" / "img" / "patterns.svg"

Point = tuple[float, float]
Poly = list[Point]

HATCH = 3  # distance between hatching lines, along x
DOTS = 4  # distance between dots (even)


def num(v: float) -> str:
    """A short number: one decimal at most, no leading zero."""
    text = f"{v:.1f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def join(values: list[float]) -> str:
    """Numbers for path data, with a space only where two numbers would run together."""
    out, last = "", ""
    for v in values:
        text = num(v)
        if last and not text.startswith("-") and not (text.startswith(".") and "." in last):
            out += " "
        out += text
        last = text
    return out


# --- shapes -----------------------------------------------------------------------


def ellipse(cx: float, cy: float, rx: float, ry: float, a0: float = 0, a1: float = 360, n: int = 48) -> Poly:
    """Points along an ellipse, angles in degrees (0 = right, 90 = down)."""
    steps = max(2, round(n * abs(a1 - a0) / 360))
    return [
        (cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / steps)),
         cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / steps)))
        for i in range(steps + (0 if abs(a1 - a0) == 360 else 1))
    ]


def quad(p0: Point, c: Point, p1: Point, n: int = 16) -> Poly:
    """Points along a quadratic Bezier curve."""
    return [
        ((1 - t) ** 2 * p0[0] + 2 * t * (1 - t) * c[0] + t * t * p1[0],
         (1 - t) ** 2 * p0[1] + 2 * t * (1 - t) * c[1] + t * t * p1[1])
        for t in (i / n for i in range(n + 1))
    ]


def blob(points: Poly, n: int = 6) -> tuple[str, Poly]:
    """A smooth closed curve through ``points`` (Catmull-Rom): its path data and sampled outline."""
    k = len(points)
    d = "M" + join(list(points[0]))
    outline: Poly = []
    for i in range(k):
        p0, p1, p2, p3 = (points[(i + j) % k] for j in (-1, 0, 1, 2))
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        d += "C" + join([*c1, *c2, *p2])
        for s in range(n):
            t = s / n
            outline.append(tuple(  # type: ignore[arg-type]
                (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c + t ** 3 * e
                for a, b, c, e in zip(p1, c1, c2, p2)
            ))
    return d + "z", outline


class Pen:
    """Path data for many short marks: each move is written absolute or relative, whichever is shorter."""

    def __init__(self) -> None:
        self.d = ""
        self.at: Point | None = None

    def move(self, x: float, y: float) -> Pen:
        absolute = "M" + join([x, y])
        if self.at is None:
            self.d += absolute
        else:
            relative = "m" + join([x - self.at[0], y - self.at[1]])
            self.d += min(absolute, relative, key=len)
        self.at = (x, y)
        return self

    def line(self, dx: float, dy: float) -> Pen:
        assert self.at is not None
        self.d += "h" + num(dx) if dy == 0 else "l" + join([dx, dy])
        self.at = (self.at[0] + dx, self.at[1] + dy)
        return self


def poly_path(points: Poly) -> str:
    return "M" + "L".join(join(list(p)) for p in points) + "z"


def ellipse_path(cx: float, cy: float, rx: float, ry: float) -> str:
    """An ellipse as path data (two arcs), so several can share one <path>."""
    return (f"M{join([cx - rx, cy])}a{join([rx, ry])} 0 1 0 {join([2 * rx, 0])}"
            f"a{join([rx, ry])} 0 1 0 {join([-2 * rx, 0])}")


# --- shading -------------------------------------------------------------------------


def inside(p: Point, poly: Poly) -> bool:
    x, y = p
    hit = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def _cuts(poly: Poly, c: float) -> list[float]:
    """Where the line x + y = c crosses the outline, as positions along x - y."""
    found = []
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        s1, s2 = x1 + y1 - c, x2 + y2 - c
        if (s1 > 0) != (s2 > 0):
            t = s1 / (s1 - s2)
            x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
            found.append(x - y)
    return sorted(found)


def hatch(poly: Poly, leave: Poly | None = None, spacing: int = HATCH, inset: float = .8) -> str:
    """Diagonal hatching inside ``poly`` (minus ``leave``), on one grid so that areas line up.

    The lines run on whole-number coordinates, which keeps the file small.
    """
    sums = [x + y for x, y in poly]
    pen = Pen()
    c = math.ceil(min(sums) / spacing) * spacing
    while c < max(sums):
        cuts = _cuts(poly, c)
        spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
        if leave:
            holes = _cuts(leave, c)
            holes = [(holes[i], holes[i + 1]) for i in range(0, len(holes) - 1, 2)]
            for h0, h1 in holes:
                spans = [part for a, b in spans for part in ((a, min(b, h0)), (max(a, h1), b)) if part[1] > part[0]]
        for a, b in spans:
            # a point with x + y = c and x - y = u is ((c + u) / 2, (c - u) / 2): u must have c's parity
            a = 2 * math.ceil((a + inset - c) / 2) + c
            b = 2 * math.floor((b - inset - c) / 2) + c
            if b - a < 2:
                continue
            pen.move((c + a) / 2, (c - a) / 2).line((b - a) / 2, -(b - a) / 2)
        c += spacing
    return pen.d


def dots(poly: Poly, leave: Poly | None = None, spacing: int = DOTS, gap: float = 2.4) -> str:
    """Evenly spread dots inside ``poly`` (minus ``leave``): thinner hair.

    Each row of dots is one short line drawn with ``stroke-dasharray="0 {spacing}"``
    (see ``dotted``), so a row costs a few bytes, not one mark per dot.
    """
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    pen = Pen()
    y = math.floor(min(ys) / spacing) * spacing
    while y <= max(ys):
        x = math.floor(min(xs) / spacing) * spacing + (spacing // 2 if y % (2 * spacing) else 0)
        run: list[float] = []
        while x <= max(xs) + spacing:
            if inside((x, y), poly) and not (leave and inside((x, y), leave)) and _clear((x, y), poly, gap):
                run.append(x)
            elif run:
                # a line of no length draws no dash in some browsers: give a lone dot a tenth
                pen.move(run[0], y).line(run[-1] - run[0] or .1, 0)
                run = []
            x += spacing
        y += spacing
    return pen.d


def _clear(p: Point, poly: Poly, gap: float) -> bool:
    """``p`` is at least ``gap`` from the outline (no dot on a line)."""
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        length = (x2 - x1) ** 2 + (y2 - y1) ** 2 or 1
        t = max(0, min(1, ((p[0] - x1) * (x2 - x1) + (p[1] - y1) * (y2 - y1)) / length))
        if math.hypot(p[0] - x1 - t * (x2 - x1), p[1] - y1 - t * (y2 - y1)) < gap:
            return False
    return True


# --- the heads -----------------------------------------------------------------------------

# From above, the face towards the top: head, nose, ears and the hairline at the front.
TOP_HEAD = ellipse(32, 35, 19, 23)
HAIRLINE: Poly = quad((15.5, 24), (32, 12), (48.5, 24))


def _hairline_y(x: float) -> float:
    t = (x - 15.5) / 33
    return 24 - 24 * t + 24 * t * t


# The scalp: the head behind the hairline.
SCALP: Poly = HAIRLINE + ellipse(32, 35, 19, 23, -28.6, 208.6)[1:-1]

TOP = (
    '<g id="t" stroke-width="2" stroke-linejoin="round">'
    f'<ellipse cx="32" cy="35" rx="19" ry="23"/>'
    '<path d="M29.2 12.6q2.8-6 5.6 0M13.3 31c-3.6 0-3.6 8 0 8M50.7 31c3.6 0 3.6 8 0 8"/>'
    '<path d="M15.5 24Q32 12 48.5 24" stroke-width="1.2"/>'
    "</g>"
)

# From the front: the face with eyebrows, no hairline (each picture draws its own).
FRONT = (
    '<g id="f" stroke-width="2" stroke-linejoin="round">'
    '<path d="M14 33c0-12 8-20 18-20s18 8 18 20c0 13-7 24-18 24S14 46 14 33z'
    'M14 34c-3.5-.5-3.5 7.5 0 8M50 34c3.5-.5 3.5 7.5 0 8M25 56v6M39 56v6"/>'
    '<path d="M22.5 33q3.5-2 7 0M34.5 33q3.5-2 7 0M24 37h4.5M35.5 37h4.5M32 38v6h-2.5M28.5 50q3.5 1.5 7 0"'
    ' stroke-width="1.4"/>'
    "</g>"
)

# Hair above a hairline seen from the front: a few strands.
HAIR_STRANDS = '<path d="M19 20q5-5 11-5.5M27 17q6-2.5 12-1M36 16.5q6 1 9.5 5" stroke-width="1.2"/>'

# From the left side, the face towards the left: head, ear, eye and the hairline.
SIDE = (
    '<g id="s" stroke-width="2" stroke-linejoin="round">'
    '<path d="M28 62v-9c-5 0-9-1-10-4l-.5-3-1.5-1.5 1-1.5-1.5-2-3-2.5 3-6.5C13 19 21 9 34 9c12 0 20 8 20 19'
    ' 0 8-3.5 14-8.5 17L45 62"/>'
    '<path d="M34 28c4.5-2 8 1 6.5 6-1 3-4 3.5-6 2M17.5 30.5h3" stroke-width="1.4"/>'
    '<path d="M16.5 20c6 0 11 3 13.5 9l1 5M40.5 36.5c1.5 3 3 6 5.5 8.5M21 16q8-5 17-3M28 19q9-3 17 1M41 15q6 2 9 7" stroke-width="1.2"/>'
    "</g>"
)


def area(outline: str, shade: str, extra: str = "") -> str:
    """A shaded area: its outline over a pale fill, and its hatching or dots."""
    svg = f'<path d="{outline}" fill="currentColor"/>' if outline else ""
    if shade:
        svg += f'<path d="{shade}" stroke-width="1"/>'
    return svg + extra


def dotted(d: str, spacing: int = DOTS) -> str:
    return f'<path d="{d}" stroke-width="1.7" stroke-dasharray="0 {spacing}"/>'


def symbol(value: str, head: str, body: str) -> str:
    return f'<symbol id="{value}" viewBox="0 0 64 64"><use href="#{head}"/>{body}</symbol>'


# --- the pictures ------------------------------------------------------------------------------


def round_patches() -> str:
    d = ellipse_path(38, 41, 6.5, 6) + ellipse_path(24.5, 30, 4, 4)
    shade = hatch(ellipse(38, 41, 6.5, 6)) + hatch(ellipse(24.5, 30, 4, 4))
    return symbol("round_patches", "t", area(d, shade))


def many_patches() -> str:
    spots = [(24, 29, 4, 3.5), (37, 26, 3, 3), (27, 43, 5, 4.5), (33.5, 47, 4.5, 4), (42, 37, 3.5, 3.5), (22, 51, 2.5, 2.5)]
    d = "".join(ellipse_path(*s) for s in spots)
    shade = "".join(hatch(ellipse(*s)) for s in spots)
    return symbol("many_patches", "t", area(d, shade))


def whole_scalp() -> str:
    return symbol("whole_scalp", "t", area("", hatch(SCALP, spacing=4, inset=1.4)))


def all_over() -> str:
    return symbol("all_over", "t", dotted(dots(SCALP)))


def temples_crown() -> str:
    left = [p for p in HAIRLINE if p[0] <= 27.5] + [(25.5, 24), (22, 29.5), (15.3, 31)]
    right = [(64 - x, y) for x, y in reversed(left)]
    d = poly_path(left[::4] + left[-4:]) + poly_path(right[:4] + right[4::4])
    shade = hatch(left) + hatch(right)
    crown = ellipse(32, 44, 7.5, 7)
    return symbol("temples_crown", "t", area(d, shade) + dotted(dots(crown, spacing=3, gap=1.5), 3) + _ring(32, 44, 7.5, 7))


def _ring(cx: float, cy: float, rx: float, ry: float) -> str:
    return f'<ellipse cx="{num(cx)}" cy="{num(cy)}" rx="{num(rx)}" ry="{num(ry)}" stroke-width=".8" stroke-dasharray="2 2"/>'


def widening_part() -> str:
    part_d, part = blob([(32, 19), (35.5, 24), (35, 33), (33, 45), (31, 45), (29, 33), (28.5, 24)], 5)
    top = ellipse(32, 32, 12, 15)
    return symbol("widening_part", "t", dotted(dots(top, leave=part, spacing=3, gap=1.5), 3) + area(part_d, hatch(part)))


def hairline_pulled() -> str:
    # hair pulled back into a bun on top; the hairline thins at the temples
    line = quad((14.5, 31), (16, 21), (32, 21)) + quad((32, 21), (48, 21), (49.5, 31))[1:]
    left = [p for p in line if p[0] <= 23.5] + [(22.5, 17), (16.5, 19.5), (14.2, 26)]
    right = [(64 - x, y) for x, y in reversed(left)]
    d = poly_path(left[::3] + left[-4:]) + poly_path(right[:4] + right[4::3])
    hair = ('<path d="M23.5 22Q25 15 29 12.5M40.5 22Q39 15 35 12.5M28 21q1-6 2.5-8.5M36 21q-1-6-2.5-8.5"'
            ' stroke-width="1.2"/><circle cx="32" cy="8.5" r="4.5" stroke-width="1.6"/>')
    return symbol("hairline_pulled", "f", hair + area(d, hatch(left) + hatch(right)))


def broken_patches() -> str:
    outline = [(22, 28), (31, 25), (35, 31), (44, 30), (42, 40), (35, 41), (30, 47), (22, 43), (25, 36)]
    d = poly_path(outline)
    lengths = [1.5, 3, 1, 2.5, 3.5, 1.2, 2, 3, 1.6, 2.8, 1, 2.2]
    strokes, i = "", 0
    y = 28.0
    while y < 47:
        x = 22.0 + (1.5 if int(y) % 2 else 0)
        while x < 44:
            n = lengths[i % len(lengths)]
            if inside((x, y), outline) and inside((x, y - n), outline) and _clear((x, y), outline, 1.5):
                strokes += f"M{join([x, y])}l{join([.5, -n])}"
                i += 1
            x += 3
        y += 3.4
    return symbol("broken_patches", "t", area(d, "") + f'<path d="{strokes}" stroke-width="1.1"/>')


def scaly_patch() -> str:
    patch = ellipse(33, 37, 10, 9)
    scales = ""
    row = 0
    y = 30.5
    while y < 46:
        x = 24.0 + (1.75 if row % 2 else 0)
        while x < 43:
            if inside((x, y), ellipse(33, 37, 8.6, 7.6)) and inside((x + 3, y), ellipse(33, 37, 8.6, 7.6)):
                scales += f"M{join([x, y])}q1.75 2 3.5 0"
            x += 3.5
        y += 2.6
        row += 1
    return symbol("scaly_patch", "t", area(ellipse_path(33, 37, 10, 9), "") +
                  f'<path d="{scales}" stroke-width="1.1"/>')


def front_band() -> str:
    now = quad((14.3, 27), (15.5, 18), (32, 18)) + quad((32, 18), (48.5, 18), (49.7, 27))[1:]
    before = quad((14.6, 33), (17, 24), (32, 24)) + quad((32, 24), (47, 24), (49.4, 33))[1:]
    band = now + before[::-1]
    outline = "M14.3 27Q15.5 18 32 18T49.7 27L49.4 33Q47 24 32 24T14.6 33z"
    return symbol("front_band", "f", HAIR_STRANDS + area(outline, hatch(band)))


def back_sides_band() -> str:
    band_d, band = blob([(29, 24), (38, 24.5), (47, 28.5), (53.6, 31), (51.5, 38.5), (46, 45), (40.5, 36.5),
                         (35, 34.5), (31, 33)], 5)
    return symbol("back_sides_band", "s", area(band_d, hatch(band)))


def crown_spreading() -> str:
    crown = ellipse(32, 43, 6, 5.5)
    arrows = "M24 43h-4.5m2-2-2 2 2 2M40 43h4.5m-2-2 2 2-2 2M32 36v-4.5m-2 2 2-2 2 2"
    return symbol("crown_spreading", "t", area(ellipse_path(32, 43, 6, 5.5), hatch(crown)) +
                  f'<path d="{arrows}" stroke-width="1.3"/>')


def shiny_patches() -> str:
    one_d, one = blob([(22, 27), (29, 25.5), (33, 30), (30, 36), (23, 36.5), (19.5, 32)], 5)
    two_d, two = blob([(35, 41), (42, 38), (46, 43), (43, 50), (36, 49)], 5)
    gleam1 = ellipse(25, 30.5, 4, 1.6)
    gleam2 = ellipse(40.5, 42.5, 3.5, 1.6)
    shade = hatch(one, leave=gleam1) + hatch(two, leave=gleam2)
    sparkle = "M46 27v6m-3-3h6M50 33.5v3m-1.5-1.5h3"
    return symbol("shiny_patches", "t", area(one_d + two_d, shade) + f'<path d="{sparkle}" stroke-width="1.2"/>')


def not_sure() -> str:
    return symbol("not_sure", "t", '<path d="M27.5 31c0-6.5 9-6.5 9 0 0 4-4.5 3.5-4.5 8.5M32 45v.5" stroke-width="2.6"/>')


PICTURES = (
    round_patches, many_patches, whole_scalp, all_over, temples_crown, widening_part, hairline_pulled,
    broken_patches, scaly_patch, front_band, back_sides_band, crown_spreading, shiny_patches, not_sure,
)


def sprite() -> str:
    return (
        "<!-- One drawing per option of the pattern question, drawn for this project."
        " Written by tools/draw_patterns.py. -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        f"<defs>{TOP}{FRONT}{SIDE}</defs>\n"
        + "\n".join(draw() for draw in PICTURES)
        + "\n</svg>\n"
    )


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(sprite(), encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size} bytes")
