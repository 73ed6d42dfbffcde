from psycopg2.errors import ExclusionViolation

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.cycle_count_planning.models.cycle_count_line import CountRefused

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestOneOpenCount(CycleCountCase):
    """An item (product, location, lot, package, owner) has at most one open
    count, whatever creates it (issue 10: 10 on hand, 8 counted twice → 6). On
    the landed main a hand-made task or a found item took an item another open
    task held, and both differences were applied."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.planned = cls.env["cycle.count.planner"]._plan(cls._create_rule())

    def _hand_made(self, product, location, **line):
        return (
            self.env["cycle.count.task"]
            .with_user(self.supervisor)
            .create(
                {
                    "warehouse_id": self.warehouse.id,
                    "user_id": self.counter_2.id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "location_id": location.id,
                                **line,
                            }
                        )
                    ],
                }
            )
        )

    def test_hand_made_task_of_a_planned_item_is_refused(self):
        self.assertIn(self.product_apple, self.planned.line_ids.product_id)
        with (
            self.assertRaisesRegex(ValidationError, self.planned.name) as caught,
            self.env.cr.savepoint(),
        ):
            self._hand_made(self.product_apple, self.bin_a)
        self.assertIn("Apple Juice", str(caught.exception))
        self.assertIn("A-01", str(caught.exception))
        self.assertFalse(
            self.env["cycle.count.task"].search([("user_id", "=", self.counter_2.id)]),
            "nothing is written",
        )

    def test_other_lot_package_or_owner_is_another_item(self):
        owner = self.env["res.partner"].create({"name": "Consignor"})
        task = self._hand_made(self.product_apple, self.bin_a, owner_id=owner.id)
        self.assertEqual(len(task.line_ids), 1)
        lot_2 = self.env["stock.lot"].create(
            {"name": "GLU-002", "product_id": self.product_lot.id}
        )
        self._hand_made(self.product_lot, self.bin_c, lot_id=lot_2.id)
        # The same item elsewhere (another bin) is another item too.
        self._hand_made(self.product_apple, self.bin_b)

    def test_same_item_twice_in_one_task_is_refused(self):
        self.planned.action_cancel()
        with self.assertRaisesRegex(ValidationError, "listed twice"):
            self.env["cycle.count.task"].with_user(self.supervisor).create(
                {
                    "warehouse_id": self.warehouse.id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_apple.id,
                                "location_id": self.bin_a.id,
                            }
                        )
                        for _i in range(2)
                    ],
                }
            )

    def test_line_moved_onto_a_held_item_is_refused(self):
        task = self._hand_made(self.product_apple, self.bin_b)
        with self.assertRaisesRegex(ValidationError, self.planned.name):
            task.line_ids.with_user(self.supervisor).location_id = self.bin_a

    def test_closed_tasks_free_the_item_and_reopening_checks_again(self):
        self.planned.with_user(self.supervisor).action_cancel()
        task = self._hand_made(self.product_apple, self.bin_a)
        with self.assertRaisesRegex(ValidationError, task.name):
            self.planned.with_user(self.supervisor).action_reset_to_draft()
        self.assertEqual(self.planned.state, "cancel")
        task.with_user(self.supervisor).action_cancel()
        self.planned.with_user(self.supervisor).action_reset_to_draft()
        self.assertEqual(self.planned.state, "draft")

    def test_found_item_held_by_another_task_is_refused(self):
        """A found item (API, app) of an item another open task holds: refused
        with its own code (the API answers 422), nothing written."""
        other = self._hand_made(self.product_chip, self.bin_c)
        self.planned.action_cancel()
        mine = self._hand_made(self.product_bolt, self.bin_c)
        lines_before = mine.line_ids
        counts = [
            {"line_id": lines_before.id, "quantity": 1},
            {
                "location_id": self.bin_c.id,
                "product_id": self.product_chip.id,
                "quantity": 3,
            },
        ]
        with self.assertRaises(CountRefused) as caught:
            self.env["cycle.count.line"].with_user(self.counter_2)._apply_counts(
                mine.with_user(self.counter_2), counts
            )
        self.assertEqual(
            [(i["index"], i["code"]) for i in caught.exception.items],
            [(1, "item_in_open_task")],
        )
        self.assertIn(other.name, caught.exception.items[0]["message"])
        self.assertEqual(mine.line_ids, lines_before)
        self.assertFalse(lines_before.is_counted)

    def test_planner_keeps_skipping_held_items(self):
        rule = self._create_rule(name="Again")
        self.assertFalse(self.env["cycle.count.planner"]._plan(rule).line_ids)

    def test_database_refuses_what_slips_past(self):
        """Two transactions at once would each pass the check: the exclusion
        constraint refuses the second whatever wrote it."""
        line = self.planned.line_ids[:1]
        task = self._hand_made(self.product_apple, self.bin_b)
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(ExclusionViolation),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                SQL(
                    "UPDATE cycle_count_line SET location_id = %s, product_id = %s "
                    "WHERE task_id = %s",
                    line.location_id.id,
                    line.product_id.id,
                    task.id,
                )
            )
