"""Inter-coder agreement: Cohen's kappa and Krippendorff's alpha against published worked examples,
the unit of agreement (answer × theme), and the coding frame read from the database."""

import numpy
import pandas
import pytest
from django.contrib.auth import get_user_model

from analysis.agreement import (
    AGREEMENT_COLUMNS,
    CODING_COLUMNS,
    agreement,
    coding_frame,
    disagreements,
    krippendorff_alpha_nominal,
)
from analysis.models import Codebook, CodedSegment, Theme
from surveys.conditions import AnswerValue
from surveys.models import Answer, Expert
from tests.analysis.test_load import take_part
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory

THEME = 7


def coded(ratings: dict[int, list[bool]], theme: int = THEME, question: str = "why") -> pandas.DataFrame:
    """A coding frame in which each coder (key) rates answers 0, 1, … : one segment per answer,
    carrying ``theme`` where the rating is True and no theme otherwise."""
    rows = [
        {"answer": answer, "coder": coder, "theme": theme if present else pandas.NA}
        for coder, marks in ratings.items()
        for answer, present in enumerate(marks)
    ]
    frame = pandas.DataFrame(rows).assign(parent=pandas.NA, question=question)
    frame.insert(0, "segment", range(len(frame)))
    return frame.astype({"theme": "Int64", "parent": "Int64"})[CODING_COLUMNS]


def pairs(*counts: tuple[bool, bool, int]) -> dict[int, list[bool]]:
    """Two coders' ratings from the cells of their 2 × 2 table: (first, second, how many answers)."""
    first = [a for a, _b, n in counts for _ in range(n)]
    second = [b for _a, b, n in counts for _ in range(n)]
    return {1: first, 2: second}


def overall(table: pandas.DataFrame) -> pandas.Series:
    return table.loc[table["theme"].isna()].iloc[0]


def of_theme(table: pandas.DataFrame, theme: int = THEME) -> pandas.Series:
    return table.loc[table["theme"].eq(theme)].iloc[0]


def test_cohens_kappa_matches_the_published_two_by_two_example():
    """Wikipedia, "Cohen's kappa", worked example (retrieved 2026): 50 grant proposals read by
    two readers, A and B — yes/yes 20, A yes/B no 5, A no/B yes 10, no/no 15. p_o = 35/50 = 0.7,
    p_e = 0.5·0.6 + 0.5·0.4 = 0.5, κ = (0.7 − 0.5) / (1 − 0.5) = 0.4.

    Here a "yes" is a theme marked present on an answer. Krippendorff's alpha of the same table,
    by hand: 100 values, 55 "yes" and 45 "no"; D_o = 2·15/100 = 0.3, D_e = 2·55·45/(100·99) = 0.5,
    α = 1 − 0.3/0.5 = 0.4 as well."""
    ratings = pairs((True, True, 20), (True, False, 5), (False, True, 10), (False, False, 15))
    row = of_theme(agreement(frame=coded(ratings), themes=[THEME]))
    assert row["n_answers"] == 50
    assert row["observed_agreement"] == pytest.approx(0.7)
    assert row["kappa"] == pytest.approx(0.4)
    assert row["alpha"] == pytest.approx(0.4)


def test_krippendorffs_alpha_matches_krippendorffs_own_nominal_example():
    """Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
    Communication, University of Pennsylvania, departmental paper 43, section C ("Nominal data,
    any number of observers, missing data"): four observers A–D, twelve units, values 1–5, "."
    missing —

        A: 1 2 3 3 2 1 4 1 2 . . .
        B: 1 2 3 3 2 2 4 1 2 5 . 3
        C: . 3 3 3 2 3 4 2 2 5 1 .
        D: 1 2 3 3 2 4 4 1 2 5 1 .

    Unit 12 has a single value and is not pairable. Published result: α_nominal = 0.743."""
    missing = numpy.nan
    ratings = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, missing, missing, missing],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, missing, 3],
        [missing, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, missing],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, missing],
    ]
    assert krippendorff_alpha_nominal(numpy.array(ratings)) == pytest.approx(0.743, abs=5e-4)


def test_perfect_agreement_gives_kappa_and_alpha_of_one():
    ratings = pairs((True, True, 12), (False, False, 8))
    row = of_theme(agreement(frame=coded(ratings), themes=[THEME]))
    assert (row["observed_agreement"], row["kappa"], row["alpha"]) == (1.0, 1.0, 1.0)


def test_chance_level_agreement_gives_kappa_zero_and_alpha_near_zero():
    """Each coder marks the theme on half of 40 answers, independently of the other: every cell
    of the 2 × 2 table holds 10. p_o = p_e = 0.5, so κ = 0. Alpha draws its chance pairs without
    replacement: D_o = 40/80, D_e = 2·40·40/(80·79), α = 1 − 79/80 = 0.0125."""
    ratings = pairs((True, True, 10), (True, False, 10), (False, True, 10), (False, False, 10))
    row = of_theme(agreement(frame=coded(ratings), themes=[THEME]))
    assert row["observed_agreement"] == pytest.approx(0.5)
    assert row["kappa"] == pytest.approx(0.0)
    assert row["alpha"] == pytest.approx(1 / 80)


def test_a_theme_nobody_ever_marks_has_no_kappa_or_alpha():
    ratings = pairs((False, False, 10))
    row = of_theme(agreement(frame=coded(ratings), themes=[THEME]))
    assert row["observed_agreement"] == 1.0
    assert pandas.isna(row["kappa"]) and pandas.isna(row["alpha"])


def test_three_coders_get_alpha_but_no_kappa():
    ratings = {1: [True, True, False, False], 2: [True, True, False, False], 3: [True, False, False, False]}
    row = of_theme(agreement(frame=coded(ratings), themes=[THEME]))
    assert row["n_coders"] == 3
    assert pandas.isna(row["kappa"])
    # 12 values, 5 present. Unit 2 has one dissenting coder: 4 of its 6 ordered pairs disagree,
    # counted 4 / (3 − 1) = 2 in the coincidence matrix. D_o = 2/12, D_e = 2·5·7/(12·11).
    assert row["observed_agreement"] == pytest.approx(1 - 4 / 24)
    assert row["alpha"] == pytest.approx(1 - (2 / 12) / (2 * 5 * 7 / (12 * 11)))


def test_overall_pools_the_answer_theme_units_of_all_themes():
    first = coded(pairs((True, True, 20), (True, False, 5), (False, True, 10), (False, False, 15)), theme=1)
    second = coded(pairs((True, True, 30), (False, False, 20)), theme=2)
    second = second.assign(theme=second["theme"].where(second["theme"].isna(), 2))
    table = agreement(frame=pandas.concat([first, second], ignore_index=True), themes=[1, 2])
    assert list(table.columns) == AGREEMENT_COLUMNS
    assert table["theme"].tolist()[:2] == [1, 2]
    pooled = overall(table)
    # 100 units: 85 agreements; coder 1 marks 55, coder 2 marks 60.
    p_o, p_e = 85 / 100, 0.55 * 0.60 + 0.45 * 0.40
    assert pooled["observed_agreement"] == pytest.approx(p_o)
    assert pooled["kappa"] == pytest.approx((p_o - p_e) / (1 - p_e))
    assert pooled["share_present"] == pytest.approx(115 / 200)


def test_only_answers_coded_by_every_chosen_coder_are_compared():
    frame = coded({1: [True, True, False], 2: [True, True, False], 3: [False]})
    frame = frame.loc[~(frame["coder"].eq(2) & frame["answer"].eq(2))]
    assert of_theme(agreement(frame=frame, coders=[1, 2], themes=[THEME]))["n_answers"] == 2
    assert of_theme(agreement(frame=frame, themes=[THEME]))["n_answers"] == 1


def test_a_sub_theme_counts_as_its_parent_theme():
    frame = coded({1: [True, True], 2: [True, True]})
    frame.loc[frame["coder"].eq(2), ["theme", "parent"]] = [8, THEME]
    table = agreement(frame=frame, themes=[THEME, 8])
    assert of_theme(table, THEME)["observed_agreement"] == 1.0
    assert of_theme(table, 8)["observed_agreement"] == 0.0


def test_agreement_needs_two_coders():
    with pytest.raises(ValueError, match="two different coders"):
        agreement(frame=coded({1: [True, False]}), themes=[THEME])


def test_disagreements_list_each_coders_themes_side_by_side():
    first = coded({1: [True, True, False], 2: [True, False, False]}, theme=1)
    second = coded({1: [False, True, True], 2: [False, True, False]}, theme=2)
    table = disagreements(
        frame=pandas.concat([first, second], ignore_index=True), coders=[1, 2], themes=[1, 2]
    )
    assert list(table.columns) == ["answer", "question", "differing", 1, 2]
    assert table["answer"].tolist() == [1, 2]
    by_answer = table.set_index("answer")
    assert by_answer.loc[1, "differing"] == (1,)
    assert (by_answer.loc[1, 1], by_answer.loc[1, 2]) == ((1, 2), (2,))
    assert (by_answer.loc[2, 1], by_answer.loc[2, 2]) == ((2,), ())
    assert by_answer.loc[2, "question"] == "why"


def test_coders_who_agree_everywhere_leave_nothing_to_settle():
    table = disagreements(frame=coded({1: [True, False], 2: [True, False]}), coders=[1, 2], themes=[THEME])
    assert table.empty
    assert list(table.columns) == ["answer", "question", "differing", 1, 2]


# The coding frame, read from the database.


@pytest.fixture
def survey(db):
    survey = SurveyFactory()
    section = SectionFactory(survey=survey, position=1)
    QuestionFactory(section=section, position=1, code="why", type="long_text")
    QuestionFactory(section=section, position=2, code="risks", type="long_text")
    return survey


@pytest.fixture
def coders(db):
    return [get_user_model().objects.create_user(username=name) for name in ("coder-a", "coder-b")]


@pytest.fixture
def themes(survey):
    codebook = Codebook.objects.create(survey=survey, name="Interviews")
    divide = Theme.objects.create(codebook=codebook, name="AI divide", position=1)
    compute = Theme.objects.create(codebook=codebook, name="Access to compute", parent=divide, position=1)
    return divide, compute


def code(answer: Answer, coder, *themes: Theme) -> CodedSegment:
    segment = CodedSegment.objects.create(answer=answer, coder=coder, start=0, end=len(answer.text))
    segment.themes.set(themes)
    return segment


def test_coding_frame_has_one_row_per_segment_and_theme(survey, coders, themes):
    divide, compute = themes
    response = take_part(
        survey, {"why": AnswerValue(text="Compute is scarce."), "risks": AnswerValue(text="None.")}
    )
    why, risks = (response.answers.get(question__code=code) for code in ("why", "risks"))
    both = code(why, coders[0], divide, compute)
    bare = code(risks, coders[1])
    frame = coding_frame(survey=survey)
    assert list(frame.columns) == CODING_COLUMNS
    rows = set(frame.itertuples(index=False, name=None))
    assert rows == {
        (both.pk, why.pk, coders[0].pk, divide.pk, pandas.NA, "why"),
        (both.pk, why.pk, coders[0].pk, compute.pk, divide.pk, "why"),
        (bare.pk, risks.pk, coders[1].pk, pandas.NA, pandas.NA, "risks"),
    }
    assert set(coding_frame(survey=survey, question_code="risks")["segment"]) == {bare.pk}


def test_coding_frame_leaves_out_drafts_and_holds_no_text_or_personal_data(survey, coders, themes):
    expert = ExpertFactory(name="Ana Lima", email="ana@example.org", organisation="Fiocruz")
    submitted = take_part(survey, {"why": AnswerValue(text="Ana's confidential view.")}, expert=expert)
    draft = take_part(survey, {"why": AnswerValue(text="Unfinished.")}, submit=False)
    for response in (submitted, draft):
        code(response.answers.get(), coders[0], themes[0])
    frame = coding_frame(survey=survey)
    assert frame["answer"].tolist() == [submitted.answers.get().pk]
    everything = frame.to_csv(index=False)
    for personal in ("Ana Lima", "ana@example.org", "Fiocruz", "confidential"):
        assert personal not in everything
    assert Expert.objects.filter(name="Ana Lima").exists()


@pytest.mark.parametrize("answer_count", [5, 50])
def test_coding_frame_is_one_query_however_many_answers(
    survey, coders, themes, answer_count, django_assert_num_queries
):
    for number in range(answer_count):
        response = take_part(survey, {"why": AnswerValue(text=f"Answer {number}.")})
        for coder in coders:
            code(response.answers.get(), coder, *themes)
    with django_assert_num_queries(1):
        frame = coding_frame(survey=survey)
    assert len(frame) == answer_count * len(coders) * len(themes)
    table = agreement(frame=frame, themes=themes)
    assert overall(table)["n_answers"] == answer_count


def test_agreement_needs_an_answer_every_coder_coded():
    frame = coded({1: [True, False]})
    frame.loc[frame["answer"].eq(1), "coder"] = 2  # coder 1 coded answer 0 only, coder 2 answer 1
    with pytest.raises(ValueError, match="not coded any answer in common"):
        agreement(frame=frame, themes=[THEME])
