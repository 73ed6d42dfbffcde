from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import fields, models
from odoo.exceptions import UserError


class CycleCountAdjustment(models.Model):
    _inherit = "cycle.count.adjustment"

    account_move_ids = fields.Many2many(
        "account.move", compute="_compute_account_move_ids", string="Journal Entries"
    )
    account_move_count = fields.Integer(compute="_compute_account_move_ids")

    def _compute_account_move_ids(self):
        # Entries name their report; who may open them is checked by the
        # journal entries' own access rights when they are opened.
        groups = dict(
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("cycle_count_adjustment_id", "in", self.ids)],
                ["cycle_count_adjustment_id"],
                ["id:array_agg"],
            )
        )
        for adjustment in self:
            entries = self.env["account.move"].browse(groups.get(adjustment, []))
            adjustment.account_move_ids = entries
            adjustment.account_move_count = len(entries)

    # ------------------------------------------------------------------
    # Checks before anything is applied
    # ------------------------------------------------------------------
    def _get_real_time_lines(self):
        return self._get_lines_to_apply().filtered(
            lambda line: (
                line.product_id.with_company(
                    line.company_id
                ).categ_id.property_valuation
                == "real_time"
            )
        )

    def _check_can_apply_to_stock(self):
        """Refuse before any stock moves: a real-time valued variance without
        a gain or loss account (reason, company, inventory-loss location), or
        an entry date inside a lock date under the *refuse* policy."""
        res = super()._check_can_apply_to_stock()
        for adjustment in self:
            missing = adjustment._get_real_time_lines().filtered(
                lambda line: not line._get_variance_account()
            )
            if missing:
                line = missing[0]
                raise UserError(
                    self.env._(
                        "%(report)s cannot be applied: no %(kind)s account for "
                        "%(product)s (reason: %(reason)s). Set the inventory "
                        "gain and loss accounts of the reason or of %(company)s "
                        "(Cycle Count ‣ Variance Reports ‣ Gain and Loss "
                        "Accounts) before approving variances: without them the "
                        "entries would land on the stock interim accounts.",
                        report=adjustment.name,
                        kind=self.env._("gain")
                        if line._is_gain()
                        else self.env._("loss"),
                        product=line.product_id.display_name,
                        reason=line.reason_id.name or self.env._("none"),
                        company=adjustment.company_id.name,
                    )
                )
            if adjustment._get_real_time_lines():
                # Raises under the refuse policy.
                adjustment._get_entry_date()
        return res

    # ------------------------------------------------------------------
    # Entry date and lock dates
    # ------------------------------------------------------------------
    def _get_entry_base_date(self):
        """The date the company's setting gives: the day the task was marked
        counted, or the day of the final approval (today while approving)."""
        self.ensure_one()
        if self.company_id.cycle_count_entry_date == "count":
            moment = self.task_id.date_counted or self.create_date
        else:
            moment = self.date_approved or fields.Datetime.now()
        return fields.Date.context_today(self, timestamp=moment)

    def _get_entry_journals(self):
        self.ensure_one()
        categories = (
            self._get_real_time_lines()
            .product_id.with_company(self.company_id)
            .categ_id
        )
        return categories.property_stock_journal

    def _entry_has_tax(self):
        """Hook: whether the entry carries taxes (then the tax lock date also
        applies, as Odoo checks it); the variance entry has none."""
        return False

    def _get_entry_lock_violations(self, date):
        self.ensure_one()
        company = self.company_id
        journals = self._get_entry_journals() or self.env["account.journal"]
        violations = set()
        for journal in journals or [journals]:
            violations.update(
                company._get_violated_lock_dates(date, self._entry_has_tax(), journal)
            )
        return sorted(violations)

    def _get_entry_date(self):
        """The date of the report's entry and of its stock moves: the setting's
        date, or — inside a lock date — refused (policy *refuse*, a clear
        message) or the first open date (policy *next_open*); never re-dated
        silently by the posting (odoo/odoo#229063)."""
        self.ensure_one()
        date = self._get_entry_base_date()
        violations = self._get_entry_lock_violations(date)
        if not violations:
            return date
        if self.company_id.cycle_count_lock_date_policy == "next_open":
            return violations[-1][0] + timedelta(days=1)
        raise UserError(
            self.env._(
                "%(report)s cannot be posted on %(date)s: the period is locked "
                "(%(locks)s). Ask finance to reopen it, or to set the lock date "
                "policy of %(company)s to post on the first open date.",
                report=self.name,
                date=fields.Date.to_string(date),
                locks=self.company_id._format_lock_dates(violations),
                company=self.company_id.name,
            )
        )

    # ------------------------------------------------------------------
    # Applying: one journal entry per report
    # ------------------------------------------------------------------
    def _apply_lines(self, lines):
        """The layers of these moves get no entry each (see
        stock.valuation.layer._validate_accounting_entries): the report's one
        entry is built once all of it is applied, even across background
        chunks. The moves take the entry's date."""
        moves = super(
            CycleCountAdjustment, self.with_context(cycle_count_defer_entry=True)
        )._apply_lines(lines)
        date = self._get_entry_date() if self._get_real_time_lines() else False
        if date and date != fields.Date.context_today(self):
            # Noon UTC keeps the calendar date in any time zone within ±12 h.
            moment = datetime.combine(date, time(12))
            moves.write({"date": moment})
            moves.move_line_ids.write({"date": moment})
        return moves.with_context(cycle_count_defer_entry=False)

    def _finish_apply(self, moves):
        self._post_variance_entry()
        return super()._finish_apply(moves)

    def _get_entry_layers(self):
        """The report's valuation layers still without an entry, which Odoo
        would post one entry each for (real-time valuation, a value)."""
        self.ensure_one()
        layers = (
            self.env["stock.valuation.layer"]
            .sudo()
            .search(
                [
                    ("stock_move_id.cycle_count_adjustment_id", "=", self.id),
                    ("account_move_id", "=", False),
                ],
                order="id",
            )
        )
        return layers.filtered(
            lambda layer: (
                layer.with_company(layer.company_id).product_id.valuation == "real_time"
                and not layer.currency_id.is_zero(layer.value)
            )
        )

    def _post_variance_entry(self):
        """Post ONE journal entry for this report: the entries Odoo's valuation
        would make per layer (``_account_entry_move``, with our accounts and
        analytic), merged per product, account, analytic and side, dated by
        ``_get_entry_date``, every layer linked to it."""
        self.ensure_one()
        layers = self._get_entry_layers()
        if not layers:
            return self.env["account.move"]
        date = self._get_entry_date()
        moves = layers.stock_move_id
        directions = moves._get_move_directions()
        am_vals = []
        for layer in layers:
            am_vals += (
                layer.stock_move_id.with_company(layer.company_id)
                .with_context(move_directions=directions, force_period_date=date)
                ._account_entry_move(
                    layer.quantity, layer.description, layer.id, layer.value
                )
            )
        # One entry per journal (the categories' stock journal: one, usually).
        per_journal = defaultdict(list)
        for vals in am_vals:
            per_journal[vals["journal_id"]].append(vals)
        entries_vals = [
            self._merge_entry_vals(journal_id, vals_list, date)
            for journal_id, vals_list in per_journal.items()
        ]
        # Posting the valuation is the system's work once approved, as core's
        # _validate_accounting_entries does it.
        entries = self.env["account.move"].sudo().create(entries_vals)
        entries._post()
        self.invalidate_recordset(["account_move_ids", "account_move_count"])
        return entries

    def _merge_entry_vals(self, journal_id, vals_list, date):
        merged = {}
        layer_ids = []
        for vals in vals_list:
            for svl_command in vals.get("stock_valuation_layer_ids", []):
                layer_ids += svl_command[2]
            for _command, _id, line in vals["line_ids"]:
                key = (
                    line["account_id"],
                    line["product_id"],
                    str(sorted((line.get("analytic_distribution") or {}).items())),
                    line.get("partner_id"),
                    line["balance"] > 0,
                )
                if key in merged:
                    merged[key]["balance"] += line["balance"]
                    merged[key]["quantity"] += line["quantity"]
                else:
                    product = self.env["product.product"].browse(line["product_id"])
                    merged[key] = {
                        **line,
                        "name": f"{self.name} - {product.display_name}",
                        "ref": self.name,
                    }
        return {
            "journal_id": journal_id,
            "date": date,
            "ref": self.name,
            "move_type": "entry",
            "company_id": self.company_id.id,
            "cycle_count_adjustment_id": self.id,
            "stock_valuation_layer_ids": [fields.Command.set(layer_ids)],
            "line_ids": [fields.Command.create(line) for line in merged.values()],
        }

    def _get_applied_message(self, moves):
        message = self.env._(
            "%(applied)s Journal entries posted: %(entries)s.",
            applied=super()._get_applied_message(moves),
            entries=len(self.account_move_ids),
        )
        entry = self.account_move_ids[:1]
        if entry and entry.date != self._get_entry_base_date():
            message += " " + self.env._(
                "The period of %(date)s is locked: the entry and the stock "
                "moves are dated %(entry_date)s, the first open date.",
                date=fields.Date.to_string(self._get_entry_base_date()),
                entry_date=fields.Date.to_string(entry.date),
            )
        return message

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
