"""`entente bench`: the real server on a generated instance, measured through HTTP.

instance.py prepares the database (created, migrated, generated at the asked scale) and
the officer's credentials; pages.py names what is measured; server.py runs `entente
serve` and signs in; measure.py times the pages with concurrent clients and runs each
page's SQL directly (its floor); report.py writes BENCHMARKS.md.
"""
