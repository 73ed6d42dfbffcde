from odoo.tests import HttpCase, tagged

from .common import ApiTestMixin


@tagged("post_install", "-at_install")
class TestBlindOutcome(ApiTestMixin, HttpCase):
    """Through the API, a counter learns that a task was submitted, never whether
    its counts matched the book (done) or differences wait for approval
    (counted, with the approval addon)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_mobile()
        cls._release_fixture_task()
        # Book: apple 10, bolt 50.
        cls.exact = cls._make_task(cls.counter, [(cls.bin_a, cls.product_apple, None)])
        cls.differs = cls._make_task(cls.counter, [(cls.bin_a, cls.product_bolt, None)])

    def _observe(self, task, quantity):
        """Everything the API tells the counter about ``task`` once submitted,
        without its id and name."""
        line = task.line_ids
        count = {"client_id": f"blind-{task.id}", "line_id": line.id}
        self.assertEqual(
            self.count(task.id, [{**count, "quantity": quantity}]).status_code, 200
        )
        seen = {}
        for attempt in ("first", "retry"):
            response = self.api(
                "POST", f"/tasks/{task.id}/counted", {}, key=self.api_key
            )
            self.assertEqual(response.status_code, 200, response.text)
            seen[attempt] = {
                key: value
                for key, value in response.json().items()
                if key not in ("id", "name")
            }
        response = self.api("GET", f"/tasks/{task.id}", key=self.api_key)
        seen["get"] = (response.status_code, response.json()["error"]["code"])
        response = self.api("GET", "/tasks", key=self.api_key)
        seen["listed"] = task.id in [t["id"] for t in response.json()["tasks"]]
        # The first send's answer was lost: its retry is answered.
        response = self.count(task.id, [{**count, "quantity": quantity}])
        self.assertEqual(response.status_code, 200, response.text)
        seen["count retry"] = response.json()["task_state"]
        response = self.count(
            task.id,
            [{"client_id": f"late-{task.id}", "line_id": line.id, "quantity": 1}],
        )
        seen["late count"] = (response.status_code, response.json()["error"]["code"])
        return seen

    def test_the_api_tells_a_counter_only_submitted(self):
        exact = self._observe(self.exact, 10)
        differs = self._observe(self.differs, 49)
        if "cycle.count.adjustment" in self.env:
            # The outcomes differ...
            self.assertEqual(self.exact.state, "done")
            self.assertEqual(self.differs.state, "counted")
        # ...what the counter is told does not.
        self.assertEqual(exact, differs)
        self.assertEqual(exact["first"]["state"], "counted")
        self.assertFalse(exact["first"]["is_open_for_counting"])
        self.assertEqual(exact["get"], (403, "forbidden"))
        self.assertFalse(exact["listed"])
        self.assertEqual(exact["count retry"], "counted")
        self.assertEqual(exact["late count"], (409, "task_not_open"))
        # A supervisor reads how each ended.
        for task, state in (
            (self.exact, self.exact.state),
            (self.differs, self.differs.state),
        ):
            self.assertEqual(
                self.env["cycle.count.api"]
                .with_user(self.supervisor)
                ._task_summary(task.with_user(self.supervisor))["state"],
                state,
            )
