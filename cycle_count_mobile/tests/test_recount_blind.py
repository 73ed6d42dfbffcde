import json

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestRecountBlind(ApiTestMixin, HttpCase):
    """With the approval addon's recount loop: an item outside its recount
    threshold is counted again by another counter, who gets the recount over the
    API as a task of its own, blind to the book and to the earlier count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "cycle.count.tolerance" not in cls.env:
            cls.skipTest(cls, "the approval addon is not installed")
        cls._setup_mobile()
        cls._release_fixture_task()
        cls.env["cycle.count.capacity"].create(
            {
                "warehouse_id": cls.warehouse.id,
                "user_ids": [Command.set((cls.counter | cls.counter_2).ids)],
            }
        )
        cls.env["cycle.count.tolerance"].create(
            {
                "name": "Recount beyond 5 %",
                "kind": "recount",
                "company_id": cls.company.id,
                "loss_pct": 5,
            }
        )
        cls.company.cycle_count_max_recounts = 1
        cls.company.cycle_count_tie_break = "agree"
        # Book: apple 10.
        cls.apples = cls._make_task(cls.counter, [(cls.bin_a, cls.product_apple, None)])

    def test_the_recount_over_the_api_is_blind(self):
        line = self.apples.line_ids
        counted = [{"client_id": "first-apple", "line_id": line.id, "quantity": 7}]
        self.assertEqual(self.count(self.apples.id, counted).status_code, 200)
        response = self.api(
            "POST", f"/tasks/{self.apples.id}/counted", {}, key=self.api_key
        )
        self.assertEqual(response.status_code, 200, response.text)
        report = self.apples.adjustment_ids
        self.assertEqual(report.state, "recount")
        recount = report.recount_task_id
        self.assertEqual(recount.user_id, self.counter_2)

        # The first counter does not get the recount.
        listed = self.api("GET", "/tasks", key=self.api_key).json()["tasks"]
        self.assertNotIn(recount.id, [task["id"] for task in listed])
        self.assertEqual(
            self.api("GET", f"/tasks/{recount.id}", key=self.api_key).status_code, 403
        )

        # The recounter does: today's work, a recount with its reason.
        listed = self.api("GET", "/tasks", key=self.api_key_2).json()["tasks"]
        summary = next(task for task in listed if task["id"] == recount.id)
        self.assertTrue(summary["is_recount"])
        self.assertTrue(summary["recount_reason"])
        self.assertFalse(summary["overdue"])
        response = self.api("GET", f"/tasks/{recount.id}", key=self.api_key_2)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertMatchesOpenApi("GET", f"/tasks/{recount.id}", response)
        payload = response.json()
        (recount_line,) = payload["lines"]
        self.assertNotEqual(recount_line["id"], line.id)
        self.assertFalse(recount_line["is_counted"])
        self.assertIsNone(recount_line["counted_qty"])
        self.assertIsNone(recount_line["counted_at"])
        self.assertIsNone(recount_line["note"])
        self.assertIsNone(recount_line["hint"])
        # No book quantity, difference or earlier count anywhere in it.
        text = json.dumps(payload)
        for word in ("book", "difference", "variance", "value", "recount_of"):
            self.assertNotIn(word, text)
        self.assertNotIn(str(line.id), [str(row["id"]) for row in payload["lines"]])

        # The recount agrees with the first count: it goes to approval.
        counted = [
            {"client_id": "recount-apple", "line_id": recount_line["id"], "quantity": 7}
        ]
        self.assertEqual(
            self.count(recount.id, counted, key=self.api_key_2).status_code, 200
        )
        response = self.api(
            "POST", f"/tasks/{recount.id}/counted", {}, key=self.api_key_2
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "counted")
        self.assertEqual(report.state, "to_approve")
        self.assertEqual(
            report.line_ids.count_history_ids.counter_id, self.counter | self.counter_2
        )
