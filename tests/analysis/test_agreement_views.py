"""The agreement page: who may open it, kappa and alpha of a small known coding, the answers the
coders differ on side by side, the notice when agreement cannot be measured, and its query budget."""

import re

import pytest
from django.urls import reverse

from analysis.coding import codebook_for_survey, segment_code, theme_create
from analysis.load import respondent_pseudonym
from surveys import roles, services
from tests.analysis import test_coding_views as coding_views
from tests.analysis.test_coding_views import answer_of, respond
from tests.factories import ExpertFactory, invite

LOGIN = "/accounts/login/"
PASSWORD = coding_views.PASSWORD


# Fixtures shared with the workspace tests: an account per staff role, and a survey ("ai-2026")
# with two long-text questions, "why" and "risks".
staff = coding_views.staff
survey = coding_views.survey


def make_coder(name: str):
    return services.user_create_with_role(username=name, password=PASSWORD, role=roles.RESEARCHER)


@pytest.fixture
def themes(survey):
    codebook = codebook_for_survey(survey=survey)
    return {
        "access": theme_create(codebook=codebook, name="Access"),
        "cost": theme_create(codebook=codebook, name="Cost"),
    }


def code(answer, coder, *themes):
    return segment_code(answer=answer, coder=coder, start=0, end=len(answer.text), themes=list(themes))


@pytest.fixture
def known_coding(survey, themes):
    """Two coders, four answers. Access: coder A marks answers 1 and 2, coder B answers 1, 2 and 4;
    Cost: both mark answer 4 only; answer 3 is coded by both with no theme.

    Access: p_o = 3/4, p_e = 1/2·3/4 + 1/2·1/4 = 1/2, κ = 0.50; 5 "present" of 8 values,
    D_o = 2/8, D_e = 2·5·3/(8·7), α = 1 − 0.25/0.536 = 0.53. Cost: perfect, κ = α = 1.
    Pooled (8 units): p_o = 7/8, p_e = 3/8·1/2 + 5/8·1/2 = 1/2, κ = 0.75; 7 of 16 present,
    D_o = 2/16, D_e = 2·7·9/(16·15), α = 1 − 0.125/0.525 = 0.76."""
    first, second = make_coder("coder-a"), make_coder("coder-b")
    answers = [
        answer_of(respond(survey, text))
        for text in ["Compute is scarce.", "Access to chips.", "Nothing to add.", "Cloud costs too much."]
    ]
    access, cost = themes["access"], themes["cost"]
    for answer, first_themes, second_themes in zip(
        answers,
        [[access], [access], [], [cost]],
        [[access], [access], [], [access, cost]],
        strict=True,
    ):
        code(answer, first, *first_themes)
        code(answer, second, *second_themes)
    return {"coders": (first, second), "answers": answers}


def agreement_url(slug="ai-2026"):
    return reverse("coding:agreement", kwargs={"slug": slug})


def page(client, user, **query) -> str:
    client.force_login(user)
    response = client.get(agreement_url(), query)
    assert response.status_code == 200
    return response.content.decode()


def statistics(page_text: str, theme: str) -> tuple[str, str]:
    """The kappa and alpha shown in the row of ``theme`` (a theme id, or "all")."""
    row = re.search(rf'<tr data-theme="{theme}">(.*?)</tr>', page_text, re.S).group(1)
    kappa = re.search(r"data-kappa>(.*?)</td>", row, re.S)
    alpha = re.search(r"data-alpha>(.*?)</td>", row, re.S).group(1)
    return (kappa.group(1) if kappa else None), alpha


def coder_columns(page_text: str, answer) -> list[str]:
    row = re.search(rf'<tr data-disagreement="{answer.pk}">(.*?)</tr>', page_text, re.S).group(1)
    return re.findall(r"<td data-coder-themes>(.*?)</td>", row, re.S)


# Who may open it --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, survey):
    response = client.get(agreement_url())
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_an_expert_link_is_no_key_to_the_agreement_page(client, survey):
    _invitation, token = invite(survey, ExpertFactory())
    client.get(f"/r/{token}/")
    response = client.get(agreement_url())
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", [roles.FIELDWORK, roles.INTERVIEWER])
def test_fieldwork_staff_and_interviewers_are_refused(client, staff, survey, role):
    client.force_login(staff[role])
    assert client.get(agreement_url()).status_code == 403


@pytest.mark.parametrize("role", [roles.RESEARCHER, roles.ADMIN])
def test_researchers_and_admins_may_open_the_agreement_page(client, staff, survey, role):
    client.force_login(staff[role])
    assert client.get(agreement_url()).status_code == 200


def test_an_unknown_survey_is_not_found(client, staff):
    client.force_login(staff[roles.RESEARCHER])
    assert client.get(agreement_url("no-such-survey")).status_code == 404


def test_the_workspace_codebook_and_survey_list_link_to_the_agreement_page(client, staff, survey):
    respond(survey)
    client.force_login(staff[roles.RESEARCHER])
    for url in (
        reverse("coding:workspace", kwargs={"slug": survey.slug}),
        reverse("coding:codebook", kwargs={"slug": survey.slug}),
        reverse("coding:surveys"),
    ):
        assert f'href="{agreement_url()}"' in client.get(url).content.decode(), url


# What it shows ----------------------------------------------------------------------------------


def test_kappa_and_alpha_of_a_known_coding_overall_and_per_theme(client, staff, themes, known_coding):
    text = page(client, staff[roles.RESEARCHER])
    assert "Compared on 4 answers coded by each of: coder-a, coder-b." in text
    assert statistics(text, "all") == ("0.75", "0.76")
    assert statistics(text, themes["access"].pk) == ("0.50", "0.53")
    assert statistics(text, themes["cost"].pk) == ("1.00", "1.00")


def test_three_coders_get_alpha_but_no_kappa(client, staff, survey, themes, known_coding):
    third = make_coder("coder-c")
    for answer in known_coding["answers"]:
        code(answer, third, themes["access"])
    text = page(client, staff[roles.RESEARCHER])
    assert "coder-a, coder-b, coder-c." in text
    assert "kappa</th>" not in text and "data-kappa" not in text
    assert statistics(text, "all")[1] not in ("", "—")


def test_ticked_coders_are_the_ones_compared(client, staff, survey, themes, known_coding):
    first, _second = known_coding["coders"]
    third = make_coder("coder-c")
    for answer in known_coding["answers"]:
        code(answer, third, themes["access"])
    text = page(client, staff[roles.RESEARCHER], coders=[first.pk, third.pk])
    assert "coded by each of: coder-a, coder-c." in text
    assert "kappa</th>" in text


def test_the_disagreements_show_each_coders_themes_side_by_side(client, staff, themes, known_coding):
    text = page(client, staff[roles.RESEARCHER])
    answers = known_coding["answers"]
    assert re.findall(r'data-disagreement="(\d+)"', text) == [str(answers[3].pk)]
    first, second = coder_columns(text, answers[3])
    assert "Cost" in first and "Access" not in first
    assert "Access" in second and "Cost" in second
    assert re.search(r'text-bg-warning[^"]*">Access', second)  # the theme they differ about stands out
    assert respondent_pseudonym(answers[3].response_id) in text
    assert "Cloud costs too much." in text


def test_a_disagreement_links_to_its_answer_in_the_workspace(client, staff, themes, known_coding):
    text = page(client, staff[roles.RESEARCHER])
    link = re.search(r'href="(/coding/ai-2026/\?[^"]+)"', text).group(1).replace("&amp;", "&")
    assert link == "/coding/ai-2026/?question=why&n=4"
    workspace = client.get(link).content.decode()
    assert f'data-answer-id="{known_coding["answers"][3].pk}"' in workspace


def test_the_answer_text_in_a_disagreement_is_escaped(client, staff, survey, themes):
    first, second = make_coder("coder-a"), make_coder("coder-b")
    answer = answer_of(respond(survey, "<script>alert('x')</script> & <b>bold</b>"))
    code(answer, first, themes["access"])
    code(answer, second, themes["cost"])
    text = page(client, staff[roles.RESEARCHER])
    assert "<script>alert" not in text and "<b>bold</b>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text


def test_a_question_can_be_chosen(client, staff, survey, themes):
    first, second = make_coder("coder-a"), make_coder("coder-b")
    response = respond(survey, "Compute is scarce.", risks="Misuse.")
    for coder in (first, second):
        code(answer_of(response, "why"), coder, themes["access"])
    code(answer_of(response, "risks"), first, themes["cost"])
    code(answer_of(response, "risks"), second, themes["access"])
    assert "data-disagreement" in page(client, staff[roles.RESEARCHER])
    text = page(client, staff[roles.RESEARCHER], question="why")
    assert "Compared on 1 answer coded by each of: coder-a, coder-b." in text
    assert "data-disagreement" not in text and "The coders agree on every answer compared." in text


# When agreement cannot be measured --------------------------------------------------------------


def test_a_single_coder_gets_a_notice_not_an_error(client, staff, survey, themes):
    code(answer_of(respond(survey)), make_coder("coder-a"), themes["access"])
    text = page(client, staff[roles.RESEARCHER])
    assert "data-agreement-problem" in text
    assert "Agreement needs at least two different coders" in text
    assert "data-theme=" not in text


def test_coders_without_a_common_answer_get_a_notice(client, staff, survey, themes):
    code(answer_of(respond(survey, "One.")), make_coder("coder-a"), themes["access"])
    code(answer_of(respond(survey, "Two.")), make_coder("coder-b"), themes["access"])
    text = page(client, staff[roles.RESEARCHER])
    assert "have not coded any answer in common yet" in text


def test_a_codebook_without_themes_gets_a_notice(client, staff, survey):
    answer = answer_of(respond(survey))
    for name in ("coder-a", "coder-b"):
        code(answer, make_coder(name))
    text = page(client, staff[roles.RESEARCHER])
    assert "data-agreement-problem" in text and "at least one theme" in text


# Query budget -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("answer_count", "coder_count"), [(3, 2), (30, 5)])
def test_the_agreement_page_takes_the_same_queries_however_many_answers_and_coders(
    client, staff, survey, themes, answer_count, coder_count, django_assert_max_num_queries
):
    coders = [make_coder(f"coder-{number}") for number in range(coder_count)]
    for number in range(answer_count):
        answer = answer_of(respond(survey, f"Answer {number}: compute is scarce."))
        for index, coder in enumerate(coders):
            code(answer, coder, themes["access"] if (number + index) % 2 else themes["cost"])
    client.force_login(staff[roles.RESEARCHER])
    with django_assert_max_num_queries(12):
        response = client.get(agreement_url())
    assert response.content.decode().count("data-disagreement=") == answer_count
