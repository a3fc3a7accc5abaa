"""Writes to agreements (services, as the README's architecture describes), one module
per part: `agreements` (the agreement, its parts, publishing and markings),
`commitments` and `reports` (progress reports by the responsible party).
"""
