"""Suggestions in the coding workspace: the distinctive terms of the chosen question, and themes
suggested for an answer the coder has not coded yet — shown only, never applied or saved."""

import re

import pytest
from django.urls import reverse

from analysis.models import CodedSegment
from surveys import roles
from tests.analysis import test_agreement_views as agreement_views
from tests.analysis import test_coding_views as coding_views
from tests.analysis.test_agreement_views import code, make_coder
from tests.analysis.test_coding_views import answer_of, respond

SIMILAR = [
    "A compute shortage keeps our labs behind.",
    "The compute shortage slows every lab here.",
    "Our labs suffer from the compute shortage.",
]


# Fixtures shared with the workspace and agreement tests: an account per staff role, a survey
# ("ai-2026") with the long-text question "why", and its themes Access and Cost.
staff = coding_views.staff
survey = coding_views.survey
themes = agreement_views.themes


@pytest.fixture
def researcher(staff):
    return staff[roles.RESEARCHER]


@pytest.fixture
def two_coded_one_not(survey, themes, researcher):
    """Three answers about a compute shortage: the researcher coded the first two with Access."""
    answers = [answer_of(respond(survey, text)) for text in SIMILAR]
    for answer in answers[:2]:
        code(answer, researcher, themes["access"])
    return answers


def workspace(client, user, **query) -> str:
    client.force_login(user)
    response = client.get(reverse("coding:workspace", kwargs={"slug": "ai-2026"}), query)
    assert response.status_code == 200
    return response.content.decode()


def terms_panel(page: str) -> str:
    return re.search(r"<section[^>]*data-distinctive-terms>(.*?)</section>", page, re.S).group(1)


def suggested(page: str) -> list[str]:
    return re.findall(r'data-suggest-theme="(\d+)"', page)


# Distinctive terms ------------------------------------------------------------------------------


def test_the_terms_panel_shows_a_term_planted_in_the_questions_answers(client, survey, researcher):
    for text in [
        "Data sovereignty matters.",
        "Sovereignty over data is key.",
        "We want sovereignty.",
        "Fund it.",
    ]:
        respond(survey, text)
    panel = terms_panel(workspace(client, researcher, question="why"))
    assert "Distinctive terms" in panel
    assert ">sovereignty<" in panel


def test_the_terms_panel_asks_for_a_question_when_none_is_chosen(client, survey, researcher):
    respond(survey, "Data sovereignty matters.")
    respond(survey, "Sovereignty over data is key.")
    panel = terms_panel(workspace(client, researcher))
    assert "Choose a question above" in panel and "sovereignty" not in panel


def test_the_terms_panel_says_so_when_too_few_answers_share_words(client, survey, researcher):
    respond(survey, "Only one answer so far.")
    assert "Too few answers share words yet." in terms_panel(workspace(client, researcher, question="why"))


# Suggested themes -------------------------------------------------------------------------------


def test_an_uncoded_answer_gets_a_suggested_theme_button(client, themes, researcher, two_coded_one_not):
    page = workspace(client, researcher, question="why", status="uncoded_by_me")
    assert f'data-answer-id="{two_coded_one_not[2].pk}"' in page
    assert "Suggested themes" in page
    assert suggested(page) == [str(themes["access"].pk)]


def test_a_suggestion_is_never_applied_by_showing_it(client, themes, researcher, two_coded_one_not):
    page = workspace(client, researcher, question="why", status="uncoded_by_me")
    assert suggested(page)
    assert not CodedSegment.objects.filter(answer=two_coded_one_not[2]).exists()
    assert CodedSegment.objects.count() == 2
    box = re.search(rf'<input[^>]*id="theme-{themes["access"].pk}"[^>]*>', page).group(0)
    assert "checked" not in box  # the form is not ticked for the coder either
    assert re.search(r'<button type="button"[^>]*data-suggest-theme=', page)  # a click cannot submit


def test_no_suggestion_once_the_coder_has_coded_the_answer(client, themes, researcher, two_coded_one_not):
    code(two_coded_one_not[2], researcher, themes["cost"])
    page = workspace(client, researcher, question="why", n=3)
    assert f'data-answer-id="{two_coded_one_not[2].pk}"' in page
    assert not suggested(page) and "Suggested themes" not in page


def test_suggestions_come_from_the_coders_own_codings_only(
    client, survey, themes, researcher, two_coded_one_not
):
    # Coders code independently: another coder's codings suggest nothing to this one.
    other = make_coder("coder-b")
    page = workspace(client, other, question="why", status="uncoded_by_me")
    assert not suggested(page)
    assert "data-no-suggestion" in page


def test_too_few_coded_passages_give_a_short_hint_instead(client, survey, themes, researcher):
    first, second = (answer_of(respond(survey, text)) for text in SIMILAR[:2])
    code(first, researcher, themes["access"])
    page = workspace(client, researcher, question="why", status="uncoded_by_me")
    assert f'data-answer-id="{second.pk}"' in page
    assert not suggested(page)
    assert "No suggestion yet" in page


@pytest.mark.parametrize("answer_count", [5, 30])
def test_the_workspace_with_suggestions_takes_the_same_queries_however_many_answers(
    client, survey, themes, researcher, answer_count, django_assert_max_num_queries
):
    answers = [
        answer_of(respond(survey, f"{SIMILAR[number % 3]} Case {number}.")) for number in range(answer_count)
    ]
    for answer in answers[:-1]:
        code(answer, researcher, themes["access"])
    client.force_login(researcher)
    with django_assert_max_num_queries(16):
        response = client.get(
            reverse("coding:workspace", kwargs={"slug": survey.slug}),
            {"question": "why", "status": "uncoded_by_me"},
        )
    page = response.content.decode()
    assert suggested(page) and ">compute shortage<" in terms_panel(page)
