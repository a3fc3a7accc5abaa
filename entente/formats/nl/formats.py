# Dutch: "3 dec 2026", "3 dec 2026 14:30". "N" gives the lower-case Dutch abbreviations
# (mrt, mei, okt); they carry no dot, and adding one would write "mei." for May.
DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
