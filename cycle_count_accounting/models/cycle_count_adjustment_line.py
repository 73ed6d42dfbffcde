from odoo import api, fields, models


class CycleCountAdjustmentLine(models.Model):
    _inherit = "cycle.count.adjustment.line"

    liable_partner_id = fields.Many2one(
        "res.partner",
        string="Liable Person",
        help="Two-step posting: who is liable for this loss (its reason's decision "
        "is *someone is liable*); the loss is cleared to other receivables on "
        "this partner.",
    )
    cycle_count_decision = fields.Selection(
        related="reason_id.cycle_count_decision", string="Loss Decision"
    )

    @api.model
    def _get_editable_fields(self):
        # Finance names the liable person while deciding, as the reason.
        return [*super()._get_editable_fields(), "liable_partner_id"]

    def _get_variance_account(self):
        """The account the difference of this variance goes to, opposite the
        stock: the company's inventory gain or loss account; in a company that
        posts through suspense (two-step), its suspense account (step one;
        step two clears it, ``_get_decision_account``)."""
        self.ensure_one()
        company = self.company_id
        if company.cycle_count_two_step:
            return company.cycle_count_suspense_account_id
        if self.difference_qty > 0:
            return company.cycle_count_gain_account_id
        return company.cycle_count_loss_account_id

    def _get_decision_account(self):
        """Step two: the account the suspense of this variance is cleared to."""
        self.ensure_one()
        company = self.company_id
        if self.difference_qty > 0:
            return company.cycle_count_gain_clearing_account_id
        decision = self.reason_id.cycle_count_decision or "normal"
        return {
            "normal": company.cycle_count_normal_loss_account_id,
            "liable": company.cycle_count_liable_account_id,
            "abnormal": company.cycle_count_abnormal_loss_account_id,
        }[decision]

    def _is_booked(self):
        """Whether this variance has an entry of its own: its product is valued
        in real time (Odoo posts it), or at periodic valuation in a company that
        books those (``cycle_count_periodic_booking``)."""
        self.ensure_one()
        product = self.product_id.with_company(self.company_id)
        if product.categ_id.property_valuation == "real_time":
            return True
        return self.company_id.cycle_count_periodic_booking

    def _prepare_reversal_move_vals(self, move):
        """The inventory move undoing ``move`` (this variance's move of step
        one): the same quantity back, at the unit cost it was valued at, so
        that the suspense it moved comes back to zero."""
        self.ensure_one()
        vals = self._prepare_stock_move_vals()
        # The opposite direction: swap the two ends, on the move and its line.
        swapped = {
            "location_id": vals["location_dest_id"],
            "location_dest_id": vals["location_id"],
        }
        vals.update(swapped)
        for command in vals.get("move_line_ids") or []:
            line_vals = command[2]
            line_vals.update(swapped)
            if "package_id" in line_vals or "result_package_id" in line_vals:
                line_vals["package_id"], line_vals["result_package_id"] = (
                    line_vals.get("result_package_id"),
                    line_vals.get("package_id"),
                )
        layers = move.stock_valuation_layer_ids
        quantity = sum(layers.mapped("quantity"))
        if quantity:
            vals["price_unit"] = abs(sum(layers.mapped("value")) / quantity)
        vals["name"] = self.env._(
            "Reversal of %(move)s (rejected after the count was confirmed)",
            move=move.name,
        )
        return vals
