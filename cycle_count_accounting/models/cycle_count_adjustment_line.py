from collections import defaultdict

from odoo import models
from odoo.tools import float_is_zero


class CycleCountAdjustmentLine(models.Model):
    _inherit = "cycle.count.adjustment.line"

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
