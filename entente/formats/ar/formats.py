# Arabic: "3 ديسمبر 2026", "3 ديسمبر 2026، 14:30".
# - Month names in full: Arabic has no abbreviated month names (Django's "M" and "F" are
#   the same word). They are the names of Django's Arabic catalogue (يناير … ديسمبر), read
#   everywhere in the Arab world; Moroccan administration writes some differently (ماي،
#   يوليوز، غشت، شتنبر، نونبر، دجنبر), which a translator may set in our own catalogue later.
# - Western digits (0-9): Morocco writes them, not the Eastern Arabic ٠-٩, and Django's
#   date filter gives them.
# - The Arabic comma (،) before the time.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
