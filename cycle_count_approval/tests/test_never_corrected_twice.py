import json
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import (
    CycleCountCase,
    CycleCountTestMixin,
)

from .common import use_periodic_category


class NeverTwiceMixin:
    def _on_hand(self, product, location):
        return self.env["stock.quant"]._get_available_quantity(
            product, location, strict=True, allow_negative=True
        )

    def _apple_quant(self):
        return self.env["stock.quant"].search(
            [
                ("product_id", "=", self.product_apple.id),
                ("location_id", "=", self.bin_a.id),
            ]
        )

    def _pending_apple(self):
        """10 apples on hand, 8 counted: a variance of -2 waits for approval."""
        task = self._counted_task(apple=8)
        self.assertEqual(task.adjustment_ids.state, "to_approve")
        return task.adjustment_ids


@tagged("post_install", "-at_install")
class TestNeverCorrectedTwice(NeverTwiceMixin, CycleCountCase):
    """Issue 10, option (b): Odoo's inventory adjustment of an item whose count
    difference is pending is refused (README: why), and approval never applies a
    difference the stock already reflects."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_periodic_category(cls)

    def test_inventory_mode_apply_is_refused_while_pending(self):
        """The UI path: inventory mode, set the quantity, *Apply*."""
        self._pending_apple()
        quant = self._apple_quant()
        quant.with_context(inventory_mode=True).inventory_quantity = 8
        with self.assertRaisesRegex(UserError, "correct the item twice"):
            quant.action_apply_inventory()
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)

    def test_apply_wizard_is_refused_while_pending(self):
        """The Apply wizard (several quants at once, a reference)."""
        self._pending_apple()
        quants = self._apple_quant().with_context(inventory_mode=True)
        quants.inventory_quantity = 8
        wizard = self.env["stock.inventory.adjustment.name"].create(
            {"quant_ids": [(6, 0, quants.ids)], "inventory_adjustment_name": "Fix"}
        )
        with self.assertRaisesRegex(UserError, "Apple Juice"):
            wizard.action_apply()
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)

    def test_other_items_and_decided_variances_adjust_as_usual(self):
        adjustment = self._pending_apple()
        bolt = self.env["stock.quant"].search(
            [("product_id", "=", self.product_bolt.id)]
        )
        bolt.with_context(inventory_mode=True).inventory_quantity = 49
        bolt.action_apply_inventory()
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 49)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        quant = self._apple_quant().with_context(inventory_mode=True)
        quant.inventory_quantity = 7
        quant.action_apply_inventory()
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 7)

    def test_approval_never_applies_what_stock_already_reflects(self):
        """The landed main's failure: 10 on hand, 8 counted; the shortfall is
        corrected in stock after the count (here an inventory move made past
        the check, as main's inventory mode did); approving then applied -2
        again: 6 on hand and the loss booked twice. Now the approval is refused
        and the stock stays 8."""
        adjustment = self._pending_apple()
        # Datetimes are kept to the second: the count a second before the
        # correction, as on any real floor (a test runs both in one second).
        for line in adjustment.line_ids.sudo():
            line.counted_at -= timedelta(seconds=1)
        self._move(
            self.product_apple,
            self.bin_a,
            self.product_apple.property_stock_inventory,
            2,
            inventory=True,
        )
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 8)
        with self.assertRaisesRegex(UserError, "correct it twice"):
            adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 8)
        self.assertFalse(adjustment.move_ids)

    def test_ordinary_moves_after_the_count_still_apply(self):
        adjustment = self._pending_apple()
        self._ship(self.product_apple, self.bin_a, 3)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 5)


@tagged("post_install", "-at_install")
class TestNeverCorrectedTwiceApi(NeverTwiceMixin, CycleCountTestMixin, HttpCase):
    """The API path: the same adjustment called over XML-RPC and JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        use_periodic_category(cls)
        cls.manager.groups_id |= cls.env.ref("stock.group_stock_manager")

    def test_rpc_apply_inventory_is_refused_while_pending(self):
        self._pending_apple()
        quant = self._apple_quant()
        quant.with_context(inventory_mode=True).inventory_quantity = 8
        self.env.flush_all()
        with self.assertRaisesRegex(Exception, "correct the item twice"):
            self.xmlrpc_object.execute(
                self.env.cr.dbname,
                self.manager.id,
                "cc_manager",
                "stock.quant",
                "action_apply_inventory",
                [quant.id],
            )
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)

    def test_jsonrpc_apply_inventory_is_refused_while_pending(self):
        self._pending_apple()
        quant = self._apple_quant()
        quant.with_context(inventory_mode=True).inventory_quantity = 8
        self.env.flush_all()
        self.authenticate("cc_manager", "cc_manager")
        response = self.url_open(
            "/web/dataset/call_kw/stock.quant/action_apply_inventory",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "stock.quant",
                        "method": "action_apply_inventory",
                        "args": [[quant.id]],
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertEqual(response["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.assertIn("correct the item twice", response["error"]["data"]["message"])
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)
