from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

START = date(2026, 1, 5)  # a Monday
DAYS = 91  # 13 weeks


@tagged("post_install", "-at_install")
class TestLearningLoop(CycleCountCase):
    """Three months of daily planning and counting: the apple juice is always
    short, blamed on receiving; every other item matches the book. Frequencies
    adapt per item; the analysis proposes counting after apple receipts, the
    warehouse more often, and coaching the counter on recounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.juice = cls.env["product.category"].create({"name": "Juices"})
        cls.product_apple.categ_id = cls.juice
        cls.receiving = cls.env.ref("cycle_count_planning.reason_receiving_error")
        cls.team = cls.env["cycle.count.team"].create(
            {
                "name": "Day shift",
                "leader_id": cls.supervisor.id,
                "member_ids": [Command.set(cls.counter.ids)],
            }
        )
        cls.rule = cls._create_rule(
            name="Adaptive fortnightly",
            frequency_days=14,
            adaptive_frequency=True,
            interval_min_days=7,
            interval_max_days=28,
            adaptive_window=3,
        )
        params = cls.env["ir.config_parameter"].sudo()
        # A small world: a week's hit rate counts from one line.
        params.set_param("cycle_count_dashboard.proposal_warehouse_min_lines", 1)
        params.set_param("cycle_count_dashboard.proposal_recount_min_lines", 3)

    def _day(self, day, rules):
        """Plan ``day`` and count what it planned: apple one short (a receiving
        error), the rest as the books; every other task is a recount."""
        with freeze_time(f"{day} 10:00:00"):
            tasks = self.env["cycle.count.planner"]._plan(rules, today=day)
            for task in tasks.filtered(lambda t: t.scheduled_date == day):
                if day.toordinal() % 2:
                    # Sent back by a reviewer (what approval does on reject).
                    task.sudo().is_recount = True
                for line in task.with_user(task.user_id).line_ids:
                    book = sum(
                        self.env["stock.quant"]
                        .search(
                            [
                                ("product_id", "=", line.sudo().product_id.id),
                                ("location_id", "=", line.sudo().location_id.id),
                                ("lot_id", "=", line.sudo().lot_id.id),
                            ]
                        )
                        .mapped("quantity")
                    )
                    short = line.sudo().product_id == self.product_apple
                    line.counted_qty = book - 1 if short else book
                    if short:
                        line.reason_id = self.receiving
                task.with_user(task.user_id).action_mark_counted()
                if task.state == "counted":
                    task._action_done()
        return tasks

    def _lines(self, product):
        return self.env["cycle.count.line"].search(
            [("product_id", "=", product.id), ("rule_ids", "in", self.rule.ids)],
            order="due_date",
        )

    def test_three_months(self):
        Proposal = self.env["cycle.count.proposal"]
        proposals = Proposal
        for offset in range(DAYS):
            day = START + timedelta(days=offset)
            self._day(day, self.rule)
            if day.weekday() == 0:
                with freeze_time(f"{day} 23:00:00"):
                    proposals |= Proposal._analyse(self.company, today=day)
        # Frequencies adapted per item: the apple at the minimum, the bolt
        # relaxed to the maximum.
        apple = self._lines(self.product_apple)
        bolt = self._lines(self.product_bolt)
        self.assertEqual(apple[0].planned_interval, 14)
        self.assertEqual(apple[-1].planned_interval, 7)
        self.assertEqual(bolt[-1].planned_interval, 28)
        self.assertGreater(len(apple), 2 * len(bolt))
        self.assertEqual(
            apple[-1].interval_reason,
            "Every 7 days instead of 14: 3 miss(es) in the last 3 count(s).",
        )
        # Proposals appeared, once per subject.
        kinds = {p.kind: p for p in proposals}
        self.assertEqual(
            set(kinds), {"receiving", "warehouse_frequency", "counter_recounts"}
        )
        self.assertEqual(len(proposals), 3)
        receiving = kinds["receiving"]
        self.assertEqual(receiving.categ_id, self.juice)
        self.assertEqual(receiving.figure, 100.0)
        self.assertIn("were receiving errors", receiving.summary)
        warehouse = kinds["warehouse_frequency"]
        self.assertEqual(warehouse.warehouse_id, self.warehouse)
        self.assertLess(warehouse.figure, 95.0)
        coach = kinds["counter_recounts"]
        self.assertEqual(coach.user_id, self.counter)
        self.assertFalse(Proposal._analyse(self.company, today=day))

        # Accepted: the configuration is real and changes the plan.
        with self.assertRaises(AccessError):
            receiving.with_user(self.supervisor).action_accept()
        proposals.with_user(self.manager).action_accept()
        self.assertEqual(set(proposals.mapped("state")), {"accepted"})
        self.assertEqual(proposals.decided_uid, self.manager)
        trigger = receiving.trigger_id
        self.assertTrue(trigger.active)
        self.assertEqual(trigger.event_type, "receipt")
        self.assertEqual(trigger.product_category_ids, self.juice)
        new_rule = warehouse.rule_id
        self.assertEqual(new_rule.warehouse_ids, self.warehouse)
        self.assertEqual(new_rule.interval_days, 7)
        self.assertIn(self.supervisor.partner_id, coach.note_message_id.partner_ids)
        with self.assertRaises(UserError):
            receiving.with_user(self.manager).action_dismiss()
        # The figures still say so, but an accepted subject is not proposed again.
        self.assertFalse(Proposal._analyse(self.company, today=day))

        # A receipt of apple juice plans a count right away; the new rule
        # counts the bolt weekly.
        day = START + timedelta(days=DAYS)
        with freeze_time(f"{day} 08:00:00"):
            self._receive_picking(self.product_apple, self.bin_a, 5)
        event = self.env["cycle.count.event"].search([("trigger_id", "=", trigger.id)])
        self.assertEqual(event.product_id, self.product_apple)
        self.assertEqual(event.location_id, self.bin_a)
        tasks = self._day(day, self.rule | new_rule)
        planned = tasks.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        self.assertEqual(planned.event_ids, event)
        later = START + timedelta(days=DAYS + 8)
        tasks = self._day(later, self.rule | new_rule)
        bolt_line = tasks.line_ids.filtered(
            lambda line: line.product_id == self.product_bolt
        )
        self.assertIn(new_rule, bolt_line.rule_ids)
        self.assertEqual(bolt_line.planned_interval, 7)

    @classmethod
    def _receive_picking(cls, product, location, qty):
        """A receipt through the usual flow, put away in ``location``."""
        warehouse = location.warehouse_id
        suppliers = cls.env.ref("stock.stock_location_suppliers")
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": suppliers.id,
                "location_dest_id": location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": suppliers.id,
                            "location_dest_id": location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.quantity = qty
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    def test_access(self):
        proposal = self.env["cycle.count.proposal"].create(
            {
                "name": "Count Juices right after receipts",
                "kind": "receiving",
                "company_id": self.company.id,
                "categ_id": self.juice.id,
                "summary": "test",
            }
        )
        with self.assertRaises(AccessError):
            proposal.with_user(self.counter).read(["name"])
        with self.assertRaises(AccessError):
            self.env["cycle.count.proposal"].with_user(self.counter).action_analyse()
        self.assertEqual(
            proposal.with_user(self.supervisor).read(["name"])[0]["id"], proposal.id
        )
        with self.assertRaises(AccessError):
            proposal.with_user(self.supervisor).action_dismiss()
        with self.assertRaises(AccessError):
            self.env["cycle.count.proposal"].with_user(self.supervisor).action_analyse()
        proposal.with_user(self.manager).action_dismiss()
        self.assertEqual(proposal.state, "dismissed")
        # A dismissed subject may be proposed again by a later analysis.
        again = self.env["cycle.count.proposal"].create(
            {
                "name": "Count Juices right after receipts",
                "kind": "receiving",
                "company_id": self.company.id,
                "categ_id": self.juice.id,
            }
        )
        self.assertEqual(again.state, "proposed")
