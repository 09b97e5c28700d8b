"""Draw static/img/patterns.svg: one picture per option of the `pattern` question.

    .venv/bin/python tools/draw_patterns.py        # rewrites static/img/patterns.svg

Every drawing is this project's own, in one style: a simple head seen from
above (the face towards the top: nose and ears), from the front or from the
side, drawn in lines of ``currentColor`` (so it takes the colour of the text
around it, also in Windows forced-colours mode and in print), with the area of
hair loss shaded:

    hatching  hair gone (bald skin)
    dots      hair thinner than it was
    a pale fill under both, on normal screens (the picture reads without it)

The shading is drawn as real lines and dots, not with an SVG ``<pattern>``: a
paint server in a sprite takes ``currentColor`` from the sprite's own document
(always black), so its hatching would vanish on a dark forced-colours
background, and a pale fill alone vanishes in forced colours and on some
printers. Lines drawn in ``currentColor`` follow the text everywhere.

The page's CSS (``.picture`` in static/css/main.css) gives every drawing its
common style: no fill, ``currentColor`` lines 1 unit wide with round ends and
joins, and
the pale fill (``fill-opacity``) that only the shaded areas, which set
``fill="currentColor"``, show. A drawing is copied into the page under the
``<use>`` that shows it, so it inherits from there, not from this file.

Symbol ids are the option values (tests/unit/test_pictures.py fails when an
option has no drawing, or when this file and the sprite differ). Each drawing is
made on 64 x 64 units and shown without its outer 4 (``VIEW``); coordinates are kept
to whole or half units so the file stays small (the question page with its pictures
must stay under 30 KB).
"""

from __future__ import annotations

import math
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "static" / "img" / "patterns.svg"

Point = tuple[float, float]
Poly = list[Point]

HATCH = 4  # distance between hatching lines, along x (3 in small patches)
DOTS = 4  # distance between dots


# --- writing numbers and paths ---------------------------------------------------------


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


class Pen:
    """Path data for many short marks: each move is written absolute or relative, whichever is shorter."""

    def __init__(self) -> None:
        self.d = ""
        self.at: Point = (0, 0)

    def move(self, x: float, y: float) -> Pen:
        absolute = "M" + join([x, y])
        relative = "m" + join([x - self.at[0], y - self.at[1]])
        self.d += absolute if not self.d or len(absolute) <= len(relative) else relative
        self.at = (x, y)
        return self

    def line(self, dx: float, dy: float) -> Pen:
        self.d += "h" + num(dx) if dy == 0 else "l" + join([dx, dy])
        self.at = (self.at[0] + dx, self.at[1] + dy)
        return self

    def mark(self, path: str, end: Point = (0, 0)) -> Pen:
        """A relative mark (``q2 2 4 0``) that ends ``end`` away from where it starts."""
        self.d += path
        self.at = (self.at[0] + end[0], self.at[1] + end[1])
        return self


def outline(points: Poly) -> str:
    """A closed outline through ``points`` (rounded to half units), written relative."""
    pts = [(round(x * 2) / 2, round(y * 2) / 2) for x, y in points]
    steps = [
        v for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False) if (x1, y1) != (x0, y0) for v in (x1 - x0, y1 - y0)
    ]
    return "M" + join(list(pts[0])) + "l" + join(steps) + "z"


def ellipse_path(cx: float, cy: float, rx: float, ry: float) -> str:
    """An ellipse as path data (two arcs), so several can share one <path>."""
    return f"M{join([cx - rx, cy])}a{join([rx, ry, 0, 1, 0, 2 * rx, 0])}a{join([rx, ry, 0, 1, 0, -2 * rx, 0])}"


# --- shapes ----------------------------------------------------------------------------


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


def blob(corners: Poly, n: int = 6) -> tuple[str, Poly]:
    """A smooth closed shape with ``corners`` rounded off: its path data and its sampled outline.

    The curve runs through the middle of each side and bends at each corner
    (quadratic curves with the corners as control points).
    """
    k = len(corners)
    mids = [((corners[i][0] + corners[(i + 1) % k][0]) / 2, (corners[i][1] + corners[(i + 1) % k][1]) / 2)
            for i in range(k)]
    numbers: list[float] = []
    sampled: Poly = []
    at = mids[-1]
    for i in range(k):
        c, end = corners[i], mids[i]
        numbers += [c[0] - at[0], c[1] - at[1], end[0] - at[0], end[1] - at[1]]
        sampled += quad(at, c, end, n)[:-1]
        at = end
    return "M" + join(list(mids[-1])) + "q" + join(numbers) + "z", sampled


# --- shading ---------------------------------------------------------------------------


def inside(p: Point, poly: Poly) -> bool:
    x, y = p
    hit = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def clear(p: Point, poly: Poly, gap: float) -> bool:
    """``p`` is at least ``gap`` from the outline (no dot on a line)."""
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
        length = (x2 - x1) ** 2 + (y2 - y1) ** 2 or 1
        t = max(0, min(1, ((p[0] - x1) * (x2 - x1) + (p[1] - y1) * (y2 - y1)) / length))
        if math.hypot(p[0] - x1 - t * (x2 - x1), p[1] - y1 - t * (y2 - y1)) < gap:
            return False
    return True


def _cuts(poly: Poly, c: float) -> list[float]:
    """Where the line x + y = c crosses the outline, as positions along x - y."""
    found = []
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
        s1, s2 = x1 + y1 - c, x2 + y2 - c
        if (s1 > 0) != (s2 > 0):
            t = s1 / (s1 - s2)
            found.append((x1 + t * (x2 - x1)) - (y1 + t * (y2 - y1)))
    return sorted(found)


def hatch(poly: Poly, leave: Poly | None = None, spacing: int = HATCH, inset: float = .8) -> str:
    """Diagonal hatching inside ``poly`` (minus ``leave``), on one grid so that areas line up.

    The lines start and end on whole units, which keeps the file small.
    """
    sums = [x + y for x, y in poly]
    pen = Pen()
    c = math.ceil(min(sums) / spacing) * spacing
    while c < max(sums):
        cuts = _cuts(poly, c)
        spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
        if leave:
            holes = _cuts(leave, c)
            for h0, h1 in zip(holes[::2], holes[1::2], strict=False):
                spans = [part for a, b in spans for part in ((a, min(b, h0)), (max(a, h1), b)) if part[1] > part[0]]
        for lo, hi in spans:
            # the point with x + y = c and x - y = u is ((c + u) / 2, (c - u) / 2): u needs c's parity
            a = 2 * math.ceil((lo + inset - c) / 2) + c
            b = 2 * math.floor((hi - inset - c) / 2) + c
            if b - a >= 2:
                pen.move((c + a) / 2, (c - a) / 2).line((b - a) / 2, -(b - a) / 2)
        c += spacing
    return pen.d


def dots(poly: Poly, leave: Poly | None = None, spacing: int = DOTS, gap: float = 2.4) -> str:
    """Evenly spread dots inside ``poly`` (minus ``leave``): thinner hair.

    Each row of dots is one short line drawn with ``stroke-dasharray="0 <spacing>"``
    (see ``dotted``), so a row costs a few bytes, not one mark per dot.
    """
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    pen = Pen()
    y = math.floor(min(ys) / spacing) * spacing
    while y <= max(ys):
        x = math.floor(min(xs) / spacing) * spacing + (spacing // 2 if y % (2 * spacing) else 0)
        run: list[float] = []
        while x <= max(xs) + spacing:
            if inside((x, y), poly) and not (leave and inside((x, y), leave)) and clear((x, y), poly, gap):
                run.append(x)
            elif run:
                # a line of no length draws no dash in some browsers: give a lone dot a tenth
                pen.move(run[0], y).line(run[-1] - run[0] or .1, 0)
                run = []
            x += spacing
        y += spacing
    return pen.d


# --- the heads -----------------------------------------------------------------------------

# From above, the face towards the top: head, nose, ears, and the hairline at the front.
HAIRLINE: Poly = quad((15.5, 24), (32, 12), (48.5, 24))
# The scalp: the head behind the hairline.
SCALP: Poly = HAIRLINE + ellipse(32, 35, 19, 23, -28.6, 208.6)[1:-1]
TOP = (
    '<g id="t" stroke-width="2">'
    '<path d="M13 35a19 23 0 1 0 38 0 19 23 0 1 0-38 0m16.2-22.4q2.8-6 5.6 0M13.3 31c-3.6 0-3.6 8 0 8'
    'm37.4-8c3.6 0 3.6 8 0 8"/>'
    '<path d="M15.5 24Q32 12 48.5 24" stroke-width="1.2"/>'
    "</g>"
)

# From the front: the face with eyebrows, and no hairline (each picture draws its own).
FRONT = (
    '<g id="f" stroke-width="2">'
    '<path d="M14 33c0-12 8-20 18-20s18 8 18 20c0 13-7 24-18 24S14 46 14 33zm0 1c-3.5-.5-3.5 7.5 0 8'
    'm36-8c3.5-.5 3.5 7.5 0 8M25 56v6m14-6v6"/>'
    '<path d="M22.5 33q3.5-2 7 0m5 0q3.5-2 7 0M24 37h4.5m7 0h4.5M32 38v6h-2.5m-1 6q3.5 1.5 7 0" stroke-width="1.4"/>'
    "</g>"
)
# Hair above a hairline seen from the front: a few strands.
HAIR_STRANDS = '<path d="M19 20q5-5 11-5.5m-3 2.5q6-2.5 12-1m-3 .5q6 1 9.5 5" stroke-width="1.2"/>'

# From the left side, the face towards the left: head, ear, eye, hair and its edge.
SIDE = (
    '<g id="s" stroke-width="2">'
    '<path d="M28 62v-9c-5 0-9-1-10-4l-.5-3-1.5-1.5 1-1.5-1.5-2-3-2.5 3-6.5C13 19 21 9 34 9c12 0 20 8 20 19'
    ' 0 8-3.5 14-8.5 17L45 62"/>'
    '<path d="M34 28c4.5-2 8 1 6.5 6-1 3-4 3.5-6 2m-17-5.5h3" stroke-width="1.4"/>'
    '<path d="M16.5 20c6 0 11 3 13.5 9l1 5m9.5 2.5c1.5 3 3 6 5.5 8.5M21 16q8-5 17-3m-10 6q9-3 17 1m-4-5q6 2 9 7"'
    ' stroke-width="1.2"/>'
    "</g>"
)


def area(shape: str, shade: str = "") -> str:
    """A shaded area: its outline over a pale fill, and its hatching (lines 1 unit wide).

    One path holds both: the hatching lines enclose nothing, so the fill adds nothing to them.
    """
    return f'<path d="{shape}{shade}" fill="currentColor"/>'


def dotted(d: str, spacing: int = DOTS) -> str:
    return f'<path d="{d}" stroke-width="1.7" stroke-dasharray="0 {spacing}"/>'


# Drawn on 64 x 64 units; shown without the empty edge, so the heads come out larger.
VIEW = "4 4 56 56"


def symbol(value: str, head: str, body: str) -> str:
    return f'<symbol id="{value}" viewBox="{VIEW}"><use href="#{head}"/>{body}</symbol>'


def mirror(points: Poly) -> Poly:
    """The same shape on the other side of the head (the drawings are symmetric about x = 32)."""
    return [(64 - x, y) for x, y in reversed(points)]


# --- the pictures ------------------------------------------------------------------------------


def round_patches() -> str:
    spots = [(38, 41, 6.5, 6), (24.5, 30, 4, 4)]
    return symbol("round_patches", "t", area(
        "".join(ellipse_path(*s) for s in spots), "".join(hatch(ellipse(*s), spacing=3) for s in spots)))


def many_patches() -> str:
    spots = [
        (24, 29, 4, 3.5), (37, 26, 3, 3), (27, 43, 5, 4.5), (33.5, 47, 4.5, 4), (42, 37, 3.5, 3.5), (22, 51, 2.5, 2.5)
    ]
    return symbol("many_patches", "t", area(
        "".join(ellipse_path(*s) for s in spots), "".join(hatch(ellipse(*s), spacing=3) for s in spots)))


def whole_scalp() -> str:
    return symbol("whole_scalp", "t", f'<path d="{hatch(SCALP, spacing=4, inset=1.4)}"/>')


def all_over() -> str:
    return symbol("all_over", "t", dotted(dots(SCALP)))


def temples_crown() -> str:
    # the hairline has gone back at both temples; the crown is thin
    edge = [p for p in HAIRLINE if p[0] <= 27.5]
    back = [(25.5, 24), (22, 29.5), (15.3, 31)]
    left = edge + back
    coarse = edge[::2] + edge[-1:] + back
    crown = ellipse(32, 44, 7.5, 7)
    return symbol("temples_crown", "t", area(
        outline(coarse) + outline(mirror(coarse)), hatch(left) + hatch(mirror(left)))
        + dotted(dots(crown, spacing=3, gap=1.5), 3)
        + '<ellipse cx="32" cy="44" rx="7.5" ry="7" stroke-width=".8" stroke-dasharray="2 2"/>')


def widening_part() -> str:
    # a parting wide at the front and narrowing back to the crown; the front edge stays
    shape, part = blob([(32, 18), (36, 24), (35, 36), (32, 47), (29, 36), (28, 24)])
    top = ellipse(32, 32, 13, 15)
    return symbol("widening_part", "t", dotted(dots(top, leave=part, spacing=3, gap=1.5), 3) + area(shape, hatch(part)))


def hairline_pulled() -> str:
    # hair pulled up into a bun; the hairline has thinned at the temples
    edge = [p for p in quad((14.5, 31), (16, 21), (32, 21)) if p[0] <= 23.5]
    back = [(22.5, 17), (16.5, 19.5), (14.2, 26)]
    left = edge + back
    coarse = edge[::2] + edge[-1:] + back
    hair = ('<path d="M23.5 22Q25 15 29 12.5m11.5 9.5Q39 15 35 12.5M28 21q1-6 2.5-8M36 21q-1-6-2.5-8"'
            ' stroke-width="1.2"/><circle cx="32" cy="9" r="4.2" stroke-width="1.6"/>')
    return symbol("hairline_pulled", "f", hair + area(
        outline(coarse) + outline(mirror(coarse)), hatch(left) + hatch(mirror(left))))


def broken_patches() -> str:
    # an odd-shaped patch of hairs broken off at different lengths
    shape = [(22, 28), (31, 25), (35, 31), (44, 30), (42, 40), (35, 41), (30, 47), (22, 43), (25, 36)]
    lengths = [1.5, 3, 1, 2.5, 3.5, 1, 2, 3, 1.5, 2.5, 1, 2]
    pen, i, y = Pen(), 0, 28.0
    while y < 47:
        x = 22.0 + (1.5 if round(y * 10) % 2 else 0)
        while x < 44:
            n = lengths[i % len(lengths)]
            if inside((x, y), shape) and inside((x, y - n), shape) and clear((x, y), shape, 1.5):
                pen.move(x, y).line(.5, -n)
                i += 1
            x += 3
        y += 3.5
    return symbol("broken_patches", "t", area(outline(shape)) + f'<path d="{pen.d}" stroke-width="1.1"/>')


def scaly_patch() -> str:
    # a patch covered in small scales
    inner = ellipse(33, 37, 8.6, 7.6)
    pen, row, y = Pen(), 0, 31
    while y < 46:
        x = 24 + (2 if row % 2 else 0)
        first = True
        while x < 43:
            if inside((x, y), inner) and inside((x + 4, y), inner):
                if first:
                    pen.move(x, y).mark("q2 2 4 0", (4, 0))
                else:  # the next scale in the row starts where this one ends
                    pen.mark(" 2 2 4 0", (4, 0))
                first = False
            x += 4
        y += 3
        row += 1
    return symbol("scaly_patch", "t", area(ellipse_path(33, 37, 10, 9)) + f'<path d="{pen.d}" stroke-width="1.1"/>')


def front_band() -> str:
    # seen from the front: a band of lost hair along the front and sides of the hairline
    now = quad((14.3, 27), (15.5, 18), (32, 18))
    before = quad((14.6, 33), (17, 24), (32, 24))
    band = now + mirror(now)[1:] + mirror(before)[::-1][1:] + before[::-1]
    return symbol("front_band", "f", HAIR_STRANDS + area(
        "M14.3 27Q15.5 18 32 18T49.7 27l-.3 6Q47 24 32 24T14.6 33z", hatch(band)))


def back_sides_band() -> str:
    # seen from the side: a band round the back of the head, above and behind the ear
    shape, band = blob([(29, 23), (40, 23.5), (50, 28), (55, 31), (52.5, 39), (46.5, 46.5), (40.5, 36.5),
                        (35, 34.5), (30, 33.5)])
    return symbol("back_sides_band", "s", area(shape, hatch(band)))


def crown_spreading() -> str:
    # a bald patch on the crown growing outwards
    arrows = "M24 43h-4.5m2-2-2 2 2 2M40 43h4.5m-2-2 2 2-2 2M32 36v-4.5m-2 2 2-2 2 2"
    return symbol("crown_spreading", "t", area(ellipse_path(32, 43, 6, 5.5), hatch(ellipse(32, 43, 6, 5.5), spacing=3))
                  + f'<path d="{arrows}" stroke-width="1.3"/>')


def shiny_patches() -> str:
    # smooth patches with a shine on them (the hatching left out where the light falls)
    one_d, one = blob([(20.5, 26), (30.5, 24.5), (34, 31), (30, 37.5), (21, 37.5), (18.5, 31.5)])
    two_d, two = blob([(34, 40), (42.5, 36.5), (47, 43), (43.5, 51), (35, 50)])
    shade = hatch(one, ellipse(25, 30.5, 4, 1.6), 3) + hatch(two, ellipse(40.5, 42.5, 3.5, 1.6), 3)
    sparkle = "M46 27v6m-3-3h6m1 3.5v3m-1.5-1.5h3"
    return symbol("shiny_patches", "t", area(one_d + two_d, shade) + f'<path d="{sparkle}" stroke-width="1.2"/>')


def not_sure() -> str:
    return symbol(
        "not_sure", "t", '<path d="M27.5 31c0-6.5 9-6.5 9 0 0 4-4.5 3.5-4.5 8.5m0 5.5v.5" stroke-width="2.6"/>'
    )


PICTURES = (
    round_patches, many_patches, whole_scalp, all_over, temples_crown, widening_part, hairline_pulled,
    broken_patches, scaly_patch, front_band, back_sides_band, crown_spreading, shiny_patches, not_sure,
)


def sprite() -> str:
    return (
        "<!-- Drawn for this project by tools/draw_patterns.py -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        f"<defs>{TOP}{FRONT}{SIDE}</defs>\n"
        + "\n".join(draw() for draw in PICTURES)
        + "\n</svg>\n"
    )


if __name__ == "__main__":
    OUT.write_text(sprite(), encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size} bytes")
