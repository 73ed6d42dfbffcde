from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare


class CycleCountAdjustment(models.Model):
    _inherit = "cycle.count.adjustment"

    move_ids = fields.One2many(
        "stock.move", "cycle_count_adjustment_id", string="Stock Moves", readonly=True
    )
    move_count = fields.Integer(compute="_compute_move_count")
    account_move_ids = fields.Many2many(
        "account.move", compute="_compute_account_move_ids", string="Journal Entries"
    )
    account_move_count = fields.Integer(compute="_compute_account_move_ids")

    @api.depends("move_ids")
    def _compute_move_count(self):
        for adjustment in self:
            adjustment.move_count = len(adjustment.move_ids)

    @api.depends("move_ids.account_move_ids")
    def _compute_account_move_ids(self):
        for adjustment in self:
            # Entries follow the moves; who may open them is checked by the
            # journal entries' own access rights when they are opened.
            entries = adjustment.sudo().move_ids.account_move_ids
            adjustment.account_move_ids = entries
            adjustment.account_move_count = len(entries)

    def _on_approved(self):
        res = super()._on_approved()
        self._post()
        return res

    def action_post(self):
        """Post an approved adjustment by hand: one approved before this addon was
        installed (since, approval posts at once, or is refused)."""
        if not self.env.user.has_group(
            "cycle_count_planning.group_cycle_count_finance"
        ):
            raise AccessError(
                self.env._("Only a finance manager can post a cycle count adjustment.")
            )
        if any(adjustment.state != "approved" for adjustment in self):
            raise UserError(self.env._("Only approved adjustments can be posted."))
        self.sudo()._post()
        return True

    def _check_accounts(self):
        real_time = self.line_ids.filtered(
            lambda line: (
                line.product_id.with_company(
                    line.company_id
                ).categ_id.property_valuation
                == "real_time"
            )
        )
        for company in real_time.company_id:
            if not (
                company.cycle_count_gain_account_id
                and company.cycle_count_loss_account_id
            ):
                raise UserError(
                    self.env._(
                        "Set the inventory gain and loss accounts of %(company)s "
                        "(Inventory ‣ Configuration ‣ Settings ‣ Cycle Count) before "
                        "approving variances: without them the entries would land on "
                        "the stock interim accounts.",
                        company=company.name,
                    )
                )

    def _post(self):
        """Correct stock by the approved differences and let Odoo's valuation post
        the journal entries. Applying the difference (not the counted quantity)
        keeps right whatever moved between the count and the approval."""
        self._check_accounts()
        # Posting is the system's work once the approval is recorded (the reviews
        # keep who approved): Odoo's average costing reads stock moves with the
        # current user's rights, which the last approver may not have.
        for adjustment in self.with_user(SUPERUSER_ID):
            adjustment = adjustment.with_company(adjustment.company_id)
            vals_list = [
                line._prepare_stock_move_vals()
                for line in adjustment.line_ids
                if float_compare(
                    line.difference_qty,
                    0.0,
                    precision_rounding=line.product_id.uom_id.rounding,
                )
            ]
            moves = adjustment.env["stock.move"].create(vals_list)
            moves._action_done()
            adjustment._action_posted()
            adjustment.message_post(
                body=self.env._(
                    "Posted: %(moves)s stock move(s) and %(entries)s journal entr(y/ies).",
                    moves=len(moves),
                    entries=len(moves.account_move_ids),
                )
            )

    def action_view_stock_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.stock_move_action"
        )
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {}
        return action

    def action_view_journal_entries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_journal_line"
        )
        action["domain"] = [("id", "in", self.account_move_ids.ids)]
        action["context"] = {}
        if len(self.account_move_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.account_move_ids.id
        return action


class CycleCountAdjustmentLine(models.Model):
    _inherit = "cycle.count.adjustment.line"

    def _prepare_stock_move_vals(self):
        """An inventory move between the item and the inventory-loss location, the
        way stock.quant._get_inventory_move_values builds one."""
        self.ensure_one()
        company = self.adjustment_id.company_id
        product = self.product_id.with_company(company)
        inventory_location = product.property_stock_inventory
        quantity = abs(self.difference_qty)
        gain = self.difference_qty > 0
        source = inventory_location if gain else self.location_id
        destination = self.location_id if gain else inventory_location
        return {
            "name": self.env._(
                "Cycle count %(adjustment)s", adjustment=self.adjustment_id.name
            ),
            "origin": self.adjustment_id.task_id.name,
            "product_id": product.id,
            "product_uom": product.uom_id.id,
            "product_uom_qty": quantity,
            "company_id": company.id,
            "state": "confirmed",
            "location_id": source.id,
            "location_dest_id": destination.id,
            "restrict_partner_id": self.owner_id.id,
            "is_inventory": True,
            "picked": True,
            "price_unit": self.unit_cost,
            "cycle_count_adjustment_line_id": self.id,
            "move_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_id": product.uom_id.id,
                        "quantity": quantity,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "company_id": company.id,
                        "lot_id": self.lot_id.id,
                        "package_id": False if gain else self.package_id.id,
                        "result_package_id": self.package_id.id if gain else False,
                        "owner_id": self.owner_id.id,
                    }
                )
            ],
        }
