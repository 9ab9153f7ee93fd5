"""Adviser accounts: ordinary Django users in the « Conseillers » group."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

ADVISERS_GROUP = "Conseillers"


def advisers_group():
    """The « Conseillers » group with its permission (a migration creates it; a database
    flush or an admin's deletion would not bring it back)."""
    group, _created = Group.objects.get_or_create(name=ADVISERS_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="assessments", codename="use_adviser_space")
    )
    return group


@transaction.atomic
def create_adviser(*, username, password, email=""):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValueError(f"Le compte « {username} » existe déjà.")
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from error
    user.set_password(password)
    user.save()
    user.groups.add(advisers_group())
    return user


def is_adviser(user):
    """Whether the user may use the adviser space, in one query (none for administrators).

    Same answer as user.has_perm("assessments.use_adviser_space"), which costs two queries.
    """
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        Permission.objects.filter(
            content_type__app_label="assessments", codename="use_adviser_space"
        )
        .filter(Q(user=user) | Q(group__user=user))
        .exists()
    )
