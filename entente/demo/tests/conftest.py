from urllib.parse import urlencode

import pytest
from django.db import connection

from entente.testing import postgres_url


@pytest.fixture
def served_test_database(transactional_db, monkeypatch, settings):
    """The test database, ready for a real server in another process (`entente serve`):
    committed data, its URL in ENTENTE_DATABASE_URL, and the server's own password hasher
    for the passwords set here, not the tests' fast one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    monkeypatch.setenv("ENTENTE_DATABASE_URL", _url_of_the_test_database())


def _url_of_the_test_database() -> str:
    """With its options: SQLite's busy timeout and write lock taken at BEGIN are what
    keep "database is locked" from concurrent writers."""
    if connection.vendor == "sqlite":
        options = urlencode(connection.settings_dict["OPTIONS"])
        return f"sqlite:///{connection.settings_dict['NAME']}?{options}"
    return postgres_url()
