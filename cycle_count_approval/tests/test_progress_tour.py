from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin

from ..models.cycle_count_adjustment import APPLY_CHUNK_PARAM
from .common import counted_report, use_periodic_category


@tagged("post_install", "-at_install")
class TestProgressTour(CycleCountTestMixin, HttpCase):
    """The list's *Posted* column: 100 % for a report posted in the approver's
    click, the share so far for one being posted in the background (chunks of
    two), whose form says how many lines are posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        use_periodic_category(cls)
        cls.env["ir.config_parameter"].set_param(APPLY_CHUNK_PARAM, "2")

    def _approve(self, adjustment):
        for user in (self.supervisor, self.finance, self.manager):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()

    def test_the_posted_column_fills_in_the_click_and_in_the_background(self):
        small = counted_report(self, {self.product_apple: 12})
        self._approve(small)
        self.assertEqual(small.state, "posted")
        self.assertEqual(
            (small.apply_lines_done, small.apply_lines_total, small.apply_progress),
            (1, 1, 100),
        )
        large = counted_report(
            self, {self.product_bolt: 46, self.product_chip: 3, self.product_lot: 18}
        )
        self._approve(large)
        self.assertTrue(large.is_applying)
        large._apply_chunk_in_own_transaction()
        large.invalidate_recordset()
        self.assertEqual((large.apply_lines_done, large.apply_lines_total), (2, 3))
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_action",
            "cycle_count_progress_tour",
            login="cc_finance",
        )
