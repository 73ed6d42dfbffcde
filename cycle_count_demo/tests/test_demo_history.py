from unittest import SkipTest

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoHistory(TransactionCase):
    """Where this addon was installed with demo data (the database of
    scripts/demo.sh): the story its README tells is there, once, and its
    figures agree with each other."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env.ref(
            "cycle_count_planning.warehouse_szdc", raise_if_not_found=False
        )
        if not cls.warehouse:
            raise SkipTest("Installed without demo data: there is no story.")
        cls.tasks = cls.env["cycle.count.task"].search(
            [("warehouse_id", "=", cls.warehouse.id)]
        )

    def test_counted_differences_were_approved_and_applied(self):
        done = self.tasks.filtered(lambda task: task.state == "done")
        self.assertTrue(done)
        # A rejected report's items were counted again (test_demo_story).
        reports = done.adjustment_ids.filtered(lambda adj: adj.state != "rejected")
        self.assertTrue(reports)
        self.assertEqual(set(reports.mapped("state")), {"posted"})
        variances = reports.line_ids.filtered("difference_qty")
        moves = self.env["stock.move"].search(
            [("cycle_count_adjustment_line_id", "in", variances.ids)]
        )
        # One inventory move per difference, done, valued and booked.
        self.assertEqual(moves.cycle_count_adjustment_line_id, variances)
        self.assertEqual(len(moves), len(variances))
        self.assertEqual(set(moves.mapped("state")), {"done"})
        # One journal entry per report: every layer of its moves is in it.
        self.assertTrue(
            all(move.stock_valuation_layer_ids.account_move_id for move in moves)
        )
        moved = {move.cycle_count_adjustment_line_id: move.quantity for move in moves}
        for variance in variances:
            self.assertAlmostEqual(moved[variance], abs(variance.difference_qty))

    def test_yesterday_s_count_waits_for_the_supervisor(self):
        counted = self.tasks.filtered(lambda task: task.state == "counted")
        # Told here, an older report waits too (escalated, past its deadline:
        # test_demo_story).
        held = counted.filtered(
            lambda task: task.adjustment_ids.review_ids.filtered(
                "cycle_count_escalated_date"
            )
        )
        self.assertLessEqual(len(held), 1)
        counted -= held
        self.assertEqual(len(counted), 1)
        waiting = counted.adjustment_ids
        self.assertTrue(waiting)
        self.assertEqual(set(waiting.mapped("state")), {"to_approve"})
        self.assertFalse(
            self.env["stock.move"].search_count(
                [("cycle_count_adjustment_line_id", "in", waiting.line_ids.ids)]
            )
        )
        # Today's tasks are planned after the last count.
        today = self.tasks.filtered(lambda task: task.state == "draft")
        self.assertTrue(today)
        self.assertGreaterEqual(
            min(today.mapped("scheduled_date")),
            max(counted.mapped("scheduled_date")),
        )

    def test_accuracy_of_the_history(self):
        groups = self.env["cycle.count.accuracy.report"]._read_group(
            [("warehouse_id", "=", self.warehouse.id)],
            [],
            ["line_count:sum", "accuracy:avg", "value_accuracy:avg"],
        )
        lines, accuracy, value_accuracy = groups[0]
        counted = self.tasks.filtered(lambda t: t.state in ("counted", "done"))
        # A count a recount replaced is not one of the figures' lines.
        self.assertEqual(
            lines,
            len(
                counted.line_ids.filtered(
                    lambda line: line.is_counted and not line.is_superseded
                )
            ),
        )
        # Most counts match the books; a few per cent do not.
        self.assertTrue(80 < accuracy < 100, accuracy)
        self.assertTrue(80 < value_accuracy < 100, value_accuracy)

    def test_the_story_is_told_once(self):
        pickings = self.env["stock.picking"].search_count([])
        self.env["cycle.count.demo"]._demo_generate_history()
        self.assertEqual(self.env["stock.picking"].search_count([]), pickings)
        self.assertEqual(
            self.env["cycle.count.task"].search(
                [("warehouse_id", "=", self.warehouse.id)]
            ),
            self.tasks,
        )
