"""Charts as SVG markup, for the dashboard (inline) and the printable report.

Drawn with matplotlib ``Figure`` objects and the SVG backend, never pyplot, whose global figure
state does not belong in a web process. Text stays text (``svg.fonttype = "none"``): smaller,
selectable, translatable, and drawn by the reader's fonts, which include those for Chinese.
Matplotlib escapes the text it writes, so question texts from authors are safe inline; they are
never parsed as mathtext either (``parse_math=False``). Colours are ColorBrewer's RdBu (diverging)
and Okabe & Ito's blue, both readable with the common colour-vision deficiencies.

Withheld (NA) cells are not drawn; their row says "suppressed (n < k)".
"""

import hashlib
import io
import re
import textwrap
import warnings
from collections.abc import Callable

import matplotlib
import numpy
import pandas
from django.core.cache import cache
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.patches import Patch

# Set once at import rather than per chart: rc_context() swaps the global rcParams back and forth,
# which races between the threads of a web server. Nothing else in Roundtable draws with matplotlib.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "roundtable",  # the same chart is the same markup (stable clip-path ids)
        "font.family": "sans-serif",
        "font.size": 9,
    }
)
# With text left as text, the browser draws it; matplotlib only measures it, so a glyph missing from
# its own font (Chinese labels) costs a little spacing, not a broken chart.
warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)

AGREE_COLOURS = "RdBu"  # ColorBrewer's diverging red–blue: colour-blind safe
NEUTRAL_COLOUR = "#bababa"
BAR_COLOUR = "#0072B2"  # Okabe & Ito (2008) blue
WIDTH_INCHES = 7.0
ROW_INCHES = 0.45
WRAP_TITLE = 80
WRAP_LABEL = 28
MIN_LABELLED_WIDTH = 0.06  # segments narrower than this share of the axis carry no percentage
CHART_FORMAT = 1  # bump when the drawing changes, so cached charts are drawn again
SVG_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}

_TAG = re.compile(r"<[^<>]+>")
_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')
_DEFAULT_STYLE = re.compile(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>\s*", re.DOTALL)


def _suppressed_text() -> str:
    return _("suppressed (n < k)")


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _percent(share: float) -> str:
    return _("%(percent)d %%") % {"percent": round(share * 100)}


def _figure(n_rows: int, extra_inches: float) -> Figure:
    height = max(1.5, n_rows * ROW_INCHES + extra_inches)
    return Figure(figsize=(WIDTH_INCHES, height), layout="constrained")


def _set_title(figure: Figure, title: str) -> None:
    figure.suptitle(_wrapped(title, WRAP_TITLE), x=0.01, ha="left", fontsize=10, parse_math=False)


def _row_labels(axes, labels: list[str]) -> None:
    axes.set_yticks(numpy.arange(len(labels)), labels=labels, parse_math=False)
    axes.set_ylim(len(labels) - 0.5, -0.5)  # first row on top; rows without a bar keep their place
    axes.tick_params(axis="y", length=0)


def _text_colour(colour) -> str:
    red, green, blue = matplotlib.colors.to_rgb(colour)
    return "white" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5 else "black"


def _svg(figure: Figure, title: str) -> str:
    """The figure as an ``<svg>`` element: no XML prolog, ids made unique to this chart (several
    charts share one HTML page), and a ``<title>`` that names it for screen readers."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=SVG_METADATA)
    markup = buffer.getvalue()
    markup = _DEFAULT_STYLE.sub("", markup[markup.index("<svg") :])
    prefix = "rt-chart-" + hashlib.sha256(markup.encode()).hexdigest()[:10]
    markup = _TAG.sub(lambda tag: _REFERENCE.sub(rf"\1{prefix}-\2", tag.group(0)), markup)
    opening_end = markup.index(">") + 1
    opening = markup[: opening_end - 1] + f' role="img" aria-labelledby="{prefix}-title">'
    return f'{opening}<title id="{prefix}-title">{escape(title)}</title>{markup[opening_end:]}'


def _point_colours(points: list[float]) -> dict[float, tuple]:
    """A colour per scale point: reds below the middle, blues above, grey for the middle one."""
    colour_map = matplotlib.colormaps[AGREE_COLOURS]
    colours = {
        point: colour_map(position)
        for point, position in zip(points, numpy.linspace(0.05, 0.95, len(points)), strict=True)
    }
    if len(points) % 2:
        colours[points[len(points) // 2]] = matplotlib.colors.to_rgba(NEUTRAL_COLOUR)
    return colours


def _diverging_segments(shares: pandas.Series) -> list[tuple[float, float, float]]:
    """(point, left edge, width) of each drawable segment of one row; ``shares`` by scale point.

    Points below the middle extend left of zero, points above extend right, and the middle point of
    an odd scale is centred on zero. A segment is drawn only when its width and its position are
    known: a withheld share hides its own segment and every one further out on its side (and, in
    the middle, everything).
    """
    points = list(shares.index)
    middle = len(points) // 2
    neutral = points[middle] if len(points) % 2 else None
    segments = []
    offset: float | None = 0.0
    if neutral is not None:
        share = shares[neutral]
        offset = None if pandas.isna(share) else float(share) / 2
        if offset is not None:
            segments.append((neutral, -offset, 2 * offset))
    above = points[middle + 1 :] if neutral is not None else points[middle:]
    below = list(reversed(points[:middle]))
    for side, sign in ((above, 1), (below, -1)):
        position = offset
        for point in side:
            share = shares[point]
            if position is None or pandas.isna(share):
                position = None
                continue
            width = float(share)
            segments.append((point, position if sign > 0 else -position - width, width))
            position += width
    return segments


def likert_chart_svg(distribution: pandas.DataFrame, *, title: str) -> str:
    """Diverging stacked bars of a rating scale's answers, one row per group of ``distribution``
    (columns ``group``, ``label``, ``point``, ``n``, ``share``; one question), in its order:
    disagreeing to the left of zero, agreeing to the right, the middle point centred."""
    points = sorted(distribution["point"].astype(float).unique())
    colours = _point_colours(points)
    groups = list(dict.fromkeys(distribution["group"]))
    labels, rows_segments = [], []
    for group in groups:
        rows = distribution.loc[distribution["group"].eq(group)]
        shares = pandas.Series(rows["share"].astype(float).to_numpy(), index=rows["point"].astype(float))
        shares = shares.reindex(points)
        n = rows["n"].iloc[0]
        name = _wrapped(rows["label"].iloc[0], WRAP_LABEL)
        segments = [segment for segment in _diverging_segments(shares) if segment[2] > 0]
        if pandas.isna(n) or not segments:
            labels.append(f"{name}\n{_suppressed_text()}")
        elif shares.isna().any():
            labels.append(f"{name} (n = {int(n)})\n{_('partly suppressed (n < k)')}")
        else:
            labels.append(f"{name} (n = {int(n)})")
        rows_segments.append(segments)
    reach = max(
        [0.5, *(max(abs(left), abs(left + width)) for row in rows_segments for _p, left, width in row)]
    )
    limit = min(1.0, numpy.ceil(reach * 4) / 4)
    figure = _figure(len(groups), extra_inches=1.4)
    axes = figure.add_subplot()
    for row, segments in enumerate(rows_segments):
        for point, left, width in segments:
            axes.barh(
                row, width, left=left, height=0.7, color=colours[point], edgecolor="white", linewidth=0.5,
                gid=f"bar-{row}-{point:g}",
            )  # fmt: skip
            if width / (2 * limit) >= MIN_LABELLED_WIDTH:
                axes.text(
                    left + width / 2, row, _percent(width), ha="center", va="center", fontsize=8,
                    color=_text_colour(colours[point]), parse_math=False,
                )  # fmt: skip
    _row_labels(axes, labels)
    axes.set_xlim(-limit, limit)
    ticks = numpy.linspace(-limit, limit, 5)
    axes.set_xticks(ticks, labels=[_percent(abs(tick)) for tick in ticks])
    axes.axvline(0, color="#444444", linewidth=0.8)
    axes.set_xlabel(_("← disagree · share of answers · agree →"), parse_math=False)
    axes.spines[["top", "right", "left"]].set_visible(False)
    legend = [Patch(facecolor=colours[point], label=f"{point:g}") for point in points]
    figure.legend(
        handles=legend, loc="outside lower center", ncols=len(points), frameon=False, fontsize=8,
        title=_("Answer (lowest to highest)"), title_fontsize=8,
    )  # fmt: skip
    _set_title(figure, title)
    return _svg(figure, title)


def bar_chart_svg(table: pandas.DataFrame, *, value: str, label: str, title: str) -> str:
    """Horizontal bars, one per row of ``table`` in its order: ``value`` (a share when its name
    starts with "share", drawn as a percentage; else a number such as a Borda score) labelled by
    ``label``. A row whose value is withheld has no bar, only "suppressed (n < k)"."""
    values = table[value].astype(float).to_numpy()
    names = [_wrapped(name, WRAP_LABEL) for name in table[label]]
    as_share = value.startswith("share")
    shown = values[~numpy.isnan(values)]
    limit = 1.0 if as_share else max(float(shown.max()) if shown.size else 0.0, 1e-9) * 1.15
    figure = _figure(len(names), extra_inches=0.9)
    axes = figure.add_subplot()
    for row, amount in enumerate(values):
        if numpy.isnan(amount):
            axes.text(
                0, row, " " + _suppressed_text(), va="center", fontsize=8, color="#444444", parse_math=False
            )
            continue
        axes.barh(row, amount, height=0.7, color=BAR_COLOUR, gid=f"bar-{row}")
        text = _percent(amount) if as_share else f"{round(amount, 2):g}"
        axes.text(amount, row, f" {text}", va="center", fontsize=8, parse_math=False)
    _row_labels(axes, names)
    axes.set_xlim(0, limit * 1.12 if as_share else limit)
    if as_share:
        ticks = numpy.linspace(0, 1, 5)
        axes.set_xticks(ticks, labels=[_percent(tick) for tick in ticks])
    axes.spines[["top", "right"]].set_visible(False)
    _set_title(figure, title)
    return _svg(figure, title)


def cached_chart(draw: Callable[..., str], table: pandas.DataFrame, **options) -> str:
    """``draw(table, **options)`` (``likert_chart_svg`` or ``bar_chart_svg``), from the cache when
    the same chart was drawn before in the active language: a chart costs about 0.1 s to draw."""
    content = table.to_json(orient="split", index=False, date_format="iso")
    parts = (CHART_FORMAT, draw.__name__, translation.get_language(), sorted(options.items()), content)
    key = "analysis.chart." + hashlib.sha256(repr(parts).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw(table, **options)
        cache.set(key, svg)
    return svg
