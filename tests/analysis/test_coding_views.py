"""The coding pages: who may open them, the workspace (no personal data, one answer at a time,
coding without JavaScript), quotes, the codebook editor and its CSV, and the query budget."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analysis.coding import codebook_for_survey, segment_code, theme_create
from analysis.load import respondent_pseudonym
from analysis.models import CodedSegment, Quote, Theme
from analysis.quotes import quote_mark
from analysis.views_coding import answer_pieces
from surveys import roles, services
from surveys.conditions import AnswerValue
from surveys.models import Sector
from tests.analysis.test_load import take_part
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory, invite

LOGIN = "/accounts/login/"
PASSWORD = "x-pass-123"


@pytest.fixture
def staff(db):
    return {
        role: services.user_create_with_role(username=role, password=PASSWORD, role=role)
        for role in roles.ROLES
    }


@pytest.fixture
def survey(db):
    survey = SurveyFactory(slug="ai-2026", min_group_size=2)
    section = SectionFactory(survey=survey, position=1)
    QuestionFactory(section=section, position=1, code="why", type="long_text")
    QuestionFactory(section=section, position=2, code="risks", type="long_text")
    return survey


@pytest.fixture
def themes(survey):
    codebook = codebook_for_survey(survey=survey)
    divide = theme_create(codebook=codebook, name="AI divide")
    return {
        "divide": divide,
        "compute": theme_create(codebook=codebook, name="Access to compute", parent=divide),
        "regulation": theme_create(codebook=codebook, name="Regulation"),
    }


def respond(survey, text="Compute is scarce.", *, attribution="anonymous", risks="", **expert):
    answers = {"why": AnswerValue(text=text)}
    if risks:
        answers["risks"] = AnswerValue(text=risks)
    response = take_part(survey, answers, expert=ExpertFactory(**expert))
    services.response_give_consent(response=response, attribution=attribution)
    return response


def answer_of(response, code="why"):
    return response.answers.select_related("question", "response__survey").get(question__code=code)


def workspace(slug="ai-2026"):
    return reverse("coding:workspace", kwargs={"slug": slug})


def page_urls(survey, themes) -> list[str]:
    slug = survey.slug
    return [
        reverse("coding:surveys"),
        workspace(slug),
        reverse("coding:quotes", kwargs={"slug": slug}),
        reverse("coding:codebook", kwargs={"slug": slug}),
        reverse("coding:codebook_export", kwargs={"slug": slug}),
        reverse("coding:theme", kwargs={"slug": slug, "theme_id": themes["divide"].pk}),
    ]


# Who may open the pages -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, survey, themes):
    for url in page_urls(survey, themes):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url


def test_an_expert_link_is_no_key_to_the_coding_pages(client, survey, themes):
    respond(survey)
    _invitation, token = invite(survey, ExpertFactory())
    client.get(f"/r/{token}/")  # the expert's own questionnaire session
    for url in page_urls(survey, themes):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url
    assert client.post(workspace(), {"action": "code"}).status_code == 302
    assert not CodedSegment.objects.exists()


@pytest.mark.parametrize("role", [roles.INTERVIEWER, roles.FIELDWORK])
def test_interviewers_and_fieldwork_staff_are_refused(client, staff, survey, themes, role):
    client.force_login(staff[role])
    for url in page_urls(survey, themes):
        assert client.get(url).status_code == 403, url
    assert client.post(workspace(), {"action": "code"}).status_code == 403
    assert (
        client.post(reverse("coding:codebook", kwargs={"slug": survey.slug}), {"action": "add"}).status_code
        == 403
    )


@pytest.mark.parametrize("role", [roles.RESEARCHER, roles.ADMIN])
def test_researchers_and_admins_may_code(client, staff, survey, themes, role):
    respond(survey)
    client.force_login(staff[role])
    for url in page_urls(survey, themes):
        assert client.get(url).status_code == 200, url


def test_the_staff_home_links_to_coding_for_coders_only(client, staff):
    link = reverse("coding:surveys")
    client.force_login(staff[roles.RESEARCHER])
    assert link in client.get(reverse("staff:home")).content.decode()
    client.force_login(staff[roles.INTERVIEWER])
    assert link not in client.get(reverse("staff:home")).content.decode()


def test_an_unknown_survey_is_not_found(client, staff):
    client.force_login(staff[roles.RESEARCHER])
    assert client.get(workspace("no-such-survey")).status_code == 404


# The workspace ----------------------------------------------------------------------------------


def test_researchers_see_no_names_in_the_workspace_even_for_named_experts(client, staff, survey, themes):
    response = respond(
        survey,
        "I, Ana Lima, think compute is scarce.",
        attribution="named",
        name="Ana Zumbi",
        email="ana.zumbi@example.org",
        organisation="Fiocruz Institute",
        country="BR",
        sector=Sector.ACADEMIA,
    )
    client.force_login(staff[roles.RESEARCHER])
    page = client.get(workspace()).content.decode()
    for personal in ("Ana Zumbi", "ana.zumbi@example.org", "Fiocruz Institute"):
        assert personal not in page
    assert "I, Ana Lima, think compute is scarce." in page  # the answer itself is shown as written
    for fact in ("Academia", "Brazil", "Americas", "English"):
        assert fact in page
    assert respondent_pseudonym(response.pk) in page


def test_names_appear_only_in_quote_attributions_of_named_experts(client, staff, survey):
    named = respond(survey, attribution="named", name="Ana Zumbi", organisation="Fiocruz Institute")
    anonymous = respond(survey, attribution="anonymous", name="Hans Weber", organisation="TU Berlin")
    researcher = staff[roles.RESEARCHER]
    for response in (named, anonymous):
        quote_mark(answer=answer_of(response), start=0, end=7, user=researcher)
    client.force_login(researcher)
    quotes_page = client.get(reverse("coding:quotes", kwargs={"slug": survey.slug})).content.decode()
    assert "Ana Zumbi, Fiocruz Institute" in quotes_page
    assert "Hans Weber" not in quotes_page and "TU Berlin" not in quotes_page
    assert "an expert from Academia, Brazil" in quotes_page
    assert "Ana Zumbi" not in client.get(workspace()).content.decode()


def test_the_answer_text_is_escaped(client, staff, survey):
    respond(survey, "<script>alert('x')</script> & <b>bold</b>")
    client.force_login(staff[roles.RESEARCHER])
    page = client.get(workspace()).content.decode()
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_one_answer_at_a_time_with_its_position_and_neighbours(client, staff, survey):
    responses = [respond(survey, f"Answer number {number}.") for number in range(3)]
    client.force_login(staff[roles.RESEARCHER])
    page = client.get(workspace(), {"n": 2}).content.decode()
    assert f'data-answer-id="{answer_of(responses[1]).pk}"' in page
    assert "Answer number 1." in page and "Answer number 0." not in page
    assert "2 of 3" in page
    assert 'data-nav="previous"' in page and "n=1" in page
    assert 'data-nav="next"' in page and "n=3" in page
    last = client.get(workspace(), {"n": 99}).content.decode()
    assert "3 of 3" in last and 'data-nav="next"' not in last


def test_the_filters_narrow_the_answers(client, staff, survey):
    respond(survey, "From Kenya.", country="KE", sector=Sector.GOVERNMENT)
    respond(survey, "From Brazil.", country="BR", sector=Sector.ACADEMIA, risks="Misuse.")
    client.force_login(staff[roles.RESEARCHER])
    page = client.get(workspace(), {"region": "Africa"}).content.decode()
    assert "From Kenya." in page and "1 of 1" in page
    page = client.get(workspace(), {"question": "risks"}).content.decode()
    assert "Misuse." in page and "1 of 1" in page
    page = client.get(workspace(), {"sector": Sector.INDUSTRY}).content.decode()
    assert "No answers match these filters." in page
    assert client.get(workspace(), {"status": "nonsense", "region": "Atlantis"}).status_code == 200


def test_the_workspace_highlights_only_this_coders_segments(client, staff, survey, themes):
    answer = answer_of(respond(survey, "Compute is scarce. Skills are scarcer."))
    segment_code(answer=answer, coder=staff[roles.RESEARCHER], start=0, end=18, themes=[themes["compute"]])
    segment_code(answer=answer, coder=staff[roles.ADMIN], start=19, end=38, themes=[themes["regulation"]])
    client.force_login(staff[roles.RESEARCHER])
    page = client.get(workspace()).content.decode()
    assert '<mark data-start="0" title="Access to compute">Compute is scarce.</mark>' in page
    assert '<span data-start="18"> Skills are scarcer.</span>' in page  # no cut where the admin's starts
    assert "Regulation</span>" not in page  # the admin's theme badge is not among "your codings"


def test_the_theme_picker_lists_the_codebook_with_number_keys(client, staff, survey, themes):
    respond(survey)
    client.force_login(staff[roles.RESEARCHER])
    page = client.get(workspace()).content.decode()
    keys = re.findall(r'value="(\d+)" id="theme-\d+" data-theme-key="(\d)"', page)
    assert keys == [
        (str(themes[name].pk), str(key)) for key, name in enumerate(["divide", "compute", "regulation"], 1)
    ]
    assert 'src="/static/roundtable/coding.js"' in page


def test_coding_the_whole_answer_works_without_javascript(client, staff, survey, themes):
    answer = answer_of(respond(survey, "Compute is scarce."))
    client.force_login(staff[roles.RESEARCHER])
    data = {
        "action": "code",
        "answer": answer.pk,
        "start": "",
        "end": "",
        "scope": "whole",
        "themes": [themes["divide"].pk, themes["regulation"].pk],
        "memo": "Clear case.",
    }
    response = client.post(workspace() + "?status=all&n=1", data)
    assert response.status_code == 302 and response["Location"] == workspace() + "?status=all&n=1"
    segment = CodedSegment.objects.get()
    assert (segment.coder, segment.start, segment.end, segment.memo) == (
        staff[roles.RESEARCHER],
        0,
        len("Compute is scarce."),
        "Clear case.",
    )
    assert set(segment.themes.all()) == {themes["divide"], themes["regulation"]}


def test_coding_a_selection_posts_its_offsets(client, staff, survey, themes):
    answer = answer_of(respond(survey, "Compute is scarce. Skills are scarcer."))
    client.force_login(staff[roles.RESEARCHER])
    data = {"action": "code", "answer": answer.pk, "start": 19, "end": 38, "scope": "selection"}
    client.post(workspace(), {**data, "themes": [themes["compute"].pk]})
    client.post(workspace(), {**data, "themes": [themes["regulation"].pk]})
    segment = CodedSegment.objects.get()
    assert answer.text[segment.start : segment.end] == "Skills are scarcer."
    assert list(segment.themes.all()) == [themes["regulation"]]


def test_coding_a_selection_without_offsets_or_outside_the_answer_is_explained(client, staff, survey, themes):
    answer = answer_of(respond(survey, "Short."))
    client.force_login(staff[roles.RESEARCHER])
    base = {"action": "code", "answer": answer.pk, "scope": "selection", "memo": "Keep me"}
    response = client.post(workspace(), base)
    assert response.status_code == 400
    assert "Select a passage in the answer first" in response.content.decode()
    assert "Keep me" in response.content.decode()
    response = client.post(workspace(), {**base, "start": 2, "end": 60})
    assert response.status_code == 400 and "not within the answer" in response.content.decode()
    assert not CodedSegment.objects.exists()


def test_an_answer_of_another_survey_cannot_be_coded_here(client, staff, survey, themes):
    other = SurveyFactory()
    QuestionFactory(section=SectionFactory(survey=other, position=1), code="why", type="long_text")
    foreign = answer_of(respond(other))
    client.force_login(staff[roles.RESEARCHER])
    response = client.post(workspace(), {"action": "code", "answer": foreign.pk, "scope": "whole"})
    assert response.status_code == 404


def test_a_coder_removes_a_coding(client, staff, survey, themes):
    answer = answer_of(respond(survey))
    segment = segment_code(answer=answer, coder=staff[roles.RESEARCHER], start=0, end=4, themes=[])
    others = segment_code(answer=answer, coder=staff[roles.ADMIN], start=0, end=4, themes=[])
    client.force_login(staff[roles.RESEARCHER])
    assert client.post(workspace(), {"action": "uncode", "segment": others.pk}).status_code == 404
    assert client.post(workspace(), {"action": "uncode", "segment": segment.pk}).status_code == 302
    assert list(CodedSegment.objects.all()) == [others]


def test_marking_a_quote_with_a_translation(client, staff, survey):
    answer = answer_of(respond(survey, "算力严重不足。人才也缺乏。", attribution="named"))
    client.force_login(staff[roles.RESEARCHER])
    data = {
        "action": "quote",
        "answer": answer.pk,
        "start": 0,
        "end": 7,
        "translation": "Compute is severely lacking.",
        "translation_language": "en",
    }
    assert client.post(workspace(), data).status_code == 302
    quote = Quote.objects.get()
    assert (quote.marked_by, quote.translation) == (staff[roles.RESEARCHER], "Compute is severely lacking.")
    page = client.get(reverse("coding:quotes", kwargs={"slug": survey.slug})).content.decode()
    assert "算力严重不足。" in page and "Compute is severely lacking." in page


def test_not_for_quotation_answers_offer_no_quote_and_say_why(client, staff, survey, themes):
    answer = answer_of(respond(survey, attribution="not_for_quotation"))
    client.force_login(staff[roles.RESEARCHER])
    page = client.get(workspace()).content.decode()
    assert 'id="quote-form"' not in page
    assert "This expert chose not to be quoted" in page
    assert "Code whole answer" in page
    response = client.post(workspace(), {"action": "quote", "answer": answer.pk})
    assert response.status_code == 400 and "chose not to be quoted" in response.content.decode()
    assert not Quote.objects.exists()


def test_a_quote_can_be_withdrawn(client, staff, survey):
    answer = answer_of(respond(survey))
    client.force_login(staff[roles.RESEARCHER])
    client.post(workspace(), {"action": "quote", "answer": answer.pk})
    quote = Quote.objects.get()
    assert (quote.start, quote.end) == (0, len(answer.text))
    client.post(workspace(), {"action": "unquote", "quote": quote.pk})
    assert not Quote.objects.exists()


def test_the_answer_is_cut_into_pieces_that_leave_out_the_carriage_return_of_line_breaks(db):
    # HTML reads "\r\n" as "\n": a piece holding both would shift the offsets the browser counts.
    pieces = answer_pieces("One.\r\nTwo 🙂 three.\rFour", [])
    assert [(piece.start, piece.text) for piece in pieces] == [(0, "One."), (5, "\nTwo 🙂 three.\rFour")]


@pytest.mark.parametrize("answer_count", [5, 50])
def test_the_workspace_takes_the_same_queries_however_many_answers(
    client, staff, survey, themes, answer_count, django_assert_max_num_queries
):
    coder = staff[roles.RESEARCHER]
    for number in range(answer_count):
        answer = answer_of(respond(survey, f"Answer {number}: compute is scarce."))
        segment_code(answer=answer, coder=coder, start=0, end=6, themes=[themes["divide"], themes["compute"]])
        segment_code(answer=answer, coder=coder, start=8, end=15, themes=[themes["regulation"]])
        Quote.objects.create(answer=answer, start=0, end=6, marked_by=coder)
    client.force_login(coder)
    with django_assert_max_num_queries(13):
        response = client.get(workspace(), {"status": "coded_by_me", "n": answer_count // 2})
    assert f"{answer_count // 2} of {answer_count}" in response.content.decode()


# The codebook -----------------------------------------------------------------------------------


def codebook_url(survey):
    return reverse("coding:codebook", kwargs={"slug": survey.slug})


def test_a_researcher_adds_edits_and_deletes_themes(client, staff, survey, themes):
    client.force_login(staff[roles.RESEARCHER])
    response = client.post(
        codebook_url(survey),
        {"action": "add", "name": "Chips", "description": "", "parent": themes["divide"].pk},
    )
    assert response.status_code == 302
    chips = Theme.objects.get(name="Chips")
    assert chips.parent == themes["divide"]
    edit = reverse("coding:theme", kwargs={"slug": survey.slug, "theme_id": chips.pk})
    client.post(edit, {"name": "Chips and compute", "description": "Hardware.", "parent": ""})
    chips.refresh_from_db()
    assert (chips.name, chips.description, chips.parent) == ("Chips and compute", "Hardware.", None)
    client.post(reverse("coding:theme_delete", kwargs={"slug": survey.slug, "theme_id": chips.pk}))
    assert not Theme.objects.filter(pk=chips.pk).exists()


def test_a_theme_that_breaks_the_rules_is_refused_on_the_form(client, staff, survey, themes):
    client.force_login(staff[roles.RESEARCHER])
    response = client.post(
        codebook_url(survey), {"action": "add", "name": "Regulation", "description": "", "parent": ""}
    )
    assert response.status_code == 400
    assert Theme.objects.filter(name="Regulation").count() == 1
    edit = reverse("coding:theme", kwargs={"slug": survey.slug, "theme_id": themes["divide"].pk})
    response = client.post(edit, {"name": "AI divide", "description": "", "parent": themes["regulation"].pk})
    assert response.status_code == 400 and "sub-themes" in response.content.decode()


def test_a_csv_with_errors_shows_them_by_row_keeps_the_input_and_stores_nothing(
    client, staff, survey, themes
):
    client.force_login(staff[roles.RESEARCHER])
    text = "name,description,parent\nOpen source,Weights.,\nSafety,,Nowhere\n"
    response = client.post(codebook_url(survey), {"action": "import", "text": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert "row 3, parent: there is no theme “Nowhere” in this file or in the codebook" in page
    assert "Open source,Weights.," in page  # the input is kept, to be corrected in place
    assert not Theme.objects.filter(name__in=["Open source", "Safety"]).exists()


def test_a_csv_file_is_imported(client, staff, survey, themes):
    client.force_login(staff[roles.RESEARCHER])
    upload = (
        "codebook.csv",
        "\ufeffname,description,parent\nOpen source,Weights.,\nChips,,AI divide\n".encode(),
    )
    response = client.post(codebook_url(survey), {"action": "import", "file": SimpleUploadedFile(*upload)})
    assert response.status_code == 302
    assert Theme.objects.get(name="Chips").parent == themes["divide"]
    assert Theme.objects.filter(name="Open source").exists()


def test_the_codebook_downloads_as_csv_for_excel(client, staff, survey, themes):
    theme_create(codebook=themes["divide"].codebook, name="=HYPERLINK(evil)")
    client.force_login(staff[roles.RESEARCHER])
    response = client.get(reverse("coding:codebook_export", kwargs={"slug": survey.slug}))
    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufeffname,description,parent")
    assert "Access to compute,,AI divide" in text
    assert "'=HYPERLINK(evil)" in text


def test_codebook_changes_need_the_theme_permissions(client, staff, survey, themes):
    researcher = staff[roles.RESEARCHER]
    researcher.groups.clear()
    researcher.user_permissions.set([Permission.objects.get(codename="code_answers")])
    client.force_login(researcher)
    assert client.get(codebook_url(survey)).status_code == 200
    assert client.post(codebook_url(survey), {"action": "add", "name": "X"}).status_code == 403
    assert client.post(codebook_url(survey), {"action": "import", "text": "name\nX\n"}).status_code == 403
    delete = reverse("coding:theme_delete", kwargs={"slug": survey.slug, "theme_id": themes["divide"].pk})
    assert client.post(delete).status_code == 403
    assert Theme.objects.count() == 3
