from odoo import api, fields, models
from odoo.exceptions import UserError


class CycleCountAdjustment(models.Model):
    _inherit = "cycle.count.adjustment"

    account_move_ids = fields.Many2many(
        "account.move", compute="_compute_account_move_ids", string="Journal Entries"
    )
    account_move_count = fields.Integer(compute="_compute_account_move_ids")

    @api.depends("move_ids.account_move_ids")
    def _compute_account_move_ids(self):
        for adjustment in self:
            # Entries follow the moves; who may open them is checked by the
            # journal entries' own access rights when they are opened.
            entries = adjustment.sudo().move_ids.account_move_ids
            adjustment.account_move_ids = entries
            adjustment.account_move_count = len(entries)

    def _check_can_apply_to_stock(self):
        """Refuse before any stock moves while a company that values these
        products in real time has no gain or loss account: the entries would
        land on the stock interim accounts."""
        res = super()._check_can_apply_to_stock()
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
                        "(Cycle Count ‣ Variance Reports ‣ Gain and Loss Accounts) "
                        "before "
                        "approving variances: without them the entries would land on "
                        "the stock interim accounts.",
                        company=company.name,
                    )
                )
        return res

    def _get_applied_message(self, moves):
        return self.env._(
            "%(applied)s Journal entries posted: %(entries)s.",
            applied=super()._get_applied_message(moves),
            entries=len(moves.account_move_ids),
        )

    def action_view_journal_entries(self):
        self.ensure_one()
        # An action names the record: only for who may read it.
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_journal_line"
        )
        action["domain"] = [("id", "in", self.account_move_ids.ids)]
        action["context"] = {}
        if len(self.account_move_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.account_move_ids.id
        return action
