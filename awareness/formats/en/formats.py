"""English dates as the site writes them everywhere, on pages and on
certificates alike: 1 December 2026 (British order, as in the content).
Chinese uses Django's own zh_Hans formats: 2026年12月1日."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
