from datetime import UTC, datetime, timedelta

from odoo.tests import HttpCase, tagged

from .common import MobileTestMixin


@tagged("post_install", "-at_install")
class TestReceivedCountsTour(MobileTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_mobile()
        now = datetime.now(UTC).replace(microsecond=0)
        task = cls.task.with_user(cls.counter)
        for quantity, minutes_ago in ((5, 5), (3, 20)):
            task.env["cycle.count.api"]._submit_counts(
                task,
                [
                    {
                        "client_id": f"sync-records-tour-{quantity}",
                        "line_id": cls.line_apple.id,
                        "quantity": quantity,
                        "counted_at": (
                            now - timedelta(minutes=minutes_ago)
                        ).isoformat(),
                    }
                ],
            )

    def test_supervisor_reads_which_count_a_line_kept(self):
        self.assertEqual(self.line_apple.counted_qty, 5)
        self.start_tour(
            "/odoo/action-cycle_count_mobile.cycle_count_sync_record_action",
            "cycle_count_sync_records_tour",
            login="cc_supervisor",
        )
