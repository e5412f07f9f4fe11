"""Charts: valid SVG with a title, one bar per shown cell, withheld cells never drawn, text escaped."""

import itertools
import re
import xml.etree.ElementTree as ET

import pandas
import pytest
from django.core.cache import cache

from analysis.charts import bar_chart_svg, cached_chart, likert_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quotes"'
SUPPRESSED = "suppressed (n < k)"


def distribution(rows: dict[str, tuple[str, int | None, list[float | None]]]) -> pandas.DataFrame:
    """A ``SurveySummary`` item distribution: group → (label, n, share per point 1, 2, …)."""
    records = [
        {
            "question": "q",
            "group": group,
            "label": label,
            "point": point,
            "count": None if share is None else round(share * n),
            "n": n,
            "share": share,
            "suppressed": share is None,
        }
        for group, (label, n, shares) in rows.items()
        for point, share in enumerate(shares, start=1)
    ]
    frame = pandas.DataFrame.from_records(records)
    return frame.astype({"count": "Int64", "n": "Int64", "share": float})


COMPLETE = distribution(
    {
        "all": ("All respondents", 40, [0.1, 0.2, 0.1, 0.3, 0.3]),
        "north": ("Global North", 20, [0.2, 0.3, 0.1, 0.2, 0.2]),
        "south": ("Global South", 20, [0.05, 0.1, 0.1, 0.4, 0.35]),
    }
)
CHOICES = pandas.DataFrame(
    {"label": ["Law", "Standards", "Treaty"], "share": [0.8, None, 0.35], "borda": [1.5, None, 0.25]}
)


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output; raises unless well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def bars(svg: str) -> dict[str, tuple[float, float]]:
    """Each bar's id suffix ("bar-<row>-<point>" or "bar-<row>") → its horizontal extent."""
    extents = {}
    for group in parsed(svg).iter(f"{SVG}g"):
        match = re.search(r"-(bar-[\d-]+)$", group.get("id", ""))
        if match:
            path = group.find(f"{SVG}path").get("d")
            xs = [float(x) for x in re.findall(r"[ML] (-?[\d.]+) ", path)]
            extents[match.group(1)] = (min(xs), max(xs))
    return extents


def texts(svg: str) -> str:
    return " ".join("".join(element.itertext()) for element in parsed(svg).iter(f"{SVG}text"))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_chart_is_an_svg_element_named_by_its_title():
    svg = likert_chart_svg(COMPLETE, title="A binding treaty is needed")
    root = parsed(svg)
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    title = root.find(f"{SVG}title")
    assert title.text == "A binding treaty is needed"
    assert root.get("role") == "img" and root.get("aria-labelledby") == title.get("id")


def test_a_likert_chart_has_one_bar_per_point_and_group():
    assert len(bars(likert_chart_svg(COMPLETE, title="Treaty"))) == 3 * 5


def test_disagreement_runs_left_of_the_neutral_middle_and_agreement_right():
    extents = bars(likert_chart_svg(COMPLETE, title="Treaty"))
    row = [extents[f"bar-0-{point}"] for point in range(1, 6)]
    for left, right in itertools.pairwise(row):
        assert left[1] == pytest.approx(right[0], abs=0.01)  # adjacent, in scale order
    zero = {extents[f"bar-{group}-3"][0] + extents[f"bar-{group}-3"][1] for group in range(3)}
    assert max(zero) - min(zero) == pytest.approx(0, abs=0.02)  # every neutral bar centred on one line


def test_a_withheld_group_is_not_drawn_and_says_so():
    chart = distribution(
        {
            "all": ("All respondents", 40, [0.1, 0.2, 0.1, 0.3, 0.3]),
            "north": ("Global North", None, [None] * 5),
        }
    )
    svg = likert_chart_svg(chart, title="Treaty")
    assert sorted(bars(svg)) == [f"bar-0-{point}" for point in range(1, 6)]
    assert f"Global North {SUPPRESSED}" in texts(svg)


def test_a_withheld_point_hides_itself_and_what_lies_beyond_it_only():
    chart = distribution({"all": ("All respondents", 40, [None, 0.25, 0.1, None, 0.4])})
    svg = likert_chart_svg(chart, title="Treaty")
    # Point 2 sits against the middle and is drawn; point 1 is withheld; point 5 lies beyond the
    # withheld point 4, so its place is unknown.
    assert sorted(bars(svg)) == ["bar-0-2", "bar-0-3"]
    assert "partly suppressed (n < k)" in texts(svg)


def test_without_the_middle_point_nothing_of_the_row_can_be_placed():
    chart = distribution({"all": ("All respondents", 40, [0.2, 0.2, None, 0.3, 0.2])})
    svg = likert_chart_svg(chart, title="Treaty")
    assert bars(svg) == {}
    assert SUPPRESSED in texts(svg)


def test_an_eleven_point_scale_diverges_around_five():
    shares = [0.05, 0.05, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05]
    svg = likert_chart_svg(distribution({"all": ("All respondents", 40, shares)}), title="Outlook")
    extents = bars(svg)
    assert len(extents) == 11
    assert extents["bar-0-5"][1] == pytest.approx(extents["bar-0-6"][0], abs=0.01)


def test_a_bar_chart_draws_shown_rows_and_marks_withheld_ones():
    svg = bar_chart_svg(CHOICES, value="share", label="label", title="Tools")
    assert sorted(bars(svg)) == ["bar-0", "bar-2"]
    words = texts(svg)
    assert "80 %" in words and "35 %" in words
    assert SUPPRESSED in words


def test_a_ranking_chart_shows_its_scores_as_numbers():
    words = texts(bar_chart_svg(CHOICES, value="borda", label="label", title="Priorities"))
    assert "1.5" in words and "0.25" in words and "%" not in words


def test_text_from_authors_is_escaped_and_stays_text():
    chart = distribution({"all": (HOSTILE, 40, [0.1, 0.2, 0.1, 0.3, 0.3])})
    for svg in (
        likert_chart_svg(chart, title=HOSTILE),
        bar_chart_svg(CHOICES.assign(label=HOSTILE), value="share", label="label", title=HOSTILE),
    ):
        root = parsed(svg)
        assert "<script" not in svg and "&lt;script&gt;" in svg and "&amp;" in svg
        assert not [element for element in root.iter() if element.tag.endswith("script")]
        assert root.find(f"{SVG}title").text == HOSTILE
        assert HOSTILE in texts(svg)
        assert 'xlink:href="#DejaVu' not in svg  # letters are text, not paths


def test_dollar_signs_are_text_not_mathematics():
    svg = bar_chart_svg(CHOICES.assign(label="$5 to $10"), value="share", label="label", title="Cost $x$")
    assert "$5 to $10" in texts(svg) and "Cost $x$" in texts(svg)


def test_ids_are_unique_across_charts_on_one_page():
    first = likert_chart_svg(COMPLETE, title="Treaty")
    second = likert_chart_svg(COMPLETE, title="Labels")
    ids = [re.findall(r'\bid="([^"]+)"', svg) for svg in (first, second)]
    assert len(ids[0]) == len(set(ids[0]))
    assert not set(ids[0]) & set(ids[1])
    for svg, own in zip((first, second), ids, strict=True):
        assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= set(own)


def test_a_cached_chart_is_drawn_once():
    drawn = []

    def draw(table, *, title):
        drawn.append(title)
        return likert_chart_svg(table, title=title)

    assert cached_chart(draw, COMPLETE, title="Treaty") == cached_chart(draw, COMPLETE, title="Treaty")
    assert drawn == ["Treaty"]
    cached_chart(draw, COMPLETE.assign(share=COMPLETE["share"] / 2), title="Treaty")
    assert len(drawn) == 2
