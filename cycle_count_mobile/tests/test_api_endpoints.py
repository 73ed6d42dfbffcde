from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged

from .common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestApiEndpoints(ApiTestMixin, HttpCase):
    """Every endpoint, its errors, access rights and multi-company; every answer
    is checked against the OpenAPI document (ApiTestMixin.api)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_mobile()

    # ------------------------------------------------------------------
    # GET /tasks
    # ------------------------------------------------------------------
    def test_list_my_tasks_today_and_overdue(self):
        # Items of their own (an item has one open count at a time).
        overdue = self._make_task(
            self.counter,
            [(self.bin_a, self.product_chip, None)],
            date=datetime.now().date() - timedelta(days=3),
        )
        self._make_task(
            self.counter,
            [(self.bin_c, self.product_chip, None)],
            date=datetime.now().date() + timedelta(days=2),
        )
        done = self._make_task(self.counter, [(self.bin_c, self.product_apple, None)])
        done.sudo().state = "done"
        self._make_task(self.counter_2, [(self.bin_b, self.product_apple, None)])
        response = self.api("GET", "/tasks", key=self.api_key)
        self.assertEqual(response.status_code, 200)
        tasks = response.json()["tasks"]
        self.assertEqual([t["id"] for t in tasks], [overdue.id, self.task.id])
        self.assertTrue(tasks[0]["overdue"])
        self.assertFalse(tasks[1]["overdue"])
        self.assertEqual(tasks[1]["line_count"], 6)
        later = (datetime.now().date() + timedelta(days=5)).isoformat()
        response = self.api("GET", f"/tasks?date={later}", key=self.api_key)
        self.assertEqual(len(response.json()["tasks"]), 3)
        # Overdue means before today, whatever day the list goes up to.
        overdue_of = {t["id"]: t["overdue"] for t in response.json()["tasks"]}
        self.assertEqual(overdue_of[overdue.id], True)
        self.assertEqual(overdue_of[self.task.id], False)

    def test_list_tasks_bad_date(self):
        response = self.api("GET", "/tasks?date=tomorrow", key=self.api_key)
        self.assertApiError(response, 400, "invalid_parameter")

    def test_list_tasks_needs_authentication(self):
        self.assertApiError(self.api("GET", "/tasks"), 401, "unauthorized")
        self.assertApiError(self.api("GET", "/tasks", key="nope"), 401, "unauthorized")

    def test_session_call_without_json_is_refused(self):
        self.authenticate("cc_counter", "cc_counter")
        response = self.api("GET", "/tasks", content_type="text/plain")
        self.assertApiError(response, 415, "unsupported_media_type")
        response = self.api("GET", "/tasks", content_type="application/json")
        self.assertEqual(response.status_code, 200)

    # ------------------------------------------------------------------
    # GET /tasks/{id}
    # ------------------------------------------------------------------
    def test_get_task_is_blind(self):
        # A lot left from when the apples were lot-tracked: not a lot to scan.
        self.env["stock.lot"].create(
            {
                "name": "APL-OLD",
                "product_id": self.product_apple.id,
                "company_id": self.company.id,
            }
        )
        self.count(self.task.id, [{"line_id": self.line_apple.id, "quantity": 7}])
        response = self.api("GET", f"/tasks/{self.task.id}", key=self.api_key)
        self.assertEqual(response.status_code, 200)
        task = response.json()
        self.assertEqual(len(task["lines"]), 6)
        apple = next(line for line in task["lines"] if line["id"] == self.line_apple.id)
        self.assertEqual(apple["counted_qty"], 7)
        self.assertTrue(apple["is_counted"])
        # The book says 10: neither the number nor any book field is sent.
        self.assertNotIn("book", response.text)
        self.assertNotIn("difference", response.text)
        self.assertNotIn("variance", response.text)
        barcodes = {loc["barcode"] for loc in task["locations"]}
        self.assertEqual(barcodes, {"CCT-A01", "CCT-A02", "CCT-B01"})
        bolt = next(p for p in task["products"] if p["id"] == self.product_bolt.id)
        self.assertEqual(
            bolt["packagings"],
            [{"barcode": "15901234123454", "qty": 10.0, "name": "Box of 10"}],
        )
        lots = {lot["name"] for lot in task["lots"]}
        self.assertEqual(lots, {"GLU-001", "PHN-001", "PHN-002"})

    def test_get_task_rights(self):
        self.assertApiError(
            self.api("GET", "/tasks/987654321", key=self.api_key), 404, "not_found"
        )
        # Another counter's task, another company's task.
        self.assertApiError(
            self.api("GET", f"/tasks/{self.task.id}", key=self.api_key_2),
            403,
            "forbidden",
        )
        error = self.assertApiError(
            self.api("GET", f"/tasks/{self.task_b.id}", key=self.api_key),
            403,
            "forbidden",
        )
        self.assertIn("a company you do not work for", error["message"])
        response = self.api("GET", f"/tasks/{self.task_b.id}", key=self.api_key_b)
        self.assertEqual(response.status_code, 200)

    # ------------------------------------------------------------------
    # POST /tasks/{id}/counted
    # ------------------------------------------------------------------
    def test_mark_counted(self):
        url = f"/tasks/{self.task.id}/counted"
        error = self.assertApiError(
            self.api("POST", url, {}, key=self.api_key), 409, "conflict"
        )
        self.assertIn("6 line(s) without a count", error["message"])
        self.count(
            self.task.id,
            [
                {"line_id": line.id, "quantity": 1 if line.lot_id else 3}
                for line in self.task.line_ids
            ],
        )
        self.assertApiError(
            self.api("POST", url, {}, key=self.api_key_2), 403, "forbidden"
        )
        response = self.api("POST", url, {}, key=self.api_key)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "counted")
        self.assertEqual(self.task.state, "counted")
        # A retry (the answer was lost) is no error.
        response = self.api("POST", url, {}, key=self.api_key)
        self.assertEqual(response.status_code, 200)
        self.assertApiError(
            self.api("POST", url, raw="{oops", key=self.api_key), 400, "malformed_json"
        )
        self.assertApiError(
            self.api("POST", "/tasks/987654321/counted", {}, key=self.api_key),
            404,
            "not_found",
        )

    def test_mark_counted_cancelled_task(self):
        self.task.with_user(self.supervisor).action_cancel()
        response = self.api(
            "POST", f"/tasks/{self.task.id}/counted", {}, key=self.api_key
        )
        self.assertApiError(response, 409, "task_not_open")

    # ------------------------------------------------------------------
    # GET /tasks/{id}/variances
    # ------------------------------------------------------------------
    def test_variances_for_reviewers_only(self):
        self.count(
            self.task.id,
            [
                {"line_id": self.line_apple.id, "quantity": 8},
                {"line_id": self.line_chip.id, "quantity": 5},
            ],
        )
        url = f"/tasks/{self.task.id}/variances"
        error = self.assertApiError(
            self.api("GET", url, key=self.api_key), 403, "forbidden"
        )
        self.assertIn("counters count blind", error["message"])
        for user in (self.supervisor, self.finance):
            with self.subTest(user=user.login):
                response = self.api("GET", url, key=self._api_key(user))
                self.assertEqual(response.status_code, 200, response.text)
                lines = {line["line_id"]: line for line in response.json()["lines"]}
                apple = lines[self.line_apple.id]
                self.assertEqual(
                    (apple["book_qty"], apple["counted_qty"], apple["difference_qty"]),
                    (10, 8, -2),
                )
                self.assertEqual(apple["variance_value"], -20)
                self.assertEqual(lines[self.line_chip.id]["variance_value"], 400)
                self.assertIsNone(lines[self.line_bolt.id]["counted_qty"])
                self.assertEqual(response.json()["total_variance_value"], 380)
        # A supervisor of another company sees nothing of this one.
        self.assertApiError(
            self.api("GET", url, key=self._api_key(self.supervisor_b)), 403, "forbidden"
        )
        self.assertApiError(
            self.api(
                "GET", "/tasks/987654321/variances", key=self._api_key(self.supervisor)
            ),
            404,
            "not_found",
        )

    # ------------------------------------------------------------------
    # GET /catalog
    # ------------------------------------------------------------------
    def test_catalog_pages_and_companies(self):
        response = self.api("GET", "/catalog?limit=1", key=self.api_key)
        self.assertEqual(response.status_code, 200)
        page = response.json()
        self.assertEqual(len(page["products"]), 1)
        self.assertTrue(page["next_after_id"])
        self.assertTrue(page["locations"])
        products, after = [], 0
        while after is not None:
            page = self.api(
                "GET", f"/catalog?after_id={after}&limit=2", key=self.api_key
            ).json()
            products += page["products"]
            if after:
                self.assertEqual(page["locations"], [])
            after = page["next_after_id"]
        ids = {p["id"] for p in products}
        self.assertIn(self.product_serial.id, ids)
        self.assertNotIn(self.product_b.id, ids)
        barcodes = {
            loc["barcode"]
            for loc in self.api("GET", "/catalog", key=self.api_key).json()["locations"]
        }
        self.assertIn("CCT-A01", barcodes)
        b_locations = {
            loc["id"]
            for loc in self.api("GET", "/catalog", key=self.api_key_b).json()[
                "locations"
            ]
        }
        self.assertIn(self.warehouse_b.lot_stock_id.id, b_locations)
        self.assertNotIn(self.bin_a.id, b_locations)
        for query in ("limit=0", "limit=x", "after_id=-1", "limit=5001"):
            with self.subTest(query=query):
                self.assertApiError(
                    self.api("GET", f"/catalog?{query}", key=self.api_key),
                    400,
                    "invalid_parameter",
                )

    # ------------------------------------------------------------------
    # The document itself, and unknown endpoints
    # ------------------------------------------------------------------
    def test_openapi_document_is_served(self):
        response = self.url_open("/cycle_count/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        spec = response.json()
        self.assertEqual(spec["openapi"], "3.0.3")
        self.assertEqual(
            spec["servers"][0]["url"], self.base_url() + "/cycle_count/api/v1"
        )

    def test_unknown_endpoint_is_a_json_404(self):
        response = self.url_open("/cycle_count/api/v1/nothing/here")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"]["code"], "unknown_endpoint")
