# French: "3 déc. 2026", "3 déc. 2026 à 14:30". "N" gives the usual French abbreviations
# (janv. is "jan.", but juin and juil. stay apart); "M" would give "Jui" for both June
# and July, which is ambiguous.
DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y à H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
