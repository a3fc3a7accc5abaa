# English: "3 Dec 2026", "3 Dec 2026, 14:30". Day before month, as both parties write it
# (never the American "Dec 3"); Django's three-letter month abbreviations have no dot.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
