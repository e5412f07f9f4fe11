"""The answer tally (surveys.tally): kept as answers are submitted and edited, rebuilt when
anything else changed them, and always what counting the answers again would give."""

import io
from collections import Counter
from datetime import timedelta

import pandas
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import selectors, services
from surveys.conditions import AnswerValue
from surveys.models import Answer, AnswerTally, Question, Response, Sector, TallyProfile, TallyState
from surveys.tally import (
    COUNTED_ANSWER_FIELDS,
    GROUP_FIELDS,
    KEY_FIELDS,
    VALUE_FIELDS,
    fingerprints,
    profiles_frame,
    stored_counts,
    tallied,
    used_categories,
)
from surveys.tally.common import _counted_answers
from surveys.tally.upkeep import _applied, _moved
from tests.analysis.test_load import FULL as ANSWERS
from tests.factories import ExpertFactory, every_type_survey, take_part

# A rebuild: its savepoints, the state's get-or-create, lock, emptying the values and the profiles,
# counting the answers and the respondents (one query on PostgreSQL, two on SQLite), inserting the
# profiles and the values, and the state's new fingerprint, whatever the number of answers.
TALLY_REBUILD_QUERIES = 14


# The key of a profile's count of respondents among the answers' counts: (RESPONDENTS, *profile).
RESPONDENTS = "respondents"


def recount(survey) -> Counter:
    """The tally's counts as counting the submitted answers again gives them, by ``KEY_FIELDS``,
    and its profiles' respondents as counting the submitted responses gives them."""
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    answers = Counter(_counted_answers(response__survey=survey).values_list(*COUNTED_ANSWER_FIELDS))
    return answers + Counter((RESPONDENTS, *profile) for profile in submitted.values_list(*GROUP_FIELDS))


def counts(tallies, survey) -> Counter:
    """``survey``'s ``tallies`` (a queryset of ``AnswerTally``) as counts by key (``KEY_FIELDS``),
    and its profiles' respondents, as ``recount`` gives them."""
    profiles = profiles_frame([survey.pk])
    frame = stored_counts(tallies, profiles)
    keys = pandas.concat(
        [
            frame[list(VALUE_FIELDS)].reset_index(drop=True),
            profiles[list(GROUP_FIELDS)].take(frame["profile"]).reset_index(drop=True),
        ],
        axis=1,
    ).astype(object)
    keys = keys.where(keys.notna(), None)
    answers = dict(zip(keys.itertuples(index=False, name=None), frame["weight"].tolist(), strict=True))
    respondents = profiles[["respondents", *GROUP_FIELDS]].itertuples(index=False, name=None)
    return Counter(answers) + Counter({(RESPONDENTS, *profile): count for count, *profile in respondents})


def tally_of(survey) -> Counter:
    """The tally's counts as they are stored (without bringing them up to date)."""
    return counts(AnswerTally.objects.filter(survey=survey), survey)


def is_current(survey) -> bool:
    state = TallyState.objects.filter(survey=survey).first()
    return state is not None and state.fingerprint == fingerprints([survey.pk])[survey.pk]


def row_ids(survey) -> set[tuple[str, int]]:
    """The tally's rows and profiles, which a rebuild writes anew and keeping it adds to."""
    return {
        ("value", pk) for pk in AnswerTally.objects.filter(survey=survey).values_list("pk", flat=True)
    } | {("profile", pk) for pk in TallyProfile.objects.filter(survey=survey).values_list("pk", flat=True)}


def answer_page(response, code: str, value: AnswerValue) -> None:
    """Saves ``code``'s page of ``response`` with ``value`` for ``code`` (the page's other answers kept)."""
    questionnaire = selectors.questionnaire_for_survey(survey=response.survey)
    question = next(question for question in questionnaire.questions if question.code == code)
    section = next(section for section in questionnaire.sections if section.pk == question.section_id)
    stored = selectors.answers_for_response(response=response)
    page = {other.pk: stored[other.pk] for other in questionnaire.questions_in(section) if other.pk in stored}
    services.response_save_page(
        response=response,
        questionnaire=questionnaire,
        section=section,
        values={**page, question.pk: value},
        next_section=None,
    )


@pytest.fixture
def survey(db):
    survey = every_type_survey(slug="tally-2026")
    for country, sector in [("BR", Sector.ACADEMIA), ("DE", Sector.GOVERNMENT), ("BR", Sector.ACADEMIA)]:
        take_part(survey, ANSWERS, expert=ExpertFactory(country=country, sector=sector))
    take_part(survey, ANSWERS, submit=False)  # a draft is never counted
    return survey


def test_the_first_reader_counts_the_answers_and_later_ones_read_them(survey, django_assert_num_queries):
    assert not TallyState.objects.filter(survey=survey).exists()
    tally = counts(tallied([survey.pk]), survey)
    assert tally == recount(survey) == tally_of(survey)
    assert sum(count for key, count in tally.items() if key[0] != RESPONDENTS) == 3 * len(ANSWERS)
    assert sum(count for key, count in tally.items() if key[0] == RESPONDENTS) == 3
    free_text = ANSWERS["title"].text
    assert not any(key[KEY_FIELDS.index("category")] == free_text for key in tally)
    assert is_current(survey)
    ids = row_ids(survey)
    with django_assert_num_queries(2):  # the fingerprint and the state: no rebuild
        tallied([survey.pk])
    assert row_ids(survey) == ids


def test_a_submission_is_added_to_a_current_tally_without_a_rebuild(survey):
    tallied([survey.pk])
    ids = row_ids(survey)
    take_part(survey, ANSWERS, expert=ExpertFactory(country="KE", sector=Sector.INDUSTRY))
    assert is_current(survey)
    assert tally_of(survey) == recount(survey)
    assert ids < row_ids(survey)  # the new profile's counts were added; nothing was rebuilt


def test_an_edit_of_a_submitted_response_moves_its_counts(survey):
    tallied([survey.pk])
    response = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED, country="DE").get()
    answer_page(response, "agree", AnswerValue(number=2))  # also hides why_agree (free text)
    answer_page(response, "tools", AnswerValue(codes=["standards"]))
    assert is_current(survey)
    assert tally_of(survey) == recount(survey)
    agree = Question.objects.get(survey=survey, code="agree")
    assert (
        tally_of(survey)[
            (agree.pk, 2.0, "", "[]", "DE", "Europe", "Western Europe", "north", "government", "self")
        ]
        == 1
    )


def test_a_resubmission_with_new_groups_moves_the_counts_to_the_new_profile(survey):
    tallied([survey.pk])
    response = Response.objects.filter(survey=survey, country="DE").select_related("invitation__expert").get()
    expert = response.invitation.expert
    expert.country = "KE"
    expert.save()
    services.response_submit(
        response=response, questionnaire=selectors.questionnaire_for_survey(survey=survey)
    )
    assert is_current(survey)
    tally = tally_of(survey)
    assert tally == recount(survey)
    assert {key[KEY_FIELDS.index("country")] for key in tally if key[0] != RESPONDENTS} == {"BR", "KE"}
    assert {key[1:] for key in tally if key[0] == RESPONDENTS} == {  # DE's profile has none left
        ("BR", "Americas", "Latin America and the Caribbean", "south", "academia", "self"),
        ("KE", "Africa", "Sub-Saharan Africa", "south", "government", "self"),
    }


def _delete_a_response(survey):
    Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED).first().delete()


def _edit_an_answer_elsewhere(survey):
    # As the admin or a script would: the answer and its response's time change, nothing else.
    answer = Answer.objects.filter(
        response__survey=survey, response__status="submitted", question__code="agree"
    ).first()
    Answer.objects.filter(pk=answer.pk).update(number=1)
    Response.objects.filter(pk=answer.response_id).update(updated_at=timezone.now())


def _submit_a_draft_elsewhere(survey):
    Response.objects.filter(survey=survey, status=Response.Status.DRAFT).update(
        status=Response.Status.SUBMITTED, submitted_at=timezone.now(), consent_given_at=timezone.now()
    )


def _retype_a_question(survey):
    question = Question.objects.get(survey=survey, code="title")
    question.type = Question.Type.SINGLE_CHOICE  # its text answers become categories
    question.save()


def test_a_rebuild_counts_respondents_who_answered_nothing(survey):
    keen = ExpertFactory(country="KE", sector=Sector.INDUSTRY)
    response = take_part(survey, ANSWERS, expert=keen)
    Answer.objects.filter(response=response).delete()  # as a script would: every answer gone
    call_command("rebuild_tallies", survey.slug, stdout=io.StringIO())
    tally = tally_of(survey)
    assert tally == recount(survey)
    profile = ("KE", "Africa", "Sub-Saharan Africa", "south", "industry", "self")
    assert tally[(RESPONDENTS, *profile)] == 1
    assert not [key for key in tally if key[0] != RESPONDENTS and key[len(VALUE_FIELDS) :] == profile]


def test_a_tally_counting_a_profile_it_does_not_have_is_refused(survey):
    tallied([survey.pk])
    TallyProfile.objects.filter(survey=survey, country="DE").delete()
    with pytest.raises(ValueError, match="counts a profile that its survey does not have"):
        tally_of(survey)


@pytest.mark.parametrize(
    "change", [_delete_a_response, _edit_an_answer_elsewhere, _submit_a_draft_elsewhere, _retype_a_question]
)
def test_changes_made_elsewhere_put_the_tally_out_of_date_and_the_next_reader_rebuilds_it(survey, change):
    tallied([survey.pk])
    change(survey)
    assert not is_current(survey)
    assert tally_of(survey) != recount(survey)
    # A service's change now leaves the out-of-date tally alone …
    take_part(survey, ANSWERS, expert=ExpertFactory(country="KE"))
    assert not is_current(survey)
    # … and the next reader counts everything again.
    tallied([survey.pk])
    assert is_current(survey)
    assert tally_of(survey) == recount(survey)


def test_a_tally_missing_a_count_it_should_hold_is_given_up_and_rebuilt(survey):
    tallied([survey.pk])
    agree = Question.objects.get(survey=survey, code="agree")
    AnswerTally.objects.filter(survey=survey, question=agree).delete()  # corrupted
    response = Response.objects.filter(survey=survey, country="DE").get()
    answer_page(response, "agree", AnswerValue(number=3))
    assert not is_current(survey)
    tallied([survey.pk])
    assert tally_of(survey) == recount(survey)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["submit", "edit", "resubmit_elsewhere", "delete", "read"]),
        st.sampled_from(["BR", "DE", "KE"]),
        st.integers(min_value=1, max_value=3),  # below 4: no required why_agree to answer
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS)
def test_whatever_happens_a_reader_gets_what_counting_again_gives(db, operations):
    with transaction.atomic():
        survey = every_type_survey(slug="tally-property")
        for operation, country, point in operations:
            submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
            if operation == "submit" or not submitted.exists():
                take_part(
                    survey,
                    {**ANSWERS, "agree": AnswerValue(number=point)},
                    expert=ExpertFactory(country=country),
                )
            elif operation == "edit":
                answer_page(submitted.order_by("pk").last(), "agree", AnswerValue(number=point))
            elif operation == "resubmit_elsewhere":
                response = submitted.select_related("invitation__expert").order_by("pk").first()
                response.invitation.expert.country = country
                response.invitation.expert.save()
                services.response_submit(
                    response=response, questionnaire=selectors.questionnaire_for_survey(survey=survey)
                )
            elif operation == "delete":
                submitted.order_by("pk").first().delete()
            else:
                tallied([survey.pk])
        assert counts(tallied([survey.pk]), survey) == recount(survey)
        transaction.set_rollback(True)


def test_the_command_rebuilds_a_tally_that_looks_current(survey):
    tallied([survey.pk])
    # Changed where no fingerprint can see it: the tally still looks current but is wrong.
    Answer.objects.filter(response__survey=survey, question__code="agree").update(number=1)
    assert is_current(survey) and tally_of(survey) != recount(survey)
    out = io.StringIO()
    call_command("rebuild_tallies", survey.slug, stdout=out)
    assert is_current(survey) and tally_of(survey) == recount(survey)
    answers = [key for key in recount(survey) if key[0] != RESPONDENTS]
    values = {key[: KEY_FIELDS.index("country")] for key in answers}
    profiles = {key[KEY_FIELDS.index("country") :] for key in answers}
    summary = f"{len(answers)} counts of {len(values)} values by {len(profiles)} respondent profiles"
    assert f"{survey.slug}: {summary}" in out.getvalue()


def test_the_command_names_an_unknown_survey(survey):
    with pytest.raises(CommandError, match="“nope”"):
        call_command("rebuild_tallies", survey.slug, "nope")


def test_a_response_leaving_the_submitted_ones_puts_the_tally_out_of_date():
    moment = timezone.now()
    fingerprint = [3, moment.isoformat(), 9, moment.isoformat()]
    assert _moved(fingerprint, (True, moment), (False, moment)) == []
    assert _moved(fingerprint, (True, moment), None) == []  # deleted
    later = moment + timedelta(seconds=1)
    submitted_later = [4, later.isoformat(), 9, moment.isoformat()]
    assert _moved(fingerprint, (False, moment), (True, later)) == submitted_later
    assert _moved(fingerprint, (True, later), (True, moment)) == fingerprint  # an earlier clock
    assert _moved(fingerprint, (False, moment), (False, later)) == fingerprint  # a draft


@given(codes=st.lists(st.integers(min_value=-1, max_value=5), max_size=40))
def test_used_categories_drops_what_remove_unused_categories_drops(codes):
    values = pandas.Categorical.from_codes(codes, categories=list("abcdef"))
    kept = used_categories(values)
    expected = values.remove_unused_categories()
    assert list(kept.categories) == list(expected.categories)
    assert kept.codes.tolist() == expected.codes.tolist()


def test_a_change_of_respondents_alone_reads_and_writes_no_values(survey):
    tallied([survey.pk])
    brazil = ("BR", "Americas", "Latin America and the Caribbean", "south", "academia", "self")
    before = tally_of(survey)
    with CaptureQueriesContext(connection) as queries:
        assert _applied(survey.pk, Counter(), Counter(), Counter({brazil: 1}))
    assert not [query for query in queries.captured_queries if "surveys_answertally" in query["sql"]]
    assert tally_of(survey) - before == Counter({(RESPONDENTS, *brazil): 1})
