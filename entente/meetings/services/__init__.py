"""Writes to meetings (services, as the README's architecture describes), one module per
part: `meetings` (schedule, status, minutes), `agenda`, `attendance` and `decisions`.

Agenda items, attendance and decisions are audited against themselves ("create",
"status", ...), not against their meeting, and do not change the meeting's version:
the version guards the meeting's own fields (schedule, status, minutes).
"""
