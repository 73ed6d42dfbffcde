from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestPlanning(CycleCountCase):
    def test_plan_creates_a_task_per_counter_with_the_due_items(self):
        rule = self._create_rule()
        tasks = self._plan(rule)
        self.assertEqual(len(tasks), 1)
        self.assertEqual(tasks.user_id, self.counter)
        self.assertEqual(tasks.warehouse_id, self.warehouse)
        self.assertEqual(tasks.state, "draft")
        self.assertEqual(tasks.scheduled_date, fields.Date.context_today(rule))
        items = {
            (line.location_id, line.product_id, line.lot_id) for line in tasks.line_ids
        }
        self.assertEqual(
            items,
            {
                (self.bin_a, self.product_apple, self.env["stock.lot"]),
                (self.bin_a, self.product_bolt, self.env["stock.lot"]),
                (self.bin_b, self.product_chip, self.env["stock.lot"]),
                (self.bin_c, self.product_lot, self.lot_1),
            },
        )
        self.assertEqual(tasks.line_ids.rule_ids, rule)
        # Lines follow the walking route: by location, then product.
        self.assertEqual(
            [line.location_id.name for line in tasks.line_ids],
            ["A-01", "A-01", "A-02", "B-01"],
        )

    def test_an_item_in_an_open_task_is_not_planned_again(self):
        rule = self._create_rule()
        first = self._plan(rule)
        self.assertTrue(first)
        self.assertFalse(self._plan(rule))
        # Still held while counted and waiting for its adjustment.
        first.sudo().write({"state": "counted"})
        self.assertFalse(self._plan(rule))
        # A cancelled task frees its items.
        first.sudo().write({"state": "cancel"})
        self.assertEqual(len(self._plan(rule).line_ids), 4)

    def test_due_date_follows_the_last_count(self):
        rule = self._create_rule(frequency_days=30)
        with freeze_time("2026-03-01 09:00:00"):
            task = self._plan(rule, today=fields.Date.to_date("2026-03-01"))
            self._count_stock(task, apple=10, bolt=50, chip=4, glue=20)
            task.with_user(self.counter).action_mark_counted()
            task._action_done()
        self.assertFalse(self._plan(rule, today=fields.Date.to_date("2026-03-30")))
        due = self._plan(rule, today=fields.Date.to_date("2026-03-31"))
        self.assertEqual(len(due.line_ids), 4)

    def test_odoo_inventory_adjustments_count_as_history(self):
        """An item counted with Odoo's own Physical Inventory is not due again."""
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.product_apple.id),
                ("location_id", "=", self.bin_a.id),
            ]
        )
        quant.with_context(inventory_mode=True).inventory_quantity = 9
        quant.action_apply_inventory()
        rule = self._create_rule()
        task = self._plan(rule)
        self.assertNotIn(self.product_apple, task.line_ids.product_id)
        self.assertEqual(len(task.line_ids), 3)

    def test_history_older_than_frequency_is_due(self):
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.product_apple.id),
                ("location_id", "=", self.bin_a.id),
            ]
        )
        quant.with_context(inventory_mode=True).inventory_quantity = 9
        quant.action_apply_inventory()
        move_line = self.env["stock.move.line"].search(
            [("product_id", "=", self.product_apple.id), ("is_inventory", "=", True)]
        )
        move_line.date = datetime.now() - timedelta(days=45)
        task = self._plan(self._create_rule(frequency_days=30))
        self.assertIn(self.product_apple, task.line_ids.product_id)

    def test_an_emptied_quant_is_not_planned(self):
        """A sold-out item leaves a zero quant behind: nothing to count there."""
        self.env["stock.quant"].sudo()._update_available_quantity(
            self.product_apple, self.bin_a, -10
        )
        self.assertTrue(
            self.env["stock.quant"].search(
                [
                    ("product_id", "=", self.product_apple.id),
                    ("location_id", "=", self.bin_a.id),
                ]
            )
        )
        task = self._plan(self._create_rule())
        self.assertNotIn(self.product_apple, task.line_ids.product_id)
        self.assertEqual(len(task.line_ids), 3)

    def test_product_filter_and_location_scope(self):
        rule = self._create_rule(
            product_domain="[('default_code', 'in', ['CC-BLT', 'CC-CHP'])]",
            location_ids=[(6, 0, self.bin_a.ids)],
        )
        task = self._plan(rule)
        self.assertEqual(task.line_ids.product_id, self.product_bolt)
        self.assertEqual(rule.due_item_count, 0)

    def test_most_frequent_rule_wins_and_all_rules_are_kept(self):
        monthly = self._create_rule(name="Monthly", frequency_days=30)
        weekly = self._create_rule(
            name="Bolts weekly",
            frequency_days=7,
            product_domain="[('default_code', '=', 'CC-BLT')]",
        )
        with freeze_time("2026-03-01 09:00:00"):
            task = self._plan(monthly | weekly, today=fields.Date.to_date("2026-03-01"))
            bolt_line = task.line_ids.filtered(
                lambda line: line.product_id == self.product_bolt
            )
            self.assertEqual(bolt_line.rule_ids, monthly | weekly)
            self._count_stock(task, apple=10, bolt=50, chip=4, glue=20)
            task.with_user(self.counter).action_mark_counted()
            task._action_done()
        due = self._plan(monthly | weekly, today=fields.Date.to_date("2026-03-08"))
        self.assertEqual(due.line_ids.product_id, self.product_bolt)

    def test_rule_preview_counts_due_items(self):
        rule = self._create_rule()
        self.assertEqual(rule.due_item_count, 4)
        self._plan(rule)
        rule.invalidate_recordset(["due_item_count"])
        self.assertEqual(rule.due_item_count, 0)

    def test_each_counter_gets_their_own_task(self):
        apples = self._create_rule(
            name="Apples", product_domain="[('default_code', '=', 'CC-APL')]"
        )
        others = self._create_rule(
            name="Others",
            product_domain="[('default_code', '!=', 'CC-APL')]",
            user_id=self.counter_2.id,
        )
        tasks = self._plan(apples | others)
        self.assertEqual(len(tasks), 2)
        by_user = {task.user_id: task for task in tasks}
        self.assertEqual(by_user[self.counter].line_ids.product_id, self.product_apple)
        self.assertEqual(len(by_user[self.counter_2].line_ids), 3)

    def test_cron_plans_every_company(self):
        rule = self._create_rule()
        self.env["cycle.count.rule"]._cron_plan_counts()
        tasks = self.env["cycle.count.task"].search(
            [("warehouse_id", "=", self.warehouse.id)]
        )
        self.assertEqual(len(tasks.line_ids), 4)
        self.assertEqual(tasks.line_ids.rule_ids, rule)

    def test_plan_now_button_says_when_nothing_is_due(self):
        rule = self._create_rule()
        action = rule.with_user(self.manager).action_plan_now()
        self.assertEqual(action["res_model"], "cycle.count.task")
        action = rule.with_user(self.manager).action_plan_now()
        self.assertEqual(action["tag"], "display_notification")

    def test_rule_form_refuses_bad_values(self):
        form = Form(self.env["cycle.count.rule"].with_user(self.manager))
        form.name = "Broken"
        form.warehouse_ids.add(self.warehouse)
        form.frequency_days = 0
        # Odoo's assertRaises rolls back to a savepoint: nothing stays written.
        with self.assertRaises(ValidationError) as caught:
            form.save()
        self.assertIn("at least one day", str(caught.exception))
        form.frequency_days = 7
        form.product_domain = "[('no_such_field', '=', 1)]"
        with self.assertRaises(ValidationError) as caught:
            form.save()
        self.assertIn("not valid", str(caught.exception))
        self.assertFalse(self.env["cycle.count.rule"].search([("name", "=", "Broken")]))
