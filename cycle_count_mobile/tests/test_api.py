import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin

COUNTS_URL = "/cycle_count/api/v1/tasks/%s/counts"


@tagged("post_install", "-at_install")
class TestCountApi(CycleCountTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls.task = cls.env["cycle.count.planner"]._plan(cls._create_rule())
        cls.line_apple, cls.line_bolt = (
            cls.task.line_ids.filtered(lambda line, p=p: line.product_id == p)
            for p in (cls.product_apple, cls.product_bolt)
        )
        second = cls.env["stock.warehouse"].create(
            {"name": "Second", "code": "CC2", "company_id": cls.company.id}
        )
        cls.env["stock.quant"].sudo()._update_available_quantity(
            cls.product_apple, second.lot_stock_id, 3
        )
        cls.other_task = cls.env["cycle.count.planner"]._plan(
            cls._create_rule(name="Second warehouse", warehouse_id=second.id)
        )
        cls.api_key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.counter)
            ._generate(None, "PDA 7", datetime.now() + timedelta(days=30))
        )

    def _post(
        self, task_id, body, key=None, content_type="application/json", raw=False
    ):
        headers = {"Content-Type": content_type}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = body if raw else json.dumps(body)
        return self.url_open(COUNTS_URL % task_id, data=data, headers=headers)

    def _assert_nothing_counted(self):
        self.task.line_ids.invalidate_recordset()
        self.assertFalse(self.task.line_ids.filtered("is_counted"))
        self.assertEqual(self.task.state, "draft")

    def test_counts_with_an_api_key(self):
        response = self._post(
            self.task.id,
            {
                "counts": [
                    {"line_id": self.line_apple.id, "quantity": 9},
                    {"line_id": self.line_bolt.id, "quantity": 50},
                ]
            },
            key=self.api_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        payload = response.json()
        self.assertEqual(payload["accepted"], 2)
        self.assertEqual(payload["task_state"], "in_progress")
        # Blind: nothing about the book comes back.
        self.assertNotIn("book", response.text)
        self.assertEqual(self.line_apple.counted_qty, 9)
        self.assertEqual(self.line_apple.counter_id, self.counter)
        self.assertEqual(self.line_apple.difference_qty, -1)

    def test_counts_with_the_web_session(self):
        self.authenticate("cc_counter", "cc_counter")
        response = self._post(
            self.task.id, {"counts": [{"line_id": self.line_apple.id, "quantity": 10}]}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(self.line_apple.is_counted)

    def test_a_session_call_must_be_json(self):
        """A cross-site form post cannot ride the session."""
        self.authenticate("cc_counter", "cc_counter")
        response = self._post(
            self.task.id,
            "counts=1",
            content_type="application/x-www-form-urlencoded",
            raw=True,
        )
        self.assertEqual(response.status_code, 415)
        self.assertEqual(response.json()["error"]["code"], "unsupported_media_type")
        self._assert_nothing_counted()

    def test_authentication_is_required(self):
        response = self._post(
            self.task.id, {"counts": [{"line_id": self.line_apple.id, "quantity": 1}]}
        )
        self.assertEqual(response.status_code, 401)
        self.assertIn("API key", response.json()["error"]["message"])
        response = self._post(
            self.task.id,
            {"counts": [{"line_id": self.line_apple.id, "quantity": 1}]},
            key="not-a-key",
        )
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"]["code"], "unauthorized")
        self._assert_nothing_counted()

    def test_bad_input_is_refused_and_nothing_written(self):
        cases = [
            ("{not json", 400, "malformed_json", True),
            ("[1, 2]", 400, "malformed_json", True),
            (
                {"counts": [{"line_id": self.line_apple.id, "quantity": -3}]},
                422,
                "invalid_count",
                False,
            ),
            (
                {"counts": [{"line_id": self.line_apple.id, "quantity": "three"}]},
                422,
                "invalid_count",
                False,
            ),
            (
                {"counts": [{"line_id": 987654321, "quantity": 1}]},
                422,
                "invalid_count",
                False,
            ),
            (
                {
                    "counts": [
                        {"line_id": self.line_bolt.id, "quantity": 50},
                        {"line_id": self.other_task.line_ids[0].id, "quantity": 1},
                    ]
                },
                422,
                "invalid_count",
                False,
            ),
            ({"counts": []}, 422, "invalid_count", False),
            ({}, 422, "invalid_count", False),
        ]
        for body, status, code, raw in cases:
            with self.subTest(body=body):
                response = self._post(self.task.id, body, key=self.api_key, raw=raw)
                self.assertEqual(response.status_code, status, response.text)
                error = response.json()["error"]
                self.assertEqual(error["code"], code)
                self.assertTrue(error["message"])
        self._assert_nothing_counted()
        self.other_task.line_ids.invalidate_recordset()
        self.assertFalse(self.other_task.line_ids.filtered("is_counted"))

    def test_unknown_task_and_closed_task(self):
        response = self._post(
            987654321, {"counts": [{"line_id": 1, "quantity": 1}]}, key=self.api_key
        )
        self.assertEqual(response.status_code, 404)
        self.task.sudo().state = "done"
        response = self._post(
            self.task.id,
            {"counts": [{"line_id": self.line_apple.id, "quantity": 1}]},
            key=self.api_key,
        )
        self.assertEqual(response.status_code, 409, response.text)
        self.assertIn(
            "no longer open for counting", response.json()["error"]["message"]
        )
        self.assertFalse(self.line_apple.is_counted)

    def test_another_counters_task_is_forbidden(self):
        self.other_task.sudo().user_id = self.counter_2
        response = self._post(
            self.other_task.id,
            {"counts": [{"line_id": self.other_task.line_ids[0].id, "quantity": 1}]},
            key=self.api_key,
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertFalse(self.other_task.line_ids.filtered("is_counted"))

    def test_errors_are_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.counter.lang = "zh_CN"
        response = self._post(self.task.id, "{not json", key=self.api_key, raw=True)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["error"]["message"], "请求正文不是有效的 JSON。"
        )
