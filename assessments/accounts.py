"""Adviser accounts: ordinary Django users in the « Conseillers » group."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

ADVISERS_GROUP = "Conseillers"


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
    user.groups.add(Group.objects.get(name=ADVISERS_GROUP))
    return user
