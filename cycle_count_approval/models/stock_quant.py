from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.cycle_count_planning.models.cycle_count_line import REVIEWER_GROUPS
from odoo.addons.cycle_count_planning.models.cycle_count_planner import (
    OPEN_TASK_STATES,
)

# A variance is pending while it waits for approval or, approved before 18.0.2,
# still has to be applied to stock.
PENDING_STATES = ("to_approve", "recount", "approved")


class StockQuant(models.Model):
    _inherit = "stock.quant"

    cycle_count_pending_qty = fields.Float(
        string="Pending Variance",
        digits="Product Unit of Measure",
        compute="_compute_cycle_count_pending",
        groups=REVIEWER_GROUPS,
        help="The difference a cycle count found for this item that waits for "
        "approval (or, approved, to be applied to stock).",
    )
    cycle_count_pending_value = fields.Float(
        string="Pending Variance Value",
        digits="Product Price",
        compute="_compute_cycle_count_pending",
        groups=REVIEWER_GROUPS,
    )

    def _compute_cycle_count_pending(self):
        """One read_group for the whole page."""
        groups = self.env["cycle.count.adjustment.line"]._read_group(
            [
                ("adjustment_id.state", "in", PENDING_STATES),
                ("location_id", "in", self.location_id.ids),
                ("product_id", "in", self.product_id.ids),
            ],
            ["location_id", "product_id", "lot_id", "package_id", "owner_id"],
            ["difference_qty:sum", "variance_value:sum"],
        )
        pending = {
            (loc.id, product.id, lot.id, package.id, owner.id): (qty, value)
            for loc, product, lot, package, owner, qty, value in groups
        }
        for quant in self:
            quant.cycle_count_pending_qty, quant.cycle_count_pending_value = (
                pending.get(
                    (
                        quant.location_id.id,
                        quant.product_id.id,
                        quant.lot_id.id,
                        quant.package_id.id,
                        quant.owner_id.id,
                    ),
                    (0.0, 0.0),
                )
            )

    # ------------------------------------------------------------------
    # Odoo's inventory adjustment while a cycle count variance is pending
    # ------------------------------------------------------------------
    def _apply_inventory(self):
        """Refuse Odoo's own inventory adjustment (inventory mode *Apply*, the
        Apply wizard, the conflict wizard, an RPC call of action_apply_inventory)
        of an item whose cycle count found a difference not yet applied to
        stock: applying both would correct the item twice (10 on hand, 8
        counted, adjusted to 8, then the approved -2 applied: 6). Refused rather
        than superseding the variance: the variance is under the approval of its
        tiers, and an inventory user's *Apply* must not be a way around them."""
        self._check_no_pending_cycle_count()
        return super()._apply_inventory()

    def _check_no_pending_cycle_count(self):
        """Raise when one of these quants' items holds a counted difference in
        an open task (counted, waiting for approval or being applied)."""
        quants = self
        if not quants:
            return
        # sudo: an inventory user must be told which task holds the item,
        # whatever cycle count records they may read.
        lines = (
            self.env["cycle.count.line"]
            .sudo()
            .search(
                [
                    ("state", "in", OPEN_TASK_STATES),
                    ("is_counted", "=", True),
                    ("has_difference", "=", True),
                    ("product_id", "in", quants.product_id.ids),
                    ("location_id", "in", quants.location_id.ids),
                ]
            )
        )
        pending = {line._item_values(): line for line in lines}
        for quant in quants:
            line = pending.get(
                (
                    quant.product_id.id,
                    quant.location_id.id,
                    quant.lot_id.id or 0,
                    quant.package_id.id or 0,
                    quant.owner_id.id or 0,
                )
            )
            if line:
                raise UserError(
                    self.env._(
                        "%(item)s cannot be adjusted here: cycle count task "
                        "%(task)s found a difference of it that is not applied to "
                        "stock yet (approval pending). Applying both would correct "
                        "the item twice: approve or reject that variance first.",
                        item=line._describe_item(line._item_values()),
                        task=line.task_id.name,
                    )
                )
