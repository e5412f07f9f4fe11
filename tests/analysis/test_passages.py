"""Coded and quoted passages survive an expert's later edit of the answer: found again where the
words moved, flagged (never shifted onto other words) where the edit removed them."""

import importlib
import io

import pandas
import pytest
from django.apps import apps as django_apps

from analysis.coding import passage_span, segment_code
from analysis.exports.coded_segments import coded_segments_csv_lines
from analysis.models import CodedSegment, Quote
from analysis.quotes import quote_mark, quotes_for_report
from surveys import roles
from surveys.models import Answer
from tests.analysis import test_coding_views

# The coding views' survey (long-text "why", k = 2), staff accounts and themes.
staff = test_coding_views.staff
survey = test_coding_views.survey
themes = test_coding_views.themes
respond = test_coding_views.respond
workspace = test_coding_views.workspace

TEXT = "Compute is scarce. Skills are scarcer."
SKILLS = (19, 38)  # "Skills are scarcer."


def edit(answer: Answer, text: str) -> Answer:
    """The expert changes a submitted answer (as an edit before the survey closes would)."""
    answer.text = text
    answer.save(update_fields=["text", "updated_at"])
    return answer


@pytest.fixture
def answer(survey):
    return respond(survey, TEXT).answers.select_related("question", "response__survey").get()


@pytest.fixture
def researcher(staff):
    return staff[roles.RESEARCHER]


# Where a passage is now -------------------------------------------------------------------------


def test_an_unchanged_passage_keeps_its_offsets():
    assert passage_span(text=TEXT, start=19, end=38, passage="Skills are scarcer.") == SKILLS


def test_a_moved_passage_is_found_where_it_went():
    edited = "Above all: " + TEXT
    assert passage_span(text=edited, start=19, end=38, passage="Skills are scarcer.") == (30, 49)


def test_of_several_occurrences_the_nearest_to_the_old_place_is_chosen():
    text = "scarce, scarce, scarce"
    assert passage_span(text=text, start=9, end=15, passage="scarce") == (8, 14)


def test_a_removed_passage_has_no_place():
    assert passage_span(text="Compute is scarce.", start=19, end=38, passage="Skills are scarcer.") is None


def test_a_mark_without_a_stored_passage_keeps_offsets_within_the_text_only():
    assert passage_span(text=TEXT, start=0, end=7, passage="") == (0, 7)
    assert passage_span(text="Short", start=0, end=7, passage="") is None


# Coding and quoting ----------------------------------------------------------------------------


def test_coding_stores_the_passage_coded(answer, researcher, themes):
    segment = segment_code(answer=answer, coder=researcher, start=19, end=38, themes=[themes["divide"]])
    assert segment.passage == "Skills are scarcer."


def test_recoding_a_moved_passage_updates_its_segment_instead_of_adding_one(answer, researcher, themes):
    segment_code(answer=answer, coder=researcher, start=19, end=38, themes=[themes["divide"]])
    edit(answer, "Above all: " + TEXT)
    again = segment_code(answer=answer, coder=researcher, start=30, end=49, themes=[themes["regulation"]])
    assert CodedSegment.objects.count() == 1
    assert (again.start, again.end, list(again.themes.all())) == (30, 49, [themes["regulation"]])


def test_the_report_quotes_the_words_the_expert_still_stands_by(survey, answer, researcher):
    quote_mark(answer=answer, start=19, end=38, user=researcher)
    edit(answer, "Above all: " + TEXT)
    assert [quote.text for quote in quotes_for_report(survey=survey, k=1)] == ["Skills are scarcer."]


def test_a_quote_whose_words_were_removed_is_left_out_of_the_report(survey, answer, researcher):
    quote_mark(answer=answer, start=19, end=38, user=researcher)
    edit(answer, "Compute is scarce. Talent is not.")
    assert quotes_for_report(survey=survey, k=1) == []
    assert Quote.objects.count() == 1  # kept, for the researcher to withdraw or re-mark


# The workspace ----------------------------------------------------------------------------------


def test_the_workspace_highlights_a_moved_passage_where_it_is_now(client, answer, researcher, themes):
    segment_code(answer=answer, coder=researcher, start=19, end=38, themes=[themes["divide"]])
    edit(answer, "Above all: " + TEXT)
    client.force_login(researcher)
    response = client.get(workspace())
    coded = [piece for piece in response.context["pieces"] if piece.coded]
    assert [(piece.start, piece.text) for piece in coded] == [(30, "Skills are scarcer.")]
    assert [item["gone"] for item in response.context["segments"]] == [False]


def test_the_workspace_flags_a_coded_or_quoted_passage_the_edit_removed(client, answer, researcher, themes):
    segment_code(answer=answer, coder=researcher, start=19, end=38, themes=[themes["divide"]])
    quote_mark(answer=answer, start=19, end=38, user=researcher)
    edit(answer, "Compute is scarce. Talent is not.")
    client.force_login(researcher)
    response = client.get(workspace())
    assert not any(piece.coded for piece in response.context["pieces"])
    assert [(item["text"], item["gone"]) for item in response.context["segments"]] == [
        ("Skills are scarcer.", True)
    ]
    assert [item["gone"] for item in response.context["answer_quotes"]] == [True]
    html = response.content.decode()
    assert "No longer in the answer: the expert changed it after you coded it." in html
    assert "so the report leaves it out" in html


# The download -----------------------------------------------------------------------------------


def test_the_coded_segments_csv_says_which_passages_are_no_longer_in_the_answer(survey, researcher, themes):
    moved, removed = (Answer.objects.get(response=respond(survey, TEXT)) for _ in range(2))
    for answer in (moved, removed):
        segment_code(answer=answer, coder=researcher, start=19, end=38, themes=[themes["divide"]])
    edit(moved, "Above all: " + TEXT)
    edit(removed, "Compute is scarce.")
    frame = pandas.read_csv(io.StringIO("".join(coded_segments_csv_lines(survey=survey))[1:]))
    rows = frame.set_index("in_answer")[["start", "end", "passage"]]
    assert rows.loc[1].tolist() == [30, 49, "Skills are scarcer."]
    assert rows.loc[0].tolist() == [19, 38, "Skills are scarcer."]


def test_the_migration_gives_existing_segments_and_quotes_the_text_they_cover(answer, researcher, themes):
    migration = importlib.import_module("analysis.migrations.0007_passages")
    segment_code(answer=answer, coder=researcher, start=19, end=38, themes=[themes["divide"]])
    quote_mark(answer=answer, start=0, end=18, user=researcher)
    CodedSegment.objects.update(passage="")
    Quote.objects.update(passage="")
    migration.fill_passages(django_apps, None)
    assert list(CodedSegment.objects.values_list("passage", flat=True)) == ["Skills are scarcer."]
    assert list(Quote.objects.values_list("passage", flat=True)) == ["Compute is scarce."]
