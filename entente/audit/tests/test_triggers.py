"""The triggers the tests reinstall after a flush are those the migrations install."""

import importlib

from entente.audit import triggers


def test_live_trigger_statements_match_the_frozen_migration():
    migration = importlib.import_module("entente.audit.migrations.0002_append_only_triggers")
    assert triggers.STATEMENTS == migration.STATEMENTS
