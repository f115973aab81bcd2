"""Fixtures shared by the Python suites (each runs in its own venv; standard library only)."""

import secrets
import string

import pytest


@pytest.fixture
def username():
    """A fresh account name: a letter, then lowercase letters, eight characters in all, so that
    it is unique in the first eight characters (the database-prefix rule)."""

    def make(prefix):
        tail = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8 - len(prefix)))
        return prefix + tail

    return make
