from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import float_is_zero


class CycleCountAdjustmentLine(models.Model):
    _inherit = "cycle.count.adjustment.line"

    liable_partner_id = fields.Many2one(
        "res.partner",
        string="Liable Person",
        help="Two-step posting: who is liable for this loss (its reason's decision "
        "is *someone is liable*); the loss is cleared to other receivables on "
        "this partner.",
    )
    # Computed, not related: a related field on a field that this addon adds to
    # a planning model breaks a registry rebuilt from planning alone (the
    # planner-hook test's fake bridge).
    cycle_count_decision = fields.Selection(
        selection=lambda self: (
            self.env["cycle.count.reason"]
            ._fields["cycle_count_decision"]
            ._description_selection(self.env)
        ),
        string="Loss Decision",
        compute="_compute_cycle_count_decision",
    )

    @api.depends("reason_id")
    def _compute_cycle_count_decision(self):
        for line in self:
            line.cycle_count_decision = line.reason_id.cycle_count_decision

    @api.model
    def _get_editable_fields(self):
        # Finance names the liable person while deciding, as the reason.
        return [*super()._get_editable_fields(), "liable_partner_id"]

    def _is_gain(self):
        self.ensure_one()
        return self.difference_qty > 0

    def _get_variance_account(self):
        """The account the difference goes to: the gain account for a gain, the
        loss account for a loss — the reason's (per company), then the
        company's, then the inventory-loss location's own valuation account,
        as Odoo's stock.move would take it; an empty recordset when none."""
        self.ensure_one()
        company = self.adjustment_id.company_id
        if company.cycle_count_two_step:
            # Two-step posting: step one holds the difference in suspense
            # (step two clears it, _get_decision_account).
            return company.cycle_count_suspense_account_id
        reason = self.reason_id.with_company(company)
        location = self.product_id.with_company(company).property_stock_inventory
        if self._is_gain():
            return (
                reason.cycle_count_gain_account_id
                or company.cycle_count_gain_account_id
                or location.valuation_out_account_id
            )
        return (
            reason.cycle_count_loss_account_id
            or company.cycle_count_loss_account_id
            or location.valuation_in_account_id
        )

    def _get_variance_analytic_distribution(self):
        """The analytic distribution of the gain / loss line: the warehouse's,
        combined with the reason's analytic account (which replaces the
        warehouse's accounts of its own plan); False when neither is set."""
        self.ensure_one()
        company = self.adjustment_id.company_id
        distribution = dict(
            self.adjustment_id.warehouse_id.cycle_count_analytic_distribution or {}
        )
        account = self.reason_id.with_company(company).cycle_count_analytic_account_id
        if not account:
            return distribution or False
        if not distribution:
            return {str(account.id): 100.0}
        Analytic = self.env["account.analytic.account"]
        root_plan = account.root_plan_id
        combined = {}
        for key, percentage in distribution.items():
            ids = [
                analytic.id
                for analytic in Analytic.browse([int(i) for i in key.split(",")])
                if analytic.root_plan_id != root_plan
            ]
            new_key = ",".join(str(i) for i in [*ids, account.id])
            combined[new_key] = combined.get(new_key, 0.0) + percentage
        return combined

    def _get_posting_values(self):
        """What Odoo's valuation will post for each variance (stock_account):

        - a lot-valued product (``lot_valuated``) at its lot's cost;
        - a FIFO loss from the layers it will consume: the company's remaining
          layers of the product (and lot, when lot-valued), oldest first, each
          taken at its remaining unit value and rounded per layer as
          ``_run_fifo`` does, after this report's gains of the product (Odoo
          values the incoming moves first), the lines in the order they are
          applied; beyond the layers, at the last layer's (else the product's)
          cost;
        - everything else (standard, average, FIFO gains) at the cost core
          posts: the product's cost (the gain's move carries it as its price).

        One search of the layers for all FIFO losses."""
        values = super()._get_posting_values()
        lot_valued = self.filtered(
            lambda line: (
                line.lot_id
                and line.product_id.lot_valuated
                and line.lot_id.standard_price
            )
        )
        for line in lot_valued:
            unit = line.lot_id.with_company(line.company_id).standard_price
            values[line.id] = (unit, line.currency_id.round(line.difference_qty * unit))
        fifo = self.filtered(
            lambda line: (
                line.product_id.with_company(line.company_id).cost_method == "fifo"
            )
        )
        losses = fifo.filtered(lambda line: line.difference_qty < 0)
        if not losses:
            return values

        def key(record, product):
            lot = record.lot_id.id if product.lot_valuated else False
            return (product.id, lot or False, record.company_id.id)

        # sudo: the layers are read to value the variance, whoever approves.
        layers = (
            self.env["stock.valuation.layer"]
            .sudo()
            .search(
                [
                    ("product_id", "in", losses.product_id.ids),
                    ("remaining_qty", ">", 0),
                    ("company_id", "in", losses.company_id.ids),
                ],
                order="create_date, id",
            )
        )
        queues = defaultdict(list)
        for layer in layers:
            queues[key(layer, layer.product_id)].append(
                [layer.remaining_qty, layer.remaining_value]
            )
        for line in fifo - losses:
            unit, value = values[line.id]
            queues[key(line, line.product_id)].append([line.difference_qty, value])
        for line in losses:
            product = line.product_id.with_company(line.company_id)
            rounding = product.uom_id.rounding
            currency = line.currency_id
            queue = queues[key(line, product)]
            to_take = -line.difference_qty
            total = 0.0
            last_unit = 0.0
            while queue and not float_is_zero(to_take, precision_rounding=rounding):
                layer = queue[0]
                taken = min(to_take, layer[0])
                last_unit = layer[1] / layer[0]
                value = currency.round(taken * last_unit)
                layer[0] -= taken
                layer[1] -= value
                total += value
                to_take -= taken
                if float_is_zero(layer[0], precision_rounding=rounding):
                    queue.pop(0)
            if not float_is_zero(to_take, precision_rounding=rounding):
                total += to_take * (last_unit or product.standard_price)
            total = currency.round(total)
            values[line.id] = (total / -line.difference_qty, -total)
        return values

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
