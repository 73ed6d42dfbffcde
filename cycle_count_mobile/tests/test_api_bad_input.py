import io
import json
import struct
import zlib

from PIL import Image

from odoo.tests import HttpCase, tagged

from .. import api_payload
from .common import API, ApiTestMixin, png_bytes


def image_bytes(fmt, size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def raw_batch(line_id, quantity):
    """One count as JSON text: numbers written as given (json.dumps would write
    1e400 as Infinity)."""
    return f'{{"counts": [{{"line_id": {line_id}, "quantity": {quantity}}}]}}'


def png_declaring(width, height):
    """A real 4×4 PNG whose header says ``width`` × ``height`` (its checksum
    right): what a decompression bomb looks like before it is decoded."""
    data = bytearray(png_bytes((4, 4)))
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@tagged("post_install", "-at_install")
class TestApiBadInput(ApiTestMixin, HttpCase):
    """Whatever a client sends, every endpoint answers a JSON 4xx that the OpenAPI
    document lists (ApiTestMixin.api checks it), with a message, and nothing is
    written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_mobile()

    def _written(self):
        """What a refused request must leave as it was."""
        self.env.invalidate_all()
        task = self.task.sudo()
        return (
            self.env["cycle.count.sync.record"].sudo().search_count([]),
            len(task.line_ids),
            tuple(task.line_ids.mapped("counted_qty")),
            tuple(task.line_ids.mapped("counted_at")),
            task.state,
            task.device_sync_date,
            self.env["ir.attachment"]
            .sudo()
            .search_count([("res_model", "=", "cycle.count.line")]),
            self.env["stock.lot"].sudo().search_count([]),
        )

    def assertRefused(self, cases):
        """``cases``: ``(label, call, status, code[, item code])``; each call is
        refused as said and writes nothing."""
        before = self._written()
        for label, call, status, code, *item_code in cases:
            with self.subTest(case=label):
                error = self.assertApiError(call(), status, code)
                if item_code:
                    self.assertEqual(
                        [item["code"] for item in error["items"]], item_code
                    )
                    self.assertTrue(all(item["message"] for item in error["items"]))
        self.assertEqual(self._written(), before)

    def post_counts(self, raw, **kwargs):
        return self.api(
            "POST", f"/tasks/{self.task.id}/counts", raw=raw, key=self.api_key, **kwargs
        )

    def one_count(self, **values):
        return {"counts": [{"line_id": self.line_apple.id, "quantity": 3, **values}]}

    # ------------------------------------------------------------------
    # Numbers, moments, fields of a count
    # ------------------------------------------------------------------
    def test_numbers_and_moments_out_of_bounds(self):
        line = self.line_apple.id

        def raw_count(quantity):
            return lambda: self.post_counts(raw_batch(line, quantity))

        def count(**values):
            return lambda: self.count(self.task.id, self.one_count(**values)["counts"])

        too_large = ("quantity_too_large",)
        self.assertRefused(
            [
                ("400 digits", raw_count("9" * 400), 422, "invalid_count", *too_large),
                ("1e308", raw_count("1e308"), 422, "invalid_count", *too_large),
                ("1e20", count(quantity=1e20), 422, "invalid_count", *too_large),
                (
                    "just over the maximum",
                    count(quantity=api_payload.MAX_QUANTITY + 0.5),
                    422,
                    "invalid_count",
                    *too_large,
                ),
                ("1e400", raw_count("1e400"), 400, "malformed_json"),
                ("-1e400", raw_count("-1e400"), 400, "malformed_json"),
                ("NaN", raw_count("NaN"), 400, "malformed_json"),
                ("Infinity", raw_count("Infinity"), 400, "malformed_json"),
                ("-Infinity", raw_count("-Infinity"), 400, "malformed_json"),
                ("5000 digits", raw_count("9" * 5000), 400, "malformed_json"),
                (
                    "a line id of 30 digits",
                    lambda: self.post_counts(raw_batch("9" * 30, 1)),
                    422,
                    "invalid_count",
                    "invalid_id",
                ),
                *(
                    (
                        moment,
                        count(counted_at=moment),
                        422,
                        "invalid_count",
                        "counted_at_out_of_range",
                    )
                    for moment in (
                        "0001-01-01T00:00:00+14:00",
                        "9999-12-31T23:59:59-14:00",
                        "0001-01-01T00:00:00Z",
                        "1999-12-31T23:59:59Z",
                        "2100-01-01T00:00:00Z",
                    )
                ),
                (
                    "a week date",
                    count(counted_at="2025-W09-6T08:30:00"),
                    422,
                    "invalid_count",
                    "invalid_counted_at",
                ),
                (
                    "a date only",
                    count(counted_at="2025-03-01"),
                    422,
                    "invalid_count",
                    "invalid_counted_at",
                ),
            ]
        )

    def test_unknown_fields_and_text_postgresql_cannot_store(self):
        self.assertRefused(
            [
                (
                    "a field of a count",
                    lambda: self.api(
                        "POST",
                        f"/tasks/{self.task.id}/counts",
                        self.one_count(qty=3),
                        key=self.api_key,
                    ),
                    422,
                    "invalid_count",
                    "unknown_field",
                ),
                (
                    "a field of the batch",
                    lambda: self.api(
                        "POST",
                        f"/tasks/{self.task.id}/counts",
                        {**self.one_count(), "task_id": self.task.id},
                        key=self.api_key,
                    ),
                    422,
                    "unknown_field",
                ),
                (
                    "a NUL in a note",
                    lambda: self.count(
                        self.task.id, self.one_count(note="a\u0000b")["counts"]
                    ),
                    422,
                    "invalid_count",
                    "invalid_note",
                ),
                (
                    "a lone surrogate in a lot name",
                    lambda: self.post_counts(
                        json.dumps(
                            {
                                "counts": [
                                    {
                                        "location_id": self.bin_c.id,
                                        "product_id": self.product_lot.id,
                                        "lot_name": "\ud800",
                                        "quantity": 1,
                                    }
                                ]
                            }
                        )
                    ),
                    422,
                    "invalid_count",
                    "invalid_lot_name",
                ),
                (
                    "a member of mark counted",
                    lambda: self.api(
                        "POST",
                        f"/tasks/{self.task.id}/counted",
                        {"force": True},
                        key=self.api_key,
                    ),
                    422,
                    "unknown_field",
                ),
            ]
        )

    def test_negative_zero_is_zero(self):
        response = self.post_counts(raw_batch(self.line_apple.id, "-0.0"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["lines"][0]["counted_qty"], 0)
        self.assertEqual(str(self.line_apple.counted_qty), "0.0")

    # ------------------------------------------------------------------
    # Bodies, headers, parameters, paths
    # ------------------------------------------------------------------
    def test_bodies_and_headers(self):
        good = json.dumps(self.one_count())
        self.assertRefused(
            [
                (
                    "text/plain",
                    lambda: self.post_counts(good, content_type="text/plain"),
                    415,
                    "unsupported_media_type",
                ),
                (
                    "a form",
                    lambda: self.post_counts(
                        "counts=1", content_type="application/x-www-form-urlencoded"
                    ),
                    415,
                    "unsupported_media_type",
                ),
                (
                    "JSON in Latin-1",
                    lambda: self.post_counts(
                        good, content_type="application/json; charset=latin-1"
                    ),
                    415,
                    "unsupported_media_type",
                ),
                (
                    "bytes that are not UTF-8",
                    lambda: self.post_counts(b'{"counts": "\xff\xfe"}'),
                    400,
                    "malformed_json",
                ),
                (
                    "arrays nested 100 000 deep",
                    lambda: self.post_counts("[" * 100000 + "]" * 100000),
                    400,
                    "malformed_json",
                ),
                (
                    "an API key of 10 000 characters",
                    lambda: self.api(
                        "POST",
                        f"/tasks/{self.task.id}/counts",
                        self.one_count(),
                        key="k" * 10000,
                    ),
                    401,
                    "unauthorized",
                ),
                (
                    "an API key with a Latin-1 letter",
                    lambda: self.api(
                        "POST",
                        f"/tasks/{self.task.id}/counts",
                        self.one_count(),
                        key="clé",
                    ),
                    401,
                    "unauthorized",
                ),
                (
                    "basic authentication",
                    lambda: self.api(
                        "POST",
                        f"/tasks/{self.task.id}/counts",
                        self.one_count(),
                        headers={"Authorization": "Basic Y2M6Y2M="},
                    ),
                    401,
                    "unauthorized",
                ),
                (
                    "a query parameter",
                    lambda: self.api(
                        "POST",
                        f"/tasks/{self.task.id}/counts?dry_run=1",
                        self.one_count(),
                        key=self.api_key,
                    ),
                    400,
                    "unknown_parameter",
                ),
            ]
        )
        # Good input still counts.
        self.assertEqual(self.post_counts(good).status_code, 200)

    def test_parameters_and_paths(self):
        def get(url):
            return lambda: self.api("GET", url, key=self.api_key)

        task = self.task.id
        self.assertRefused(
            [
                ("?debug", get(f"/tasks/{task}?debug=1"), 400, "unknown_parameter"),
                ("?x on tasks", get("/tasks?x=1"), 400, "unknown_parameter"),
                (
                    "?lang on variances",
                    get(f"/tasks/{task}/variances?lang=fr"),
                    400,
                    "unknown_parameter",
                ),
                (
                    "?x on the document",
                    get("/openapi.json?x=1"),
                    400,
                    "unknown_parameter",
                ),
                (
                    "date with text",
                    get("/tasks?date=2025-03-01x"),
                    400,
                    "invalid_parameter",
                ),
                (
                    "day 30 of February",
                    get("/tasks?date=2025-02-30"),
                    400,
                    "invalid_parameter",
                ),
                (
                    "a limit of 30 digits",
                    get("/catalog?limit=" + "9" * 30),
                    400,
                    "invalid_parameter",
                ),
                (
                    "a negative after_id",
                    get("/catalog?after_id=-1"),
                    400,
                    "invalid_parameter",
                ),
                (
                    "a limit with spaces",
                    get("/catalog?limit=%2010"),
                    400,
                    "invalid_parameter",
                ),
                ("a task id of 20 digits", get("/tasks/" + "9" * 20), 404, "not_found"),
                ("task 0", get("/tasks/0/variances"), 404, "not_found"),
                (
                    "a line id of 20 digits",
                    lambda: self.api(
                        "POST",
                        "/lines/" + "9" * 20 + "/photos",
                        self.photo_payload(),
                        key=self.api_key,
                    ),
                    404,
                    "not_found",
                ),
            ]
        )
        # The ends of the calendar are days: answered, not refused.
        for day in ("0001-01-01", "9999-12-31"):
            self.assertEqual(get(f"/tasks?date={day}")().status_code, 200)

    def test_another_method_of_a_known_path_is_405(self):
        for method, path, allow in (
            ("PUT", "/tasks", "GET"),
            ("DELETE", f"/tasks/{self.task.id}", "GET"),
            ("GET", f"/tasks/{self.task.id}/counts", "POST"),
        ):
            with self.subTest(method=method, path=path):
                response = self.opener.request(
                    method,
                    self.base_url() + API + path,
                    headers={"Authorization": f"Bearer {self.api_key}"},
                    timeout=30,
                )
                self.assertEqual(response.status_code, 405, response.text)
                self.assertEqual(response.headers["Allow"], allow)
                self.assertEqual(response.json()["error"]["code"], "method_not_allowed")
        # OPTIONS asks what a path allows (Odoo routes it to every endpoint).
        for path, allow in (
            ("/catalog", "GET, OPTIONS"),
            (f"/tasks/{self.task.id}/counts", "POST, OPTIONS"),
        ):
            response = self.opener.request(
                "OPTIONS",
                self.base_url() + API + path,
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=30,
            )
            self.assertEqual(response.status_code, 204, response.text)
            self.assertEqual(response.headers["Allow"], allow)

    # ------------------------------------------------------------------
    # Photos: decoded whole, whatever their first bytes say
    # ------------------------------------------------------------------
    def test_photos_that_are_not_what_they_say(self):
        jpeg = image_bytes("JPEG", (200, 150))

        def upload(data=None, **payload):
            body = {**self.photo_payload(data), **payload}
            return lambda: self.api(
                "POST", f"/lines/{self.line_apple.id}/photos", body, key=self.api_key
            )

        fake_webp = b"RIFF" + struct.pack("<I", 200) + b"WEBPVP8 " + b"\x00\x01" * 96
        self.assertRefused(
            [
                (
                    "a bomb of 30 000 × 30 000",
                    upload(png_declaring(30000, 30000)),
                    413,
                    "photo_too_large",
                ),
                (
                    "30 megapixels declared",
                    upload(png_declaring(6000, 5000)),
                    413,
                    "photo_too_large",
                ),
                ("WebP in name only", upload(fake_webp), 415, "not_an_image"),
                (
                    "a JPEG cut in half",
                    upload(jpeg[: len(jpeg) // 2]),
                    415,
                    "not_an_image",
                ),
                (
                    "a JPEG start and noise",
                    upload(jpeg[:20] + b"\x00" * 400),
                    415,
                    "not_an_image",
                ),
                ("a GIF", upload(image_bytes("GIF")), 415, "not_an_image"),
                ("a BMP", upload(image_bytes("BMP")), 415, "not_an_image"),
                ("a field of a photo", upload(name="x.jpg"), 422, "unknown_field"),
                (
                    "a NUL in the filename",
                    upload(filename="a\u0000.jpg"),
                    422,
                    "invalid_filename",
                ),
                (
                    "a filename of 2 000 characters",
                    upload(filename="f" * 2000),
                    422,
                    "invalid_filename",
                ),
            ]
        )

    def test_every_accepted_type_is_decoded_and_kept(self):
        for fmt, mimetype in (
            ("JPEG", "image/jpeg"),
            ("PNG", "image/png"),
            ("WEBP", "image/webp"),
        ):
            with self.subTest(fmt=fmt):
                response = self.api(
                    "POST",
                    f"/lines/{self.line_apple.id}/photos",
                    self.photo_payload(image_bytes(fmt), filename="f" * 300),
                    key=self.api_key,
                )
                self.assertEqual(response.status_code, 201, response.text)
                self.assertEqual(response.json()["mimetype"], mimetype)
                self.assertLessEqual(
                    len(response.json()["name"]), api_payload.MAX_FILENAME + 5
                )
        self.assertEqual(len(self.line_apple.attachment_ids), 3)
        # Within the pixels allowed, at the edge: accepted.
        self.assertEqual(
            self.api(
                "POST",
                f"/lines/{self.line_apple.id}/photos",
                self.photo_payload(image_bytes("PNG", (5000, 5000))),
                key=self.api_key,
            ).status_code,
            201,
        )
