"""The drawing of one annotation, for its appearance stream (/AP /N): every viewer draws the same thing.

A `Drawing` collects PDF operators in page coordinates and the box they cover; the annotation's /Rect and the
form's /BBox are that box (identity /Matrix), so the operators need no transformation. Text is drawn as glyph
outlines of a TrueType font shaped by HarfBuzz (`gis_core.signing.stamp.outline_font`: Arabic joined and
right-to-left, no font to embed), on a white label.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from gis_core.signing.stamp import outline_font

Point = tuple[float, float]

TRANSLUCENT = "/Translucent"  # the form's ExtGState name for fills at 15% opacity


@functools.lru_cache(maxsize=1024)
def shaped_line(font_path: str, line: str, size: float) -> tuple[str, float]:
    """The operators drawing `line` from (0, 0) at `size`, and its width (reviews repeat their labels: cached)."""
    commands, width = outline_font(font_path).line_commands(line, x=0, y=0, size=size)
    return " ".join(commands), width


def hex_colour(value: str) -> tuple[float, float, float]:
    """'#1d4ed8' as PDF RGB components in 0..1."""
    value = value.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _rgb(colour: tuple[float, float, float]) -> str:
    return " ".join(f"{component:.3f}" for component in colour)


@dataclass
class Drawing:
    colour: tuple[float, float, float]
    line_width: float
    font_path: str
    commands: list[str] = field(default_factory=list)
    bounds: list[float] = field(default_factory=lambda: [math.inf, math.inf, -math.inf, -math.inf])
    translucent: bool = False

    def include(self, points: list[Point], margin: float = 0.0) -> None:
        for x, y in points:
            self.bounds = [
                min(self.bounds[0], x - margin),
                min(self.bounds[1], y - margin),
                max(self.bounds[2], x + margin),
                max(self.bounds[3], y + margin),
            ]

    def _style(self) -> str:
        return f"{_rgb(self.colour)} RG {self.line_width:.2f} w 1 J 1 j"

    def path(self, points: list[Point], *, closed: bool = False, fill: bool = False) -> None:
        """A polyline (closed: a polygon; fill: with the colour at 15% opacity under the stroke)."""
        moves = [f"{points[0][0]:.2f} {points[0][1]:.2f} m"]
        moves += [f"{x:.2f} {y:.2f} l" for x, y in points[1:]]
        if closed:
            moves.append("h")
        if fill:
            self.translucent = True
            self.commands.append(f"q {TRANSLUCENT} gs {_rgb(self.colour)} rg {' '.join(moves)} f Q")
        self.commands.append(f"q {self._style()} {' '.join(moves)} S Q")
        self.include(points, self.line_width)

    def arrow_head(self, tail: Point, head: Point) -> None:
        """An open arrow head at `head`, pointing away from `tail`."""
        angle = math.atan2(head[1] - tail[1], head[0] - tail[0])
        length = 4 * self.line_width + 8
        wings = [
            (head[0] - length * math.cos(angle + side), head[1] - length * math.sin(angle + side))
            for side in (math.radians(25), -math.radians(25))
        ]
        self.path([wings[0], head, wings[1]])

    def cloud(self, corner_a: Point, corner_b: Point) -> float:
        """A revision cloud along the rectangle: semicircular scallops bulging outwards; returns their radius."""
        left, right = sorted((corner_a[0], corner_b[0]))
        bottom, top = sorted((corner_a[1], corner_b[1]))
        radius = 2 * self.line_width + 5
        corners = [(left, bottom), (right, bottom), (right, top), (left, top)]  # anticlockwise: outside is right
        moves = [f"{left:.2f} {bottom:.2f} m"]
        for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
            length = math.hypot(x1 - x0, y1 - y0)
            count = max(1, round(length / (2 * radius)))
            step_x, step_y = (x1 - x0) / count, (y1 - y0) / count
            out_x, out_y = (y1 - y0) / (length or 1), -(x1 - x0) / (length or 1)
            bulge = 4 / 3 * math.hypot(step_x, step_y) / 2
            for index in range(count):
                start = (x0 + step_x * index, y0 + step_y * index)
                end = (start[0] + step_x, start[1] + step_y)
                moves.append(
                    f"{start[0] + out_x * bulge:.2f} {start[1] + out_y * bulge:.2f} "
                    f"{end[0] + out_x * bulge:.2f} {end[1] + out_y * bulge:.2f} {end[0]:.2f} {end[1]:.2f} c"
                )
        self.commands.append(f"q {self._style()} {' '.join(moves)} h S Q")
        self.include(corners, radius + self.line_width)
        return radius

    def label(self, lines: list[str], *, at: Point, size: float, frame: bool = False) -> tuple[float, float]:
        """Text lines on a white label whose top-left corner is `at`; with a frame in the colour. Returns the
        label's (width, height)."""
        padding = size * 0.35
        line_height = size * 1.3
        drawn = [shaped_line(self.font_path, line, size) for line in lines]
        width = max((line_width for _, line_width in drawn), default=0.0) + 2 * padding
        height = line_height * len(lines) + 2 * padding
        x, top = at
        box = f"{x:.2f} {top - height:.2f} {width:.2f} {height:.2f} re"
        frame_operators = f" {self._style()} {box} S" if frame else ""
        self.commands.append(f"q 1 g {box} f{frame_operators} Q")
        self.commands.append(f"q {_rgb(self.colour)} rg")
        for number, (glyphs, _width) in enumerate(drawn):
            baseline = top - padding - size - number * line_height + size * 0.2
            self.commands.append(f"q 1 0 0 1 {x + padding:.2f} {baseline:.2f} cm {glyphs} Q")
        self.commands.append("Q")
        self.include([(x, top - height), (x + width, top)], self.line_width)
        return width, height

    def rect(self) -> tuple[float, float, float, float]:
        """The box the drawing covers (x0, y0, x1, y1), at least 1 pt a side."""
        x0, y0, x1, y1 = self.bounds
        return (x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))

    def content(self) -> bytes:
        return "\n".join(self.commands).encode("ascii")
