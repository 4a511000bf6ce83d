"""URL converters that refuse what no object can match, before any query.

Django's `int` takes any number of digits, and a 30-digit id overflows the
database's integer (a 500 on both SQLite and PostgreSQL); a NUL byte in a
`str` segment reaches PostgreSQL, which refuses it (another 500). These
match only what our ids, tokens and serial numbers can be: anything else is
a plain 404. `as_id` is the same rule for ids that come in a form or a
query string.
"""

# The largest id a (signed 64-bit) bigint primary key can hold.
MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """The id `value` spells — ASCII digits, surrounding spaces allowed,
    from 1 up to MAX_ID — or None. Asking the database for anything else
    would overflow its integer (a 500) or could match nothing anyway."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    # A positive bigint has at most 19 digits; 18 keep every match in range.
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class TokenConverter:
    """A certificate's verify token (URL-safe base64)."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SerialConverter(TokenConverter):
    """A certificate's serial number, e.g. AW-2026-000123."""

    regex = "[A-Za-z0-9-]{1,30}"


class YearConverter:
    """A study year in an address: four digits, so a date can be built from it."""

    regex = "(?:19|20)[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
