"""URL converters that refuse what no object can match, before any query.

Django's `int` takes any number of digits, and a 30-digit id overflows the
database's integer (a 500 on both SQLite and PostgreSQL); a NUL byte in a
`str` segment reaches PostgreSQL, which refuses it (another 500). These
match only what our ids, tokens and serial numbers can be: anything else is
a plain 404.
"""


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
