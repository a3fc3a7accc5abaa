"""The meeting pages: the list, the schedule form, a meeting's page and its agenda.

Records come only through the selectors (`meeting_visible_to`, `get_meeting_for_user`,
...), so another party's internal meeting answers 404 and a visible meeting the user
may not change answers 403. Writes go through the services; their ValidationErrors
are put next to the field they name, and a stale version re-renders the form with
what changed instead of overwriting it.
"""
