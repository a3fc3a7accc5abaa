"""The one date format and one date-time format of each language, found by Django through
settings.FORMAT_MODULE_PATH. Pages show dates only with these (`|date:"DATE_FORMAT"`, or
the `dates` template tags of core, which also wrap them in `<time datetime="…">`).

Each is chosen to be unambiguous to a reader of either party: the day as a number, the
month as a word (never 03/12 against 12/03), the year in full, the time on 24 hours.
A language's SHORT_ formats are the same as its long ones, so a page cannot pick
another. What is not set here (input formats, first day of the week) is Django's.
"""
