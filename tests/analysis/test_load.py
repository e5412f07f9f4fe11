"""Loading submitted answers into frames: one query per table, tidy, and no personal data."""

import pytest

from analysis.load import (
    ANSWER_COLUMNS,
    CHOICE_COLUMNS,
    QUESTION_COLUMNS,
    RESPONDENT_COLUMNS,
    answers_frame,
    choices_frame,
    questions_frame,
    respondents_frame,
)
from analysis.stats import choice_summary, scale_summary
from surveys import services
from surveys.conditions import AnswerValue
from surveys.models import Answer, Expert, Sector, Survey
from tests import factories
from tests.factories import ExpertFactory, every_type_survey

FULL = {
    "agree": AnswerValue(number=5),
    "why_agree": AnswerValue(text="As Jane Roe of Acme told me in confidence."),
    "org_kind": AnswerValue(text="public"),
    "tools": AnswerValue(codes=["law", "treaty"]),
    "priorities": AnswerValue(codes=["voice", "access"]),
    "outlook": AnswerValue(number=7),
    "years": AnswerValue(number=12.5),
    "title": AnswerValue(text="Professor of confidential things"),
    "home": AnswerValue(text="KE"),
}
MINIMAL = {"agree": AnswerValue(number=2)}  # why_agree is hidden when agree < 4


take_part = factories.take_part


@pytest.fixture
def survey(db) -> Survey:
    return every_type_survey()


@pytest.fixture
def taken(survey):
    """Two full submissions, one minimal submission and one draft."""
    experts = [
        ExpertFactory(name="Ana Lima", email="ana@example.org", organisation="Fiocruz", country="BR"),
        ExpertFactory(name="Hans Weber", email="hans@example.org", organisation="TU Berlin", country="DE",
                      sector=Sector.INDUSTRY),
        ExpertFactory(name="Wanjiru Kamau", email="wanjiru@example.org", organisation="KEMRI", country="KE",
                      sector=Sector.GOVERNMENT),
    ]  # fmt: skip
    responses = [
        take_part(survey, FULL, expert=experts[0]),
        take_part(survey, FULL, expert=experts[1]),
        take_part(survey, MINIMAL, expert=experts[2]),
    ]
    draft = take_part(survey, FULL, submit=False)
    return responses, draft


def test_one_row_per_submitted_answer(taken, survey):
    responses, _draft = taken
    frame = answers_frame(surveys=[survey])
    assert list(frame.columns) == ANSWER_COLUMNS
    assert len(frame) == Answer.objects.filter(response__in=responses).count() == 2 * len(FULL) + 1
    assert not frame.duplicated(["respondent", "question"]).any()
    assert frame["respondent"].nunique() == 3


def test_drafts_are_left_out(taken, survey):
    _responses, draft = taken
    assert draft.answers.exists()
    assert len(respondents_frame(surveys=[survey])) == 3


def test_answers_sit_in_their_columns(taken, survey):
    frame = answers_frame(surveys=survey).set_index("question")
    first = frame.groupby(level=0).first()
    assert first.loc["agree", ["type", "scale_points", "number"]].tolist() == ["likert", 5, 5.0]
    assert first.loc["org_kind", "text"] == "public"
    assert first.loc["home", "text"] == "KE"
    assert first.loc["tools", "codes"] == ["law", "treaty"]
    assert first.loc["priorities", "codes"] == ["voice", "access"]
    assert first.loc["priorities", "rank_top_k"] == 2
    assert (first.loc["agree", "survey"], first.loc["agree", "series"], first.loc["agree", "wave"]) == (
        survey.slug,
        survey.series.slug,
        "2026",
    )


def test_no_personal_data_and_no_free_text_reach_the_frame(taken, survey):
    frame = answers_frame(surveys=[survey])
    assert {"name", "email", "organisation", "expertise", "expert", "invitation", "other_text"}.isdisjoint(
        frame.columns
    )
    everything = frame.to_csv(index=False)
    for expert in Expert.objects.all():
        for personal in (expert.name, expert.email, expert.organisation):
            assert personal not in everything
    assert "Jane Roe" not in everything
    assert "confidential" not in everything
    assert set(frame.loc[frame["type"].isin(["long_text", "short_text"]), "text"]) == {""}


def test_respondents_are_pseudonymous_stable_and_never_the_database_id(taken, survey):
    responses, _draft = taken
    first = answers_frame(surveys=[survey])
    second = answers_frame(surveys=[survey])
    assert first["respondent"].tolist() == second["respondent"].tolist()
    pseudonyms = set(first["respondent"])
    ids = {str(response.pk) for response in responses} | {response.invitation_id for response in responses}
    assert pseudonyms.isdisjoint({str(value) for value in ids})
    assert all(len(pseudonym) == 16 for pseudonym in pseudonyms)
    assert set(respondents_frame(surveys=[survey])["respondent"]) == pseudonyms


def test_groups_are_the_snapshot_taken_at_submission(taken, survey):
    Expert.objects.filter(name="Ana Lima").update(country="FR", sector=Sector.OTHER)
    respondents = respondents_frame(surveys=[survey])
    assert list(respondents.columns) == RESPONDENT_COLUMNS
    brazilian = respondents[respondents["country"].eq("BR")].iloc[0]
    assert brazilian[["un_region", "north_south", "sector", "mode"]].tolist() == [
        "Americas",
        "south",
        "academia",
        "self",
    ]
    assert set(respondents["north_south"]) == {"south", "north"}


def test_answers_entered_by_an_interviewer_say_so(survey, make_interviewer):
    take_part(survey, MINIMAL, interviewer=make_interviewer)
    assert answers_frame(surveys=[survey])["mode"].tolist() == ["interviewer"]


@pytest.fixture
def make_interviewer(db):
    return services.user_create_with_role(username="interviewer", password="x-pass-123", role="interviewer")


def test_several_surveys_load_together_and_keep_their_wave(taken, survey):
    later = every_type_survey(wave_label="2027")
    take_part(later, MINIMAL)
    frame = answers_frame(surveys=Survey.objects.filter(series=survey.series))
    assert frame.groupby("wave")["respondent"].nunique().to_dict() == {"2026": 3, "2027": 1}
    assert set(frame["survey"]) == {survey.slug, later.slug}


@pytest.mark.parametrize("respondent_count", [5, 50])
def test_each_frame_is_one_query_however_many_respondents(
    survey, respondent_count, django_assert_num_queries
):
    for _ in range(respondent_count):
        take_part(survey, FULL)
    with django_assert_num_queries(1):
        frame = answers_frame(surveys=[survey])
    assert len(frame) == respondent_count * len(FULL)
    with django_assert_num_queries(1):
        assert len(respondents_frame(surveys=[survey])) == respondent_count
    with django_assert_num_queries(1):
        questions_frame(survey=survey)
    with django_assert_num_queries(1):
        choices_frame(survey=survey)


def test_questions_come_in_questionnaire_order_in_the_default_language(survey):
    questions = questions_frame(survey=survey)
    assert list(questions.columns) == QUESTION_COLUMNS
    assert questions["code"].tolist() == [
        "agree", "why_agree", "org_kind", "tools", "priorities",
        "outlook", "years", "title", "home", "org_detail",
    ]  # fmt: skip
    assert questions["position"].tolist() == list(range(1, 11))
    agree = questions.set_index("code").loc["agree"]
    assert (agree["text"], agree["scale_points"], agree["required"]) == ("Question agree?", 5, True)
    assert questions.set_index("code").loc["why_agree", "shown_if"] == "agree"


def test_choices_come_with_labels_and_positions(survey):
    choices = choices_frame(survey=survey)
    assert list(choices.columns) == CHOICE_COLUMNS
    tools = choices[choices["question"].eq("tools")]
    assert tools["code"].tolist() == ["law", "standards", "treaty", "other", "none"]
    assert tools["position"].tolist() == [1, 2, 3, 4, 5]
    assert tools["label"].tolist()[0] == "Law"
    assert tools.set_index("code").loc["none", "is_exclusive"]


def test_loaded_frames_feed_the_statistics(taken, survey):
    frame = answers_frame(surveys=[survey])
    respondents = respondents_frame(surveys=[survey])
    outlook = scale_summary(frame, respondents=respondents).set_index("question").loc["outlook"]
    assert (outlook["n"], outlook["n_skipped"]) == (2, 1)
    tools = choice_summary(frame, choices=choices_frame(survey=survey)).set_index("option")
    assert tools.loc["law", "share"] == 1
    assert tools.loc["none", "count"] == 0


def test_a_survey_without_submissions_gives_empty_frames_the_statistics_accept(survey):
    take_part(survey, FULL, submit=False)
    frame = answers_frame(surveys=[survey])
    assert frame.empty
    assert list(frame.columns) == ANSWER_COLUMNS
    assert respondents_frame(surveys=[survey]).empty
    assert scale_summary(frame, by="sector", respondents=respondents_frame(surveys=[survey])).empty
