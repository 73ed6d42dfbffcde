"""What the counting API accepts, checked without Odoo: shapes, types, limits,
client ids and moments. Plain Python (no Odoo import), so that it is unit-tested
alone (``checks/test_api_payload.py``) and its limits are compared with
``static/api/openapi.json``.

A refusal is a :class:`PayloadError` with a stable ``code`` and the ``params`` of
its message; the API model (``cycle.count.api``) turns it into a translated
message. Whether a quantity is valid is not decided here: that is the counting
base's rule (``cycle.count.line._count_quantity_refusal``); here a quantity only
has to be a JSON number.
"""

import base64
import binascii
import json
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
MAX_FILENAME = 128
MAX_ID = 2**31 - 1
# A product search: what the counter types, and how many products come back.
MIN_QUERY = 2
MAX_QUERY = 100
MAX_SEARCH_RESULTS = 20
ID_FIELDS = ("line_id", "location_id", "product_id", "lot_id", "package_id")


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
    return isinstance(value, str) and bool(CLIENT_ID.match(value))


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_json(data, max_bytes):
    """The request body as a JSON object."""
    if len(data) > max_bytes:
        raise PayloadError(
            "payload_too_large",
            status=413,
            size=len(data) // 1024,
            max=max_bytes // 1024,
        )
    try:
        payload = json.loads(data or b"null")
    except ValueError:
        raise PayloadError("malformed_json") from None
    if not isinstance(payload, dict):
        raise PayloadError("malformed_json", what="object")
    return payload


def int_param(name, value, default, minimum, maximum):
    """A query parameter that must be an integer within bounds."""
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        raise PayloadError("invalid_parameter", name=name, min=minimum, max=maximum)
    return number


def date_param(value):
    """``YYYY-MM-DD`` or nothing."""
    if not value:
        return None
    try:
        # As Odoo reads a date: its first 10 characters.
        return datetime.strptime(value[:10], "%Y-%m-%d").date()
    except (TypeError, ValueError):
        raise PayloadError("invalid_parameter", name="date") from None


def query_param(value):
    """The text of a product search, trimmed."""
    text = value.strip() if isinstance(value, str) else ""
    if not MIN_QUERY <= len(text) <= MAX_QUERY:
        raise PayloadError("invalid_query", min=MIN_QUERY, max=MAX_QUERY)
    return text


def parse_counted_at(index, value):
    """ISO 8601; with an offset or Z it is converted to UTC, without one it is
    taken as UTC. Returns a naive UTC datetime (or None: now)."""
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError("invalid_counted_at", index=index) from None
    if moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def parse_count(index, raw):
    """Check the shape of one count; return it normalised (a dict with
    ``index``, ``client_id``, ``quantity``, ``counted_at``, ``note``, ``hint``,
    ``lot_name`` and the ids of :data:`ID_FIELDS`)."""
    if not isinstance(raw, dict):
        raise PayloadError("not_an_object", index=index)
    client_id = raw.get("client_id")
    if client_id is not None and not is_client_id(client_id):
        raise PayloadError("invalid_client_id", index=index)
    quantity = raw.get("quantity")
    if not _is_number(quantity):
        raise PayloadError("not_a_number", index=index)
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
        not isinstance(lot_name, str)
        or not lot_name.strip()
        or len(lot_name) > MAX_LOT_NAME
    ):
        raise PayloadError("invalid_lot_name", index=index, max=MAX_LOT_NAME)
    if lot_name and ids["lot_id"]:
        raise PayloadError("ambiguous_item", index=index, what="lot")
    note = raw.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
        raise PayloadError("invalid_note", index=index, max=MAX_NOTE)
    # Its value is the counting base's to check (one list of hints).
    hint = raw.get("hint")
    if hint is not None and not isinstance(hint, str):
        raise PayloadError("invalid_hint", index=index)
    return {
        "index": index,
        "client_id": client_id,
        "quantity": float(quantity),
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
    """A photo upload: ``(client_id or None, filename or None, bytes)``."""
    client_id = payload.get("client_id")
    filename = payload.get("filename")
    data = payload.get("data")
    if client_id is not None and not is_client_id(client_id):
        raise PayloadError("invalid_client_id", status=422)
    if filename is not None and not isinstance(filename, str):
        raise PayloadError("invalid_filename", status=422)
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
        "serial_quantities": [0, 1],
    }
