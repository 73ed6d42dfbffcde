from odoo.tests import HttpCase, tagged

from .common import ApprovalApiMixin


@tagged("post_install", "-at_install")
class TestApprovalApi(ApprovalApiMixin, HttpCase):
    """Approvals over the API with real API keys: what waits for me, a report's
    variances, approve, reject with a comment; every refusal writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_approvals()
        # -1 apple (-10): the supervisor's tier only.
        cls.small = cls._report({(cls.bin_a, cls.product_apple): 9})
        # +16 chips (+6 400): supervisor, then finance, then the director.
        cls.large = cls._report({(cls.bin_b, cls.product_chip): 20})

    def test_the_list_holds_my_turn_only(self):
        reports = self.api("GET", "/approvals", key=self.supervisor_key).json()[
            "reports"
        ]
        self.assertEqual(
            [report["id"] for report in reports], sorted((self.small | self.large).ids)
        )
        small = next(r for r in reports if r["id"] == self.small.id)
        self.assertEqual(small["total_loss"], 10)
        self.assertTrue(small["can_review"])
        # Finance's tier comes after the supervisor's: nothing is its turn yet.
        reports = self.api("GET", "/approvals", key=self.finance_key).json()["reports"]
        self.assertEqual(reports, [])

    def test_a_report_with_its_lines_and_values(self):
        body = self.api("GET", f"/approvals/{self.large.id}", key=self.supervisor_key)
        self.assertEqual(body.status_code, 200, body.text)
        report = body.json()
        self.assertEqual(report["name"], self.large.name)
        (line,) = report["lines"]
        self.assertEqual(line["product"]["id"], self.product_chip.id)
        self.assertEqual(line["code"], "CC-CHP")
        self.assertEqual(line["location"]["id"], self.bin_b.id)
        self.assertEqual(
            (line["book_qty"], line["counted_qty"], line["difference_qty"]), (4, 20, 16)
        )
        self.assertEqual((line["unit_cost"], line["value"]), (400, 6400))
        self.assertEqual(line["counter"]["id"], self.counter.id)
        self.assertEqual(line["photo_count"], 0)
        self.assertEqual(len(report["reviews"]), 3)
        self.assertFalse(any(review["done_by"] for review in report["reviews"]))
        self.assertIsNone(report["refusal"])

    def test_approve_applies_the_last_tier(self):
        response = self.api(
            "POST", f"/approvals/{self.small.id}/approve", {}, key=self.supervisor_key
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "posted")
        self.assertEqual(self.small.state, "posted")
        self.assertEqual(self.small.review_ids.done_by, self.supervisor)
        # Already decided: a second approval is refused, nothing changes.
        response = self.api(
            "POST", f"/approvals/{self.small.id}/approve", {}, key=self.supervisor_key
        )
        self.assertApiError(response, 409, "conflict")

    def test_approve_climbs_to_the_next_tier(self):
        response = self.api(
            "POST", f"/approvals/{self.large.id}/approve", {}, key=self.supervisor_key
        )
        self.assertEqual(response.json()["state"], "to_approve")
        reports = self.api("GET", "/approvals", key=self.finance_key).json()["reports"]
        self.assertEqual([r["id"] for r in reports], self.large.ids)
        # One person, one tier: the supervisor decides no other tier.
        response = self.api(
            "POST", f"/approvals/{self.large.id}/approve", {}, key=self.supervisor_key
        )
        error = self.assertApiError(response, 403, "forbidden")
        self.assertIn("each tier needs its own approver", error["message"])

    def test_reject_needs_a_comment_and_reaches_the_counter(self):
        for body in ({}, {"comment": ""}, {"comment": "   "}):
            with self.subTest(body=body):
                response = self.api(
                    "POST",
                    f"/approvals/{self.small.id}/reject",
                    body,
                    key=self.supervisor_key,
                )
                error = self.assertApiError(response, 422, "comment_required")
                self.assertIn("Say why you reject", error["message"])
                self.assertEqual(self.small.state, "to_approve")
                self.assertFalse(self.small.review_ids.done_by)
        response = self.api(
            "POST",
            f"/approvals/{self.small.id}/reject",
            {"comment": "Recount the top shelf"},
            key=self.supervisor_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "rejected")
        self.assertEqual(self.small.review_ids.comment, "Recount the top shelf")
        self.assertIn("Recount the top shelf", self.small.task_id.recount_reason or "")

    def test_bad_input_is_refused_and_writes_nothing(self):
        key = self.supervisor_key
        self.assertApiError(
            self.api("GET", "/approvals/999999", key=key), 404, "not_found"
        )
        self.assertApiError(
            self.api("POST", "/approvals/999999/approve", {}, key=key), 404, "not_found"
        )
        self.assertApiError(
            self.api(
                "POST", f"/approvals/{self.small.id}/approve", {"note": "x"}, key=key
            ),
            422,
            "unknown_field",
        )
        self.assertApiError(
            self.api(
                "POST", f"/approvals/{self.small.id}/reject", {"comment": 5}, key=key
            ),
            422,
            "invalid_input",
        )
        self.assertApiError(
            self.api("GET", "/approvals?limit=3", key=key), 400, "unknown_parameter"
        )
        # Not my turn: finance before the supervisor.
        self.assertApiError(
            self.api(
                "POST", f"/approvals/{self.large.id}/approve", {}, key=self.finance_key
            ),
            409,
            "conflict",
        )
        self.assertFalse(self.large.review_ids.done_by)
        self.assertEqual(self.small.state, "to_approve")

    def test_a_counter_s_key_is_refused(self):
        for method, path, body in (
            ("GET", "/approvals", None),
            ("GET", f"/approvals/{self.small.id}", None),
            ("POST", f"/approvals/{self.small.id}/approve", {}),
            ("POST", f"/approvals/{self.small.id}/reject", {"comment": "no"}),
        ):
            with self.subTest(path=path):
                self.assertApiError(
                    self.api(method, path, body, key=self.api_key), 403, "forbidden"
                )
        self.assertEqual(self.small.state, "to_approve")

    def test_another_company_s_report_does_not_exist_for_me(self):
        # Valued, so that it waits for its company's supervisor.
        self.product_b.with_company(self.company_b).standard_price = 10
        # Its fixture task holds the item (one open count of an item at a time).
        self.task_b.with_user(self.supervisor_b).action_cancel()
        report_b = self._report(
            {(self.warehouse_b.lot_stock_id, self.product_b): 5},
            user=self.counter_b,
            warehouse=self.warehouse_b,
        )
        self.assertTrue(report_b)
        for method, path, body in (
            ("GET", f"/approvals/{report_b.id}", None),
            ("POST", f"/approvals/{report_b.id}/approve", {}),
        ):
            with self.subTest(path=path):
                self.assertApiError(
                    self.api(method, path, body, key=self.supervisor_key),
                    404,
                    "not_found",
                )
        reports = self.api("GET", "/approvals", key=self.supervisor_key).json()[
            "reports"
        ]
        self.assertNotIn(report_b.id, [r["id"] for r in reports])
        self.assertEqual(report_b.state, "to_approve")

    def test_a_supervisor_who_counted_gets_the_refusal(self):
        supervisor_2 = self.supervisor.copy({"login": "cc_sup_api2", "name": "Sue"})
        report = self._report(
            {(self.bin_a, self.product_bolt): 49}, user=self.supervisor
        )
        self.assertNotIn(
            report.id,
            [
                r["id"]
                for r in self.api("GET", "/approvals", key=self.supervisor_key).json()[
                    "reports"
                ]
            ],
        )
        detail = self.api(
            "GET", f"/approvals/{report.id}", key=self.supervisor_key
        ).json()
        self.assertIn("You counted task", detail["refusal"])
        for action, body in (("approve", {}), ("reject", {"comment": "mine"})):
            with self.subTest(action=action):
                error = self.assertApiError(
                    self.api(
                        "POST",
                        f"/approvals/{report.id}/{action}",
                        body,
                        key=self.supervisor_key,
                    ),
                    403,
                    "forbidden",
                )
                self.assertIn("You counted task", error["message"])
        self.assertEqual(report.state, "to_approve")
        self.assertFalse(report.review_ids.done_by)
        response = self.api(
            "POST",
            f"/approvals/{report.id}/approve",
            {},
            key=self._api_key(supervisor_2),
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(report.state, "posted")

    def test_the_served_document_lists_the_approvals(self):
        spec = self.opener.get(self.base_url() + "/cycle_count/api/v1/openapi.json")
        paths = spec.json()["paths"]
        self.assertIn("/approvals/{report_id}/reject", paths)
        self.assertIn("/tasks/{task_id}/counts", paths)
        self.assertEqual(set(paths), set(self.OPENAPI["paths"]))
        # A documented path asked with another method: 405, not 404.
        response = self.opener.get(
            self.base_url() + f"/cycle_count/api/v1/approvals/{self.small.id}/approve",
            headers={"Authorization": f"Bearer {self.supervisor_key}"},
        )
        self.assertEqual(response.status_code, 405, response.text)
        self.assertEqual(response.headers["Allow"], "POST")
