import base64
import json
import os
import uuid

from odoo.tests import HttpCase, tagged

from .common import ApiTestMixin, png_bytes


@tagged("post_install", "-at_install")
class TestPhotos(ApiTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_mobile()

    def upload(self, line, key=None, **payload):
        body = self.photo_payload(**payload) if "raw" not in payload else None
        return self.api(
            "POST",
            f"/lines/{line.id if hasattr(line, 'id') else line}/photos",
            body,
            key=key or self.api_key,
            raw=payload.get("raw"),
        )

    def test_a_photo_becomes_an_attachment_of_its_line_once(self):
        client_id = str(uuid.uuid4())
        response = self.upload(
            self.line_apple, client_id=client_id, filename="torn label"
        )
        self.assertEqual(response.status_code, 201, response.text)
        payload = response.json()
        attachment = self.env["ir.attachment"].browse(payload["attachment_id"])
        self.assertEqual(
            (attachment.res_model, attachment.res_id),
            ("cycle.count.line", self.line_apple.id),
        )
        self.assertEqual(attachment.mimetype, "image/png")
        self.assertEqual(attachment.name, "torn label.png")
        self.assertEqual(self.line_apple.attachment_ids, attachment)
        # Sent again (the answer was lost): nothing new.
        again = self.upload(self.line_apple, client_id=client_id, filename="torn label")
        self.assertEqual(again.status_code, 200)
        self.assertTrue(again.json()["duplicate"])
        self.assertEqual(again.json()["attachment_id"], attachment.id)
        self.assertEqual(len(self.line_apple.attachment_ids), 1)
        # Approvers see it, on the line and in the variances.
        for user in (self.supervisor, self.finance):
            self.assertEqual(attachment.with_user(user).raw, png_bytes())
        response = self.api(
            "GET",
            f"/tasks/{self.task.id}/variances",
            key=self._api_key(self.finance),
        )
        lines = {line["line_id"]: line for line in response.json()["lines"]}
        self.assertEqual(lines[self.line_apple.id]["photo_ids"], [attachment.id])
        # The counter's own task answers how many photos a line has.
        task = self.api("GET", f"/tasks/{self.task.id}", key=self.api_key).json()
        apple = next(line for line in task["lines"] if line["id"] == self.line_apple.id)
        self.assertEqual(apple["photo_count"], 1)

    def test_a_client_id_of_a_count_is_not_a_photos(self):
        client_id = str(uuid.uuid4())
        self.count(
            self.task.id,
            [{"client_id": client_id, "line_id": self.line_apple.id, "quantity": 1}],
        )
        response = self.upload(self.line_apple, client_id=client_id)
        self.assertApiError(response, 422, "client_id_reused")

    def test_photo_errors(self):
        big = os.urandom(5 * 1024 * 1024 + 1)
        cases = [
            ({"data": big}, 413, "photo_too_large"),
            ({"data": b"just some text, not a photo"}, 415, "not_an_image"),
            ({"data": b"\x89PNG\r\n\x1a\n" + b"garbage" * 50}, 415, "not_an_image"),
            ({"raw": json.dumps({"data": "%%% not base64"})}, 422, "invalid_data"),
            ({"raw": json.dumps({"filename": "x.jpg"})}, 422, "invalid_data"),
            ({"client_id": 12}, 422, "invalid_client_id"),
            ({"client_id": "x" * 65}, 422, "invalid_client_id"),
            ({"client_id": "two words"}, 422, "invalid_client_id"),
            ({"filename": ["x"]}, 422, "invalid_filename"),
            ({"raw": "{not json"}, 400, "malformed_json"),
            ({"raw": "[]"}, 400, "malformed_json"),
            (
                {"raw": json.dumps({"data": "A" * (7 * 1024 * 1024 + 10)})},
                413,
                "payload_too_large",
            ),
        ]
        for payload, status, code in cases:
            with self.subTest(code=code, payload=str(payload)[:60]):
                self.assertApiError(
                    self.upload(self.line_apple, **payload), status, code
                )
        self.assertFalse(self.line_apple.attachment_ids)

    def test_photo_rights(self):
        self.assertApiError(self.upload(987654321), 404, "not_found")
        self.assertApiError(
            self.upload(self.line_apple, key=self.api_key_2), 403, "forbidden"
        )
        self.assertApiError(
            self.upload(self.task_b.line_ids, key=self.api_key), 403, "forbidden"
        )
        self.assertEqual(
            self.upload(self.task_b.line_ids, key=self.api_key_b).status_code, 201
        )
        self.task.with_user(self.supervisor).action_cancel()
        self.assertApiError(self.upload(self.line_apple), 409, "task_not_open")
        self.assertFalse(self.line_apple.attachment_ids)

    def test_a_session_upload_must_be_json(self):
        self.authenticate("cc_counter", "cc_counter")
        response = self.api(
            "POST",
            f"/lines/{self.line_apple.id}/photos",
            raw="data=" + base64.b64encode(png_bytes()).decode(),
            content_type="application/x-www-form-urlencoded",
        )
        self.assertApiError(response, 415, "unsupported_media_type")
        response = self.api(
            "POST", f"/lines/{self.line_apple.id}/photos", self.photo_payload()
        )
        self.assertEqual(response.status_code, 201, response.text)
