"""What the counting API accepts, checked without Odoo: shapes, types, limits,
client ids and moments. Plain Python (no Odoo import), so that it is unit-tested
alone (``checks/test_api_payload.py``) and its limits are compared with
``static/api/openapi.json``.

A refusal is a :class:`PayloadError` with a stable ``code`` and the ``params`` of
its message; the API model (``cycle.count.api``) turns it into a translated
message. Whether a quantity is valid for its product (negative, a serial's 2) is
not decided here: that is the counting base's rule
(``cycle.count.line._count_quantity_refusal``); here a quantity only has to be a
finite JSON number within the transport's bounds.

Every bound and every member of a request object is defined once, below
(:data:`REQUEST_FIELDS`, :data:`QUERY_PARAMETERS`, the ``MAX_``/``MIN_``
constants): the checks read them, and ``openapi.json`` states the same, which
``checks/test_api_payload.py`` and ``tests/test_openapi.py`` compare. A field or
a parameter added to the API is added to these tables and to the document.
"""

import base64
import binascii
import json
import math
import re
from datetime import UTC, datetime

# Client ids: UUIDs from the app; any 1–64 letters, digits and ._:- from integrators.
CLIENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
CLIENT_ID = re.compile(CLIENT_ID_PATTERN)
# A batch larger than this is refused whole (HTTP 413); the app sends 100.
MAX_COUNTS_PER_BATCH = 500
# Larger bodies are refused before parsing: 500 counts fit in far less.
MAX_COUNTS_BODY = 1024 * 1024
# Photos are compressed on the device (1600 px, JPEG); integrators get some slack.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# A 5 MB photo in base64 plus the JSON around it.
MAX_PHOTO_BODY = 7 * 1024 * 1024
MAX_CATALOG_PAGE = 5000
MAX_LOT_NAME = 128
MAX_NOTE = 1000
# A photo's name is kept to its first MAX_FILENAME characters; longer than
# MAX_FILENAME_SENT is refused.
MAX_FILENAME = 128
MAX_FILENAME_SENT = 1024
MAX_ID = 2**31 - 1
# A product search: what the counter types, and how many products come back.
MIN_QUERY = 2
MAX_QUERY = 100
MAX_SEARCH_RESULTS = 20
ID_FIELDS = ("line_id", "location_id", "product_id", "lot_id", "package_id")
# A counted quantity, in the product's unit: far above any real bin, far below
# what a float column or a valuation would lose precision on.
MAX_QUANTITY = 1_000_000_000
# When a count may have been made (UTC, both included): older is a device with a
# wrong clock; later than now counts as now (see parse_counted_at).
MIN_COUNTED_AT = datetime(2000, 1, 1)
MAX_COUNTED_AT = datetime(2099, 12, 31, 23, 59, 59)
# A photo's pixels, read from its header before it is decoded (a decompression
# bomb declares billions): a 24-megapixel camera fits, the app sends 1600 px.
MAX_PHOTO_PIXELS = 25_000_000
# What an API key may look like (Odoo's are 40 hex digits); anything else is
# refused before it reaches the key table.
API_KEY = re.compile(r"[\x21-\x7e]{1,128}")
# RFC 3339 (offset optional: without one, UTC), ASCII digits only.
DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[Zz]|[+-]\d{2}:\d{2})?",
    re.ASCII,
)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
INTEGER = re.compile(r"[0-9]{1,10}", re.ASCII)

# The members of each request object (openapi.json's schemas of the same names,
# all ``additionalProperties: false``): anything else is refused.
REQUEST_FIELDS = {
    "CountBatch": ("counts",),
    "Count": (
        "client_id",
        "line_id",
        "location_id",
        "product_id",
        "lot_id",
        "lot_name",
        "package_id",
        "quantity",
        "counted_at",
        "note",
        "hint",
    ),
    "PhotoUpload": ("client_id", "filename", "data"),
    "MarkCounted": (),
}
# The query parameters of each operation (by its operationId in openapi.json):
# any other is refused.
QUERY_PARAMETERS = {
    "listTasks": ("date",),
    "getTask": (),
    "submitCounts": (),
    "markCounted": (),
    "getVariances": (),
    "uploadPhoto": (),
    "getCatalog": ("after_id", "limit"),
    "searchProducts": ("q", "limit"),
    "getOpenApi": (),
}


class PayloadError(Exception):
    """A refused request or count: ``code`` is the API's, ``params`` fill the
    message; ``index`` is the count's place in its batch (None for the request).
    ``status`` is the HTTP status when the whole request is refused."""

    def __init__(self, code, index=None, status=400, client_id=None, **params):
        super().__init__(code)
        self.code = code
        self.index = index
        self.client_id = client_id
        self.status = status
        self.params = params


def is_client_id(value):
    return isinstance(value, str) and bool(CLIENT_ID.fullmatch(value))


def is_text(value, max_length):
    """A string PostgreSQL can store (no NUL, no lone surrogate) of at most
    ``max_length`` characters."""
    if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def is_api_key(value):
    return bool(API_KEY.fullmatch(value))


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite_float(literal):
    number = float(literal)
    if not math.isfinite(number):
        # 1e400 is read as infinity: a number no column can hold.
        raise PayloadError("malformed_json", what="number")
    return number


def _no_constant(_literal):
    # NaN, Infinity and -Infinity are not JSON, although Python reads them.
    raise PayloadError("malformed_json", what="number")


def read_json(data, max_bytes, content_type="application/json", charset=None):
    """The request body as a JSON object: UTF-8, sent as JSON, within
    ``max_bytes``, its numbers finite."""
    if len(data) > max_bytes:
        raise PayloadError(
            "payload_too_large",
            status=413,
            size=len(data) // 1024,
            max=max_bytes // 1024,
        )
    if content_type != "application/json" or (
        charset and charset.lower().replace("-", "") != "utf8"
    ):
        raise PayloadError("unsupported_media_type", status=415)
    try:
        payload = json.loads(
            (data or b"null").decode(),
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except UnicodeDecodeError:
        raise PayloadError("malformed_json", what="encoding") from None
    except (ValueError, RecursionError):
        # ValueError: bad syntax, or an integer of more than 4 300 digits;
        # RecursionError: arrays nested thousands deep.
        raise PayloadError("malformed_json") from None
    if not isinstance(payload, dict):
        raise PayloadError("malformed_json", what="object")
    return payload


def check_fields(schema, raw, index=None, status=422):
    """Refuse a member of ``raw`` that :data:`REQUEST_FIELDS` does not list for
    ``schema`` (``additionalProperties: false``)."""
    allowed = REQUEST_FIELDS[schema]
    unknown = sorted(key for key in raw if key not in allowed)
    if unknown:
        raise PayloadError(
            "unknown_field",
            index=index,
            status=status,
            field=unknown[0][:64],
            allowed=", ".join(allowed) or "-",
        )


def check_parameters(operation, given):
    """Refuse a query parameter :data:`QUERY_PARAMETERS` does not list for
    ``operation``."""
    allowed = QUERY_PARAMETERS[operation]
    unknown = sorted(name for name in given if name not in allowed)
    if unknown:
        raise PayloadError(
            "unknown_parameter", name=unknown[0][:64], allowed=", ".join(allowed) or "-"
        )


def int_param(name, value, default, minimum, maximum):
    """A query parameter that must be an integer within bounds (ASCII digits,
    nothing else: not " 12", "1_000" or "+3")."""
    if value is None:
        return default
    number = int(value) if isinstance(value, str) and INTEGER.fullmatch(value) else None
    if number is None or not minimum <= number <= maximum:
        raise PayloadError("invalid_parameter", name=name, min=minimum, max=maximum)
    return number


def date_param(value):
    """``YYYY-MM-DD`` (a real day, years 1 to 9999) or nothing (not an empty
    value: ``?date=`` is no date)."""
    if value is None:
        return None
    try:
        if not isinstance(value, str) or not DATE.fullmatch(value):
            raise ValueError
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise PayloadError("invalid_parameter", name="date") from None


def query_param(value):
    """The text of a product search, trimmed."""
    text = value.strip() if isinstance(value, str) else ""
    if not MIN_QUERY <= len(text) <= MAX_QUERY:
        raise PayloadError("invalid_query", min=MIN_QUERY, max=MAX_QUERY)
    return text


def parse_counted_at(index, value):
    """RFC 3339; with an offset or Z it is converted to UTC, without one it is
    taken as UTC. Returns a naive UTC datetime (or None: now), between
    :data:`MIN_COUNTED_AT` and :data:`MAX_COUNTED_AT`."""
    if value is None:
        return None
    try:
        if not isinstance(value, str) or not DATETIME.fullmatch(value):
            raise ValueError
        moment = datetime.fromisoformat(value.upper().replace(" ", "T"))
        if moment.tzinfo:
            # 0001-01-01T00:00:00+14:00 is before year 1 in UTC: OverflowError.
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        raise PayloadError("invalid_counted_at", index=index) from None
    except OverflowError:
        moment = None
    if moment is None or not MIN_COUNTED_AT <= moment <= MAX_COUNTED_AT:
        raise PayloadError(
            "counted_at_out_of_range",
            index=index,
            min=MIN_COUNTED_AT.isoformat() + "Z",
            max=MAX_COUNTED_AT.isoformat() + "Z",
        )
    return moment.replace(microsecond=0)


def parse_count(index, raw):
    """Check the shape of one count; return it normalised (a dict with
    ``index``, ``client_id``, ``quantity``, ``counted_at``, ``note``, ``hint``,
    ``lot_name`` and the ids of :data:`ID_FIELDS`)."""
    if not isinstance(raw, dict):
        raise PayloadError("not_an_object", index=index)
    check_fields("Count", raw, index=index)
    client_id = raw.get("client_id")
    if client_id is not None and not is_client_id(client_id):
        raise PayloadError("invalid_client_id", index=index)
    quantity = raw.get("quantity")
    if not _is_number(quantity) or (
        isinstance(quantity, float) and not math.isfinite(quantity)
    ):
        raise PayloadError("not_a_number", index=index)
    if quantity > MAX_QUANTITY:
        # Compared before float(): an integer of 400 digits overflows a float.
        raise PayloadError("quantity_too_large", index=index, max=MAX_QUANTITY)
    ids = {}
    for key in ID_FIELDS:
        value = raw.get(key)
        if value is not None and (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 < value <= MAX_ID
        ):
            raise PayloadError("invalid_id", index=index, field=key)
        ids[key] = value
    if ids["line_id"] and (ids["location_id"] or ids["product_id"]):
        raise PayloadError("ambiguous_item", index=index, what="item")
    if not ids["line_id"] and not (ids["location_id"] and ids["product_id"]):
        raise PayloadError("missing_item", index=index)
    lot_name = raw.get("lot_name")
    if lot_name is not None and (
        not is_text(lot_name, MAX_LOT_NAME) or not lot_name.strip()
    ):
        raise PayloadError("invalid_lot_name", index=index, max=MAX_LOT_NAME)
    if lot_name and ids["lot_id"]:
        raise PayloadError("ambiguous_item", index=index, what="lot")
    note = raw.get("note")
    if note is not None and not is_text(note, MAX_NOTE):
        raise PayloadError("invalid_note", index=index, max=MAX_NOTE)
    # Its value is the counting base's to check (one list of hints).
    hint = raw.get("hint")
    if hint is not None and not isinstance(hint, str):
        raise PayloadError("invalid_hint", index=index)
    return {
        "index": index,
        "client_id": client_id,
        # + 0.0: a count of -0 is a count of 0, not a "-0" on the screens.
        "quantity": float(quantity) + 0.0,
        "counted_at": parse_counted_at(index, raw.get("counted_at")),
        "note": note,
        "hint": hint,
        "lot_name": lot_name.strip() if lot_name else None,
        **ids,
    }


def batch_duplicates(items):
    """Counts of one batch that clash: a client id twice, or (without client
    ids, which order them) a line twice."""
    errors = []
    seen_clients = set()
    seen_lines = set()
    for item in items:
        client_id = item["client_id"]
        if client_id:
            if client_id in seen_clients:
                errors.append(
                    PayloadError(
                        "duplicate_client_id",
                        index=item["index"],
                        client_id=client_id,
                        client=client_id,
                    )
                )
            seen_clients.add(client_id)
        elif item["line_id"]:
            if item["line_id"] in seen_lines:
                errors.append(PayloadError("duplicate_line", index=item["index"]))
            seen_lines.add(item["line_id"])
    return errors


def parse_counts(counts):
    """A batch of counts: ``(items, errors)``, the well-formed counts and a
    :class:`PayloadError` for each refused one. A batch that is no list, empty or
    too large is refused whole."""
    if not isinstance(counts, list) or not counts:
        raise PayloadError("invalid_count", status=422)
    if len(counts) > MAX_COUNTS_PER_BATCH:
        raise PayloadError(
            "batch_too_large", status=413, max=MAX_COUNTS_PER_BATCH, count=len(counts)
        )
    items, errors = [], []
    for index, raw in enumerate(counts):
        try:
            items.append(parse_count(index, raw))
        except PayloadError as error:
            error.client_id = (
                raw.get("client_id")
                if isinstance(raw, dict) and isinstance(raw.get("client_id"), str)
                else None
            )
            errors.append(error)
    errors += batch_duplicates(items)
    return items, errors


def parse_photo(payload):
    """A photo upload: ``(client_id or None, filename or None, bytes)``. Whether
    the bytes are an image is the API model's check (it decodes them)."""
    check_fields("PhotoUpload", payload)
    client_id = payload.get("client_id")
    filename = payload.get("filename")
    data = payload.get("data")
    if client_id is not None and not is_client_id(client_id):
        raise PayloadError("invalid_client_id", status=422)
    if filename is not None and not is_text(filename, MAX_FILENAME_SENT):
        raise PayloadError("invalid_filename", status=422, max=MAX_FILENAME_SENT)
    try:
        if not isinstance(data, str) or not data:
            raise ValueError
        raw = base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error):
        raise PayloadError("invalid_data", status=422) from None
    if len(raw) > MAX_PHOTO_BYTES:
        raise PayloadError(
            "photo_too_large",
            status=413,
            size=round(len(raw) / 1024 / 1024, 1),
            max=MAX_PHOTO_BYTES // 1024 // 1024,
        )
    return client_id, filename, raw


def counting_rules():
    """What the app checks before sending (``config.counting``)."""
    return {
        "client_id_pattern": CLIENT_ID_PATTERN,
        "max_counts_per_batch": MAX_COUNTS_PER_BATCH,
        "max_note_length": MAX_NOTE,
        "max_lot_name_length": MAX_LOT_NAME,
        "max_photo_bytes": MAX_PHOTO_BYTES,
        "min_quantity": 0,
        "max_quantity": MAX_QUANTITY,
        "serial_quantities": [0, 1],
    }
