"""Background tasks (django-tasks), thin: each parses its JSON arguments and calls one service.

In production the database backend queues them and ``python manage.py db_worker`` runs them; the
tests and a bare development checkout use the immediate backend, which runs them at once.
"""

from datetime import datetime

from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from .services import mailing


@task()
def invitation_email_deliver(
    *,
    invitation_id: int,
    kind: str,
    claimed_at: str,
    previous_contact_at: str | None,
    attempt: int,
) -> bool:
    """Send one queued invitation or reminder; see ``mailing.invitation_deliver``."""
    return mailing.invitation_deliver(
        invitation_id=invitation_id,
        kind=kind,
        claimed_at=datetime.fromisoformat(claimed_at),
        previous_contact_at=datetime.fromisoformat(previous_contact_at) if previous_contact_at else None,
        attempt=attempt,
    )


def tasks_run_in_background() -> bool:
    """True when queued emails wait for a worker (``db_worker``), False when they ran at once."""
    return not isinstance(invitation_email_deliver.get_backend(), ImmediateBackend)
