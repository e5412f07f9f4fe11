"""Writes for staff accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.utils.translation import gettext as _

from ..roles import ROLES, STAFF_SITE_ROLES


def user_create_with_role(*, username: str, password: str, role: str, email: str = "") -> AbstractBaseUser:
    """A staff account in one role group; admin and fieldwork may open the Django admin.
    Updates the password and role when the account exists."""
    if role not in ROLES:
        raise ValueError(
            _("Unknown role “%(role)s”; choose one of %(roles)s.") % {"role": role, "roles": ", ".join(ROLES)}
        )
    user, _created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    user.is_staff = role in STAFF_SITE_ROLES
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user
