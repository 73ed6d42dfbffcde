"""The counting API's payload checks (cycle_count_mobile/api_payload.py), without
Odoo: the module is loaded by its path, so the addon's __init__ (which imports
Odoo) is never run; and its limits are the ones openapi.json states."""

import base64
import importlib.util
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MOBILE = ROOT / "cycle_count_mobile"


def _load():
    spec = importlib.util.spec_from_file_location(
        "cc_api_payload", MOBILE / "api_payload.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


payload = _load()
OPENAPI = json.loads((MOBILE / "static/api/openapi.json").read_text())
SCHEMAS = OPENAPI["components"]["schemas"]


def test_no_odoo_needed():
    """Loading the module imports nothing of Odoo (checked in a fresh Python)."""
    source = (MOBILE / "api_payload.py").read_text()
    assert not re.search(r"^\s*(from|import) odoo", source, re.MULTILINE)
    script = (
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('p', {str(MOBILE / 'api_payload.py')!r}); "
        "importlib.util.module_from_spec(spec).__loader__.exec_module("
        "importlib.util.module_from_spec(spec)); "
        "print(any(m.split('.')[0] == 'odoo' for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def refusal(func, *args):
    with pytest.raises(payload.PayloadError) as error:
        func(*args)
    return error.value


def count(**values):
    return {"line_id": 7, "quantity": 3, **values}


# ---------------------------------------------------------------------------
# One count
# ---------------------------------------------------------------------------
def test_a_good_count_is_normalised():
    item = payload.parse_count(
        2,
        count(
            client_id="a1b2-c3",
            quantity=4,
            counted_at="2025-03-01T09:30:00+01:00",
            note="ok",
        ),
    )
    assert item["index"] == 2
    assert item["quantity"] == 4.0 and isinstance(item["quantity"], float)
    assert item["counted_at"] == datetime(2025, 3, 1, 8, 30)
    assert item["line_id"] == 7 and item["product_id"] is None
    assert item["lot_name"] is None


def test_a_found_item_with_a_lot_name():
    item = payload.parse_count(
        0, {"location_id": 1, "product_id": 2, "lot_name": "  L-9 ", "quantity": 0}
    )
    assert item["lot_name"] == "L-9"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ([1], "not_an_object"),
        ("x", "not_an_object"),
        (count(client_id=""), "invalid_client_id"),
        (count(client_id="two words"), "invalid_client_id"),
        (count(client_id="x" * 65), "invalid_client_id"),
        (count(client_id=12), "invalid_client_id"),
        (count(quantity="3"), "not_a_number"),
        (count(quantity=True), "not_a_number"),
        (count(quantity=None), "not_a_number"),
        (count(line_id=0), "invalid_id"),
        (count(line_id=-3), "invalid_id"),
        (count(line_id=True), "invalid_id"),
        (count(line_id="7"), "invalid_id"),
        (count(line_id=2**31), "invalid_id"),
        (count(product_id=4), "ambiguous_item"),
        ({"quantity": 1, "location_id": 3}, "missing_item"),
        ({"quantity": 1}, "missing_item"),
        (count(lot_name=""), "invalid_lot_name"),
        (count(lot_name="   "), "invalid_lot_name"),
        (count(lot_name="L" * 129), "invalid_lot_name"),
        (count(lot_name="L", lot_id=3), "ambiguous_item"),
        (count(note=5), "invalid_note"),
        (count(note="n" * 1001), "invalid_note"),
        (count(counted_at="yesterday"), "invalid_counted_at"),
        (count(counted_at=1700000000), "invalid_counted_at"),
    ],
)
def test_a_bad_count_is_refused_with_its_code(raw, code):
    error = refusal(payload.parse_count, 4, raw)
    assert (error.code, error.index) == (code, 4)


def test_quantity_validity_is_not_decided_here():
    """Negative, a serial's 2: the counting base's rule decides."""
    assert payload.parse_count(0, count(quantity=-1))["quantity"] == -1.0
    assert payload.parse_count(0, count(quantity=2))["quantity"] == 2.0


@pytest.mark.parametrize(
    ("quantity", "code"),
    [
        (float("nan"), "not_a_number"),
        (float("inf"), "not_a_number"),
        (float("-inf"), "not_a_number"),
        (10**400, "quantity_too_large"),
        (1e308, "quantity_too_large"),
        (payload.MAX_QUANTITY + 0.001, "quantity_too_large"),
    ],
)
def test_quantities_beyond_the_transport_s_bounds(quantity, code):
    assert refusal(payload.parse_count, 0, count(quantity=quantity)).code == code


def test_quantity_at_its_bounds_and_negative_zero():
    assert payload.parse_count(0, count(quantity=payload.MAX_QUANTITY))
    item = payload.parse_count(0, count(quantity=-0.0))
    assert item["quantity"] == 0 and str(item["quantity"]) == "0.0"


@pytest.mark.parametrize("field", ["qty", "line", "Quantity", "__proto__", "x" * 500])
def test_an_unknown_field_of_a_count_is_refused(field):
    error = refusal(payload.parse_count, 3, count(**{field: 1}))
    assert (error.code, error.index) == ("unknown_field", 3)
    assert error.params["field"] == field[:64]


@pytest.mark.parametrize(
    "text", ["a\x00b", "\ud800", "ok \udfff", "n" * (payload.MAX_NOTE + 1)]
)
def test_text_postgresql_cannot_store_is_refused(text):
    assert refusal(payload.parse_count, 0, count(note=text)).code == "invalid_note"
    error = refusal(
        payload.parse_count,
        0,
        {"location_id": 1, "product_id": 2, "quantity": 1, "lot_name": text},
    )
    assert error.code == "invalid_lot_name"
    photo = {"data": "AA==", "filename": text[:1025] + "\x00"}
    assert refusal(payload.parse_photo, photo).code == "invalid_filename"


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "1999-12-31T23:59:59Z",
        "2000-01-01T08:00:00+08:01",
        "2100-01-01T00:00:00Z",
    ],
)
def test_moments_at_the_ends_of_the_calendar_are_refused(moment):
    error = refusal(payload.parse_counted_at, 2, moment)
    assert (error.code, error.index) == ("counted_at_out_of_range", 2)


@pytest.mark.parametrize(
    "moment",
    [
        "2025-03-01",
        "20250301T083000",
        "2025-W09-6T08:30:00",
        "2025-03-01T08:30",
        "2025-03-01T08:30:00+0800",
        "2025-03-01T08:30:00\n",
        "２０２５-03-01T08:30:00Z",
        "2025-02-30T08:30:00Z",
        "2025-03-01T24:00:00Z",
        "2025-03-01T08:30:00+24:00",
    ],
)
def test_only_rfc_3339_is_a_moment(moment):
    assert refusal(payload.parse_counted_at, 0, moment).code == "invalid_counted_at"


def test_moments_at_the_bounds_are_accepted():
    assert payload.parse_counted_at(0, "2000-01-01T00:00:00Z") == payload.MIN_COUNTED_AT
    assert payload.parse_counted_at(0, "2000-01-01T08:00:00+08:00") == (
        payload.MIN_COUNTED_AT
    )
    assert payload.parse_counted_at(0, "2099-12-31T23:59:59z") == payload.MAX_COUNTED_AT
    assert payload.parse_counted_at(0, "2025-03-01 08:30:00.5-01:00") == datetime(
        2025, 3, 1, 9, 30
    )


def test_limits_at_the_edge_are_accepted():
    assert payload.parse_count(0, count(client_id="x" * 64))
    assert payload.parse_count(
        0, count(lot_name="L" * 128, line_id=None, location_id=1, product_id=2)
    )
    assert payload.parse_count(0, count(note="n" * 1000))


def test_a_naive_moment_is_utc():
    assert payload.parse_counted_at(0, "2025-03-01T08:30:00.123") == datetime(
        2025, 3, 1, 8, 30
    )
    assert payload.parse_counted_at(0, "2025-03-01T08:30:00Z") == datetime(
        2025, 3, 1, 8, 30
    )
    assert payload.parse_counted_at(0, None) is None


# ---------------------------------------------------------------------------
# A batch
# ---------------------------------------------------------------------------
def test_a_batch_lists_every_refused_count():
    items, errors = payload.parse_counts(
        [
            count(client_id="a"),
            count(client_id="b", quantity="x"),
            count(client_id="a", line_id=8),
            {"line_id": 9, "quantity": 1},
            {"line_id": 9, "quantity": 2},
        ]
    )
    assert [item["index"] for item in items] == [0, 2, 3, 4]
    assert [(e.index, e.code, e.client_id) for e in errors] == [
        (1, "not_a_number", "b"),
        (2, "duplicate_client_id", "a"),
        (4, "duplicate_line", None),
    ]


@pytest.mark.parametrize("counts", [None, [], {}, "x"])
def test_a_batch_must_be_a_non_empty_list(counts):
    error = refusal(payload.parse_counts, counts)
    assert (error.code, error.status) == ("invalid_count", 422)


def test_a_batch_too_large_is_refused_whole():
    assert payload.parse_counts([count()] * payload.MAX_COUNTS_PER_BATCH)
    error = refusal(
        payload.parse_counts, [count()] * (payload.MAX_COUNTS_PER_BATCH + 1)
    )
    assert (error.code, error.status) == ("batch_too_large", 413)
    assert error.params["max"] == payload.MAX_COUNTS_PER_BATCH


# ---------------------------------------------------------------------------
# Bodies, parameters, photos
# ---------------------------------------------------------------------------
def test_read_json():
    assert payload.read_json(b'{"counts": []}', 100) == {"counts": []}
    assert refusal(payload.read_json, b"x" * 101, 100).status == 413
    assert refusal(payload.read_json, b"{nope", 100).code == "malformed_json"
    assert refusal(payload.read_json, b"[1, 2]", 100).code == "malformed_json"
    assert refusal(payload.read_json, b"", 100).code == "malformed_json"


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b'{"q": NaN}', "number"),
        (b'{"q": Infinity}', "number"),
        (b'{"q": -Infinity}', "number"),
        (b'{"q": 1e400}', "number"),
        (b'{"q": -1e309}', "number"),
        (b'{"q": "\xff\xfe"}', "encoding"),
        ('{"q": "é"}'.encode("utf-16"), "encoding"),
        (b'{"q": ' + b"9" * 5000 + b"}", None),
        (b"[" * 100000 + b"]" * 100000, None),
        (b'{"a": 1} {"b": 2}', None),
    ],
)
def test_read_json_refuses_what_is_not_plain_json(body, what):
    error = refusal(payload.read_json, body, 10**6)
    assert (error.code, error.status, error.params.get("what")) == (
        "malformed_json",
        400,
        what,
    )


def test_read_json_keeps_large_but_finite_numbers():
    """Bounds are the fields' (a quantity's maximum), not the parser's."""
    body = b'{"q": 1e308, "i": ' + b"9" * 400 + b"}"
    assert payload.read_json(body, 10**6) == {"q": 1e308, "i": int("9" * 400)}


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        ("text/plain", None),
        ("application/x-www-form-urlencoded", None),
        ("multipart/form-data", None),
        ("", None),
        ("application/json", "latin-1"),
        ("application/json", "utf-16"),
    ],
)
def test_read_json_needs_json_in_utf_8(content_type, charset):
    error = refusal(payload.read_json, b"{}", 100, content_type, charset)
    assert (error.code, error.status) == ("unsupported_media_type", 415)
    assert payload.read_json(b"{}", 100, "application/json", "UTF-8") == {}


def test_unknown_members_and_parameters_are_refused():
    payload.check_fields("CountBatch", {"counts": []})
    error = refusal(payload.check_fields, "CountBatch", {"counts": [], "task": 1})
    assert (error.code, error.status, error.index) == ("unknown_field", 422, None)
    assert refusal(payload.check_fields, "MarkCounted", {"x": 1}).code == (
        "unknown_field"
    )
    payload.check_parameters("getCatalog", {"limit": "3", "after_id": "1"})
    error = refusal(payload.check_parameters, "getTask", {"debug": "1"})
    assert (error.code, error.status, error.params["name"]) == (
        "unknown_parameter",
        400,
        "debug",
    )
    assert refusal(payload.parse_photo, {"data": "AA==", "name": "x"}).code == (
        "unknown_field"
    )


@pytest.mark.parametrize("key", ["", "a b", "k\x00", "ключ", "k" * 129, "\t" * 3])
def test_what_is_no_api_key(key):
    assert not payload.is_api_key(key)
    assert payload.is_api_key("0123456789abcdef" * 2 + "01234567")


def test_int_and_date_parameters():
    assert payload.int_param("limit", None, 50, 1, 100) == 50
    assert payload.int_param("limit", "7", 50, 1, 100) == 7
    for bad in ("0", "101", "x", "1.5", " 7", "7 ", "+7", "1_0", "٧", "9" * 400):
        assert refusal(payload.int_param, "limit", bad, 50, 1, 100).code == (
            "invalid_parameter"
        )
    assert payload.date_param("2025-03-01").isoformat() == "2025-03-01"
    assert payload.date_param(None) is None
    assert refusal(payload.date_param, "tomorrow").code == "invalid_parameter"
    assert refusal(payload.date_param, "").code == "invalid_parameter"
    assert refusal(payload.int_param, "limit", "", 50, 1, 100).code == (
        "invalid_parameter"
    )
    for bad in ("2025-03-01x", "2025-02-30", "0000-01-01", "٢٠٢٥-03-01", "2025-3-1"):
        assert refusal(payload.date_param, bad).code == "invalid_parameter"
    assert payload.date_param("0001-01-01").isoformat() == "0001-01-01"
    assert payload.date_param("9999-12-31").isoformat() == "9999-12-31"


def test_photos():
    data = base64.b64encode(b"\x89PNG...").decode()
    assert payload.parse_photo({"data": data, "client_id": "p-1"}) == (
        "p-1",
        None,
        b"\x89PNG...",
    )
    for body, code in (
        ({"data": "%%% no"}, "invalid_data"),
        ({}, "invalid_data"),
        ({"data": data, "client_id": "a b"}, "invalid_client_id"),
        ({"data": data, "filename": ["x"]}, "invalid_filename"),
    ):
        assert refusal(payload.parse_photo, body).code == code
    big = base64.b64encode(b"0" * (payload.MAX_PHOTO_BYTES + 1)).decode()
    error = refusal(payload.parse_photo, {"data": big})
    assert (error.code, error.status) == ("photo_too_large", 413)


# ---------------------------------------------------------------------------
# openapi.json says what the code does
# ---------------------------------------------------------------------------
def test_openapi_limits_are_the_code_s():
    count_schema = SCHEMAS["Count"]["properties"]
    assert count_schema["client_id"]["pattern"] == payload.CLIENT_ID_PATTERN
    assert (
        SCHEMAS["PhotoUpload"]["properties"]["client_id"]["pattern"]
        == payload.CLIENT_ID_PATTERN
    )
    assert (
        SCHEMAS["CountBatch"]["properties"]["counts"]["maxItems"]
        == payload.MAX_COUNTS_PER_BATCH
    )
    assert count_schema["lot_name"]["maxLength"] == payload.MAX_LOT_NAME
    assert count_schema["note"]["maxLength"] == payload.MAX_NOTE
    for field in payload.ID_FIELDS:
        assert count_schema[field]["minimum"] == 1
        assert count_schema[field]["maximum"] == payload.MAX_ID
    for name, operation in _operations():
        for parameter in operation.get("parameters", []):
            if parameter["name"].endswith("_id"):
                assert parameter["schema"]["maximum"] == payload.MAX_ID, name
    parameters = {
        p["name"]: p["schema"]
        for p in OPENAPI["paths"]["/catalog"]["get"]["parameters"]
    }
    assert parameters["limit"]["maximum"] == payload.MAX_CATALOG_PAGE
    text = json.dumps(OPENAPI, ensure_ascii=False)
    mb = 1024 * 1024
    assert f"More than {payload.MAX_COUNTS_PER_BATCH} counts" in text
    assert f"a body over {payload.MAX_COUNTS_BODY // mb} MB" in text
    assert f"at most {payload.MAX_PHOTO_BYTES // mb} MB" in text
    assert f"the body over {payload.MAX_PHOTO_BODY // mb} MB" in text
    assert f"1–{payload.MAX_CATALOG_PAGE}" in text
    assert count_schema["quantity"]["maximum"] == payload.MAX_QUANTITY
    assert (
        f"from 0 to {payload.MAX_QUANTITY}" in count_schema["quantity"]["description"]
    )
    moments = (
        f"from {payload.MIN_COUNTED_AT.isoformat()}Z to "
        f"{payload.MAX_COUNTED_AT.isoformat()}Z"
    )
    assert moments in count_schema["counted_at"]["description"]
    assert (
        SCHEMAS["PhotoUpload"]["properties"]["filename"]["maxLength"]
        == payload.MAX_FILENAME_SENT
    )
    assert f"first {payload.MAX_FILENAME} characters" in text
    assert f"{payload.MAX_PHOTO_PIXELS // 1_000_000} megapixels" in text


def _operations():
    for path, operations in OPENAPI["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_the_request_objects_are_the_code_s():
    """Every request object of the document lists exactly the members the code
    accepts, and refuses any other (additionalProperties: false)."""
    bodies = set()
    for _name, operation in _operations():
        body = operation.get("requestBody")
        if body:
            ref = body["content"]["application/json"]["schema"]["$ref"]
            bodies.add(ref.rsplit("/", 1)[1])
    assert bodies | {"Count"} == set(payload.REQUEST_FIELDS)
    for schema, fields in payload.REQUEST_FIELDS.items():
        assert SCHEMAS[schema]["additionalProperties"] is False, schema
        assert list(SCHEMAS[schema]["properties"]) == list(fields), schema


def test_the_query_parameters_are_the_code_s():
    documented = {
        operation["operationId"]: tuple(
            p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
        )
        for _name, operation in _operations()
    }
    assert documented == payload.QUERY_PARAMETERS


def test_every_operation_documents_its_refusals():
    """A parameter or body the code refuses has its documented 4xx."""
    for name, operation in _operations():
        responses = operation["responses"]
        assert "unknown_parameter" in responses["400"]["description"], name
        if "requestBody" in operation:
            assert "malformed_json" in responses["400"]["description"], name
            assert "unsupported_media_type" in responses["415"]["description"], name
            assert "unknown_field" in responses["422"]["description"], name
            assert "payload_too_large" in responses["413"]["description"], name


def test_every_per_count_code_of_the_payload_is_documented():
    source = (MOBILE / "api_payload.py").read_text()
    codes = set(re.findall(r'PayloadError\(\s*"(\w+)",\s*index=', source))
    documented = set(SCHEMAS["ItemError"]["properties"]["code"]["enum"])
    assert len(codes) >= 10
    assert codes <= documented


def test_the_client_id_pattern_is_written_once():
    """The model, the controller and the app read api_payload's pattern: no
    other copy of it in the addon's Python."""
    copies = [
        path.relative_to(ROOT)
        for path in MOBILE.rglob("*.py")
        if path.name != "api_payload.py" and "{0,63}" in path.read_text()
    ]
    assert copies == []


def test_counting_rules_for_the_app():
    rules = payload.counting_rules()
    assert rules["client_id_pattern"] == payload.CLIENT_ID_PATTERN
    assert rules["max_counts_per_batch"] == payload.MAX_COUNTS_PER_BATCH
    assert re.match(rules["client_id_pattern"], "0b5e-uuid")
