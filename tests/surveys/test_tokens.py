import hashlib

from surveys.models import Invitation
from surveys.selectors import invitation_for_token
from surveys.services import invitation_reissue, invitation_revoke
from tests.factories import invite


def test_token_is_stored_only_as_its_sha256_hash(survey):
    invitation, token = invite(survey)
    stored = Invitation.objects.values().get(pk=invitation.pk)
    assert token not in str(stored)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_tokens_are_long_and_distinct(survey):
    tokens = {invite(survey)[1] for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(token) >= 43 for token in tokens)  # 32 random bytes in URL-safe base64


def test_reissued_token_replaces_the_old_link(survey):
    invitation, old = invite(survey)
    invitation_revoke(invitation=invitation)
    new = invitation_reissue(invitation=invitation)
    assert invitation_for_token(token=old) is None
    found = invitation_for_token(token=new)
    assert found == invitation and found.revoked_at is None


def test_unknown_token_finds_nothing(survey):
    invite(survey)
    assert invitation_for_token(token="not-a-real-token") is None
