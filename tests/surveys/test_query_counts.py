"""Query budgets: a questionnaire page costs the same with 20 or 200 questions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import AnswerTally, Question, Survey
from surveys.tally import profiles_frame, stored_counts, tallied
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory, add_choices, invite

# Reading a page: session, invitation with survey/expert/response, sections, questions, choices,
# answers. Saving adds the answers read again by the service, the upsert and the resume point.
READ_BUDGET = 7
SAVE_BUDGET = 12
# Submitting also looks up the survey's answer tally (surveys.tally), in a savepoint: none yet here.
SUBMIT_BUDGET = 15
# With a current tally, the submission's counts are added: the tally's fingerprint, the response's
# counts and standing before and after, the profiles it counts by, the last profile's number and
# an insert (for a new profile), the values it changes, one insert, one update and one delete of
# values, the profiles' respondents and the tally's new state (this test's first submission
# needs no update or delete: 10).
SUBMIT_WITH_TALLY_BUDGET = SUBMIT_BUDGET + 14


def survey_with(questions_per_section: int):
    survey = SurveyFactory()
    for position in (1, 2):
        section = SectionFactory(survey=survey, position=position)
        for n in range(questions_per_section):
            kind = [Question.Type.LIKERT, Question.Type.MULTIPLE_CHOICE, Question.Type.RANKING][n % 3]
            question = QuestionFactory(
                section=section,
                position=n + 1,
                code=f"s{position}_q{n}",
                type=kind,
                scale_points=5 if kind == Question.Type.LIKERT else None,
                rank_top_k=2 if kind == Question.Type.RANKING else None,
            )
            if kind != Question.Type.LIKERT:
                add_choices(question, "a", "b", "c")
    return survey


def filled_page(questions_per_section: int, position: int = 1) -> dict:
    data = {"action": "next"}
    for n in range(questions_per_section):
        code = f"s{position}_q{n}"
        if n % 3 == 0:
            data[f"q_{code}"] = "4"
        elif n % 3 == 1:
            data[f"q_{code}"] = ["a", "c"]
        else:
            data[f"q_{code}__rank1"], data[f"q_{code}__rank2"] = "b", "a"
    return data


@pytest.fixture
def started(client, db):
    def start(questions_per_section: int) -> str:
        survey = survey_with(questions_per_section)
        _invitation, token = invite(survey, ExpertFactory())
        link = f"/r/{token}/"
        client.get(link)
        client.post(link + "consent/", {"consent": "on", "attribution": "anonymous"})
        client.post(link + "section/1/", filled_page(questions_per_section))
        return link

    return start


@pytest.mark.parametrize("questions_per_section", [10, 100])
def test_a_section_page_reads_in_a_fixed_number_of_queries(
    client, started, questions_per_section, django_assert_max_num_queries
):
    link = started(questions_per_section)
    with django_assert_max_num_queries(READ_BUDGET):
        assert client.get(link + "section/1/").status_code == 200


@pytest.mark.parametrize("questions_per_section", [10, 100])
def test_saving_a_section_takes_a_fixed_number_of_queries(
    client, started, questions_per_section, django_assert_max_num_queries
):
    link = started(questions_per_section)
    with django_assert_max_num_queries(SAVE_BUDGET):
        response = client.post(link + "section/2/", filled_page(questions_per_section, position=2))
    assert response.status_code == 302


@pytest.mark.parametrize("questions_per_section", [10, 100])
def test_review_and_submit_take_a_fixed_number_of_queries(
    client, started, questions_per_section, django_assert_max_num_queries
):
    link = started(questions_per_section)
    client.post(link + "section/2/", filled_page(questions_per_section, position=2))
    with django_assert_max_num_queries(READ_BUDGET):
        assert client.get(link + "review/").status_code == 200
    with django_assert_max_num_queries(SUBMIT_BUDGET):
        assert client.post(link + "review/").status_code == 302


@pytest.mark.parametrize("questions_per_section", [10, 100])
def test_submitting_into_a_current_tally_takes_a_fixed_number_of_queries(
    client, started, questions_per_section, django_assert_max_num_queries
):
    link = started(questions_per_section)
    client.post(link + "section/2/", filled_page(questions_per_section, position=2))
    survey = Survey.objects.get()
    tallied([survey.pk])
    with django_assert_max_num_queries(SUBMIT_WITH_TALLY_BUDGET):
        assert client.post(link + "review/").status_code == 302
    assert stored_counts(AnswerTally.objects.filter(survey=survey), profiles_frame([survey.pk]))[
        "weight"
    ].sum() == (2 * questions_per_section)


def test_query_count_is_the_same_for_20_and_200_questions(client, started):
    counts = []
    for size in (10, 100):
        link = started(size)
        with CaptureQueriesContext(connection) as captured:
            client.get(link + "section/1/")
            client.post(link + "section/2/", filled_page(size, position=2))
            client.get(link + "review/")
        counts.append(len(captured))
    assert counts[0] == counts[1]
