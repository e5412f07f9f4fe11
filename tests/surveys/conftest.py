import pytest

from surveys import roles, services
from tests.factories import ExpertFactory, every_type_survey, invite


@pytest.fixture
def survey(db):
    return every_type_survey()


@pytest.fixture
def expert_link(survey):
    """(invitation, link path) for a Brazilian academic invited to ``survey``."""
    invitation, token = invite(survey, ExpertFactory(country="BR"))
    return invitation, f"/r/{token}/"


@pytest.fixture
def consented(client, expert_link):
    """The expert's link, with consent given as anonymous."""
    invitation, link = expert_link
    client.get(link)
    client.post(link + "consent/", {"consent": "on", "attribution": "anonymous"})
    return invitation, link


@pytest.fixture
def make_user(db):
    def make(role: str, username: str | None = None):
        return services.user_create_with_role(username=username or role, password="x-pass-123", role=role)

    return make


@pytest.fixture
def staff(make_user):
    return {role: make_user(role) for role in roles.ROLES}
