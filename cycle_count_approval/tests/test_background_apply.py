from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from ..models.cycle_count_adjustment import APPLY_CHUNK_PARAM
from .common import use_periodic_category


@tagged("post_install", "-at_install")
class TestBackgroundApply(CycleCountCase):
    """A report of more variances than the chunk size is applied in the
    background, a chunk per transaction, each variance once. Book: apple 10,
    bolt 50, chip 4, glue lot 20; three differences counted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_periodic_category(cls)
        cls.env["ir.config_parameter"].set_param(APPLY_CHUNK_PARAM, "2")

    def _on_hand(self, product, location, lot=None):
        return self.env["stock.quant"]._get_available_quantity(
            product, location, lot_id=lot, strict=True, allow_negative=True
        )

    def _approve(self, adjustment):
        for user in (self.supervisor, self.finance, self.manager):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()

    def _large_report(self):
        task = self._counted_task(apple=12, bolt=46, chip=3)
        adjustment = task.adjustment_ids
        self.assertEqual(len(adjustment.line_ids), 3)
        return task, adjustment

    def test_the_approval_answers_at_once_and_chunks_apply_each_variance_once(self):
        task, adjustment = self._large_report()
        self._approve(adjustment)
        # The click answered: approved, nothing in stock yet, being applied.
        self.assertEqual(adjustment.state, "approved")
        self.assertTrue(adjustment.is_applying)
        self.assertFalse(adjustment.move_ids)
        self.assertEqual(adjustment.apply_progress, 0)
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)
        Adjustment = self.env["cycle.count.adjustment"]
        self.assertEqual(Adjustment._apply_next_chunk(), adjustment)
        adjustment.invalidate_recordset()
        self.assertEqual(len(adjustment.move_ids), 2)
        self.assertEqual(adjustment.apply_progress, 66)
        self.assertEqual(adjustment.state, "approved")
        with self.assertRaises(UserError):
            adjustment.with_user(self.finance).action_apply_to_stock()
        self.assertEqual(Adjustment._apply_next_chunk(), adjustment)
        adjustment.invalidate_recordset()
        self.assertEqual(adjustment.state, "posted")
        self.assertFalse(adjustment.is_applying)
        self.assertEqual(adjustment.apply_progress, 100)
        self.assertEqual(task.state, "done")
        # Nothing left: a further run (a job run twice) applies nothing again.
        self.assertFalse(Adjustment._apply_next_chunk())
        self.assertEqual(
            sorted(adjustment.move_ids.cycle_count_adjustment_line_id.ids),
            sorted(adjustment.line_ids.ids),
        )
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 46)
        self.assertEqual(self._on_hand(self.product_chip, self.bin_b), 3)

    def test_the_cron_applies_one_chunk_per_call(self):
        _task, adjustment = self._large_report()
        self._approve(adjustment)
        cron = self.env.ref("cycle_count_approval.ir_cron_cycle_count_apply")
        Adjustment = self.env["cycle.count.adjustment"]
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        Adjustment.with_context(ir_cron_progress_id=progress.id)._cron_apply_to_stock()
        self.assertEqual((progress.done, progress.remaining), (1, 1))
        self.assertEqual(len(adjustment.move_ids), 2)
        # Called outside the cron (a shell, a test): everything left.
        Adjustment._cron_apply_to_stock()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(len(adjustment.move_ids), 3)

    def test_a_small_report_is_applied_in_the_click(self):
        self.env["ir.config_parameter"].set_param(APPLY_CHUNK_PARAM, "3")
        _task, adjustment = self._large_report()
        self._approve(adjustment)
        self.assertEqual(adjustment.state, "posted")
        self.assertFalse(adjustment.is_applying)
        self.assertEqual(len(adjustment.move_ids), 3)
        # The list's Posted column: all of it, posted in the click.
        self.assertEqual(
            (
                adjustment.apply_lines_done,
                adjustment.apply_lines_total,
                adjustment.apply_progress,
            ),
            (3, 3, 100),
        )

    def test_the_click_posts_nothing_and_wakes_the_background(self):
        """The approver's click on a large report writes no stock move and no
        quant: it marks the report and triggers the cron, which posts."""
        _task, adjustment = self._large_report()
        cron = self.env.ref("cycle_count_approval.ir_cron_cycle_count_apply")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        moves_before = self.env["stock.move"].search_count([])
        self._approve(adjustment)
        self.assertEqual(self.env["stock.move"].search_count([]), moves_before)
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 50)
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers
        )
        self.assertEqual(
            (adjustment.apply_lines_done, adjustment.apply_lines_total), (0, 3)
        )
        adjustment._apply_chunk_in_own_transaction()
        adjustment.invalidate_recordset()
        self.assertEqual(
            (adjustment.apply_lines_done, adjustment.apply_lines_total), (2, 3)
        )

    def test_a_chunk_returns_what_it_did_as_plain_values(self):
        _task, adjustment = self._large_report()
        self._approve(adjustment)
        result = adjustment._apply_chunk_in_own_transaction()
        self.assertEqual(
            {k: result[k] for k in ("report", "applying", "applied", "remaining")},
            {"report": adjustment.id, "applying": True, "applied": 2, "remaining": 1},
        )
        result = adjustment._apply_chunk_in_own_transaction()
        self.assertEqual((result["applying"], result["applied"]), (False, 3))
        self.assertEqual(result["remaining"], 0)
        self.assertEqual(adjustment.state, "posted")
        self.assertFalse(adjustment._apply_chunk_in_own_transaction()["report"])

    def test_a_chunk_locks_its_quants_in_id_order_before_posting(self):
        """The chunk's quants (and products) are locked by the chunk's own
        transaction before its moves are done: a lock a second transaction
        would wait for. Here, the lock statement is seen in the queries, in id
        order, skipping what another transaction holds (never waiting: no
        deadlock), before any stock move is inserted; with nothing held, every
        line of the chunk is locked."""
        _task, adjustment = self._large_report()
        self._approve(adjustment)
        queries = []
        original = type(self.env.cr).execute

        def execute(cr, query, params=None, log_exceptions=True):
            queries.append(str(query.code if hasattr(query, "code") else query))
            return original(cr, query, params, log_exceptions)

        cursor_class = type(self.env.cr)
        cursor_class.execute = execute
        try:
            adjustment._apply_next_chunk()
        finally:
            cursor_class.execute = original
        lock = next(
            i
            for i, q in enumerate(queries)
            if "FROM stock_quant WHERE id IN" in q and "FOR NO KEY UPDATE" in q
        )
        insert = next(
            i for i, q in enumerate(queries) if q.startswith('INSERT INTO "stock_move"')
        )
        self.assertLess(lock, insert)
        self.assertIn("ORDER BY id", queries[lock])
        self.assertIn("SKIP LOCKED", queries[lock])
        self.assertEqual(len(adjustment.move_ids), 2)

    def test_lock_chunk_returns_the_lines_it_locked(self):
        """Nothing held by another transaction: every line of the chunk is
        locked and returned (the concurrency check holds rows from a second
        connection: the held lines are left, then posted once freed)."""
        _task, adjustment = self._large_report()
        lines = adjustment._get_lines_to_apply()
        self.assertEqual(lines._lock_chunk(), lines)
        self.assertFalse(lines.browse()._lock_chunk())

    def test_the_setting_is_the_system_parameter(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.cycle_count_apply_chunk_size, 2)
        settings.cycle_count_apply_chunk_size = 500
        settings.execute()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(APPLY_CHUNK_PARAM), "500"
        )
        self.assertEqual(
            self.env["cycle.count.adjustment"]._get_apply_chunk_size(), 500
        )
        self.env["ir.config_parameter"].search(
            [("key", "=", APPLY_CHUNK_PARAM)]
        ).unlink()
        self.assertEqual(
            self.env["res.config.settings"].create({}).cycle_count_apply_chunk_size,
            2000,
        )
