from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import SUPERUSER_ID, fields, models
from odoo.exceptions import UserError

# The numbering of the two documents, per company and year: 盘盈单 (PanYing) and
# 盘亏报损单 (PanKui).
DOCUMENT_SEQUENCES = {
    "gain": ("cycle.count.gain.receipt", "PY%(range_year)s-"),
    "loss": ("cycle.count.loss.report", "PK%(range_year)s-"),
}
DOCUMENT_REPORTS = {
    "gain": "cycle_count_accounting.action_report_cycle_count_gain_receipt",
    "loss": "cycle_count_accounting.action_report_cycle_count_loss_report",
}


class CycleCountAdjustment(models.Model):
    _inherit = "cycle.count.adjustment"

    account_move_ids = fields.Many2many(
        "account.move", compute="_compute_account_move_ids", string="Journal Entries"
    )
    account_move_count = fields.Integer(compute="_compute_account_move_ids")
    linked_account_move_ids = fields.One2many(
        "account.move",
        "cycle_count_adjustment_id",
        string="Linked Journal Entries",
        readonly=True,
    )
    suspense_state = fields.Selection(
        [
            ("in_suspense", "In Suspense"),
            ("cleared", "Cleared"),
            ("reversed", "Reversed"),
        ],
        readonly=True,
        copy=False,
        tracking=True,
        help="Two-step posting: the stock is corrected against the suspense "
        "account when the count is confirmed (in suspense), cleared to the "
        "accounts of the decisions on final approval, or reversed on rejection.",
    )
    suspense_date = fields.Datetime(
        string="In Suspense Since", readonly=True, copy=False
    )
    gain_document_number = fields.Char(
        string="Gain Receipt No.",
        readonly=True,
        copy=False,
        help="The number of its 盘盈单, given when applied to stock.",
    )
    loss_document_number = fields.Char(
        string="Loss Report No.",
        readonly=True,
        copy=False,
        help="The number of its 盘亏报损单, given when applied to stock.",
    )

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
        # Per report's company and product, not per line (the approver's click
        # on a report of thousands of lines).
        real_time = set()
        lines = self._get_lines_to_apply()
        for adjustment in self:
            products = (
                (lines & adjustment.line_ids)
                .product_id.with_company(adjustment.company_id)
                .filtered(
                    lambda product: product.categ_id.property_valuation == "real_time"
                )
            )
            real_time.update((adjustment.id, pid) for pid in products.ids)
        return lines.filtered(
            lambda line: (line.adjustment_id.id, line.product_id.id) in real_time
        )

    def _check_can_apply_to_stock(self):
        """Refuse before any stock moves: a real-time valued variance without
        a gain or loss account (reason, company, inventory-loss location), or
        an entry date inside a lock date under the *refuse* policy."""
        res = super()._check_can_apply_to_stock()
        # Two-step posting and periodic booking name what they miss first.
        self._check_two_step_accounts()
        self._check_periodic_booking_accounts()
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
        chunks. The moves take the entry's date.

        With the posting engine on (``cycle.count.posting.engine``), lines it
        covers are posted in bulk; any other goes to Odoo's path, with a note
        on the report naming why."""
        moves = self._apply_lines_by_engine(lines)
        if moves is not None:
            return moves
        moves = super(
            CycleCountAdjustment, self.with_context(cycle_count_defer_entry=True)
        )._apply_lines(lines)
        date = self._get_entry_date() if self._get_real_time_lines() else False
        if date and date != fields.Date.context_today(self):
            # Noon UTC keeps the calendar date in any time zone within ±12 h.
            moment = datetime.combine(date, time(12))
            moves.write({"date": moment})
            moves.move_line_ids.write({"date": moment})
        self._post_periodic_entry(moves)
        return moves.with_context(cycle_count_defer_entry=False)

    def _apply_lines_by_engine(self, lines):
        """The moves the engine posted for ``lines``, or None for Odoo's path
        (engine off, or a case it does not cover: then noted on the report)."""
        self.ensure_one()
        engine = self.env["cycle.count.posting.engine"]
        if not lines or not engine._is_enabled():
            return None
        reason = engine._get_fallback_reason(self, lines)
        moves = None
        if not reason:
            moves, reason = engine._post_lines(self, lines)
        if reason:
            self._note_engine_fallback(reason)
            return None
        return moves

    def _note_engine_fallback(self, reason):
        self.message_post(
            body=self.env._(
                "Posted through Odoo's inventory machinery, not the set-based "
                "posting engine: %(reason)s.",
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _finish_apply(self, moves):
        self._post_variance_entry()
        res = super()._finish_apply(moves)
        self._assign_document_numbers()
        self._attach_documents()
        return res

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
        engine = self.env["cycle.count.posting.engine"]
        if engine._is_enabled() and not engine._get_fallback_reason(
            self, self._get_lines_to_apply()
        ):
            # The same entry, its lines written in bulk.
            entries = engine._create_entries(self, entries_vals)
        else:
            # Posting the valuation is the system's work once approved, as
            # core's _validate_accounting_entries does it.
            entries = self.env["account.move"].sudo().create(entries_vals)
            entries._post()
        self.invalidate_recordset(["account_move_ids", "account_move_count"])
        return entries

    def _merge_entry_vals(self, journal_id, vals_list, date):
        merged = {}
        layer_ids = []
        # The products' names read together (not one query a line).
        names = {
            product.id: product.display_name
            for product in self.env["product.product"].browse(
                {
                    line["product_id"]
                    for vals in vals_list
                    for _command, _id, line in vals["line_ids"]
                }
            )
        }
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
                    merged[key] = {
                        **line,
                        "name": f"{self.name} - {names[line['product_id']]}",
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

    # ------------------------------------------------------------------
    # Two-step posting, periodic booking and the documents
    # ------------------------------------------------------------------
    def _get_cycle_count_journal(self):
        """The journal of the entries this report posts itself: the stock
        journal of its products' category, else a miscellaneous journal."""
        self.ensure_one()
        journal = (
            self.line_ids[:1]
            .product_id.with_company(self.company_id)
            .categ_id.property_stock_journal
        )
        return journal or self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company_id),
                ("type", "=", "general"),
            ],
            limit=1,
        )

    # ------------------------------------------------------------------
    # Checks before anything is written
    # ------------------------------------------------------------------
    def _check_two_step_accounts(self):
        for company in self.filtered(
            lambda adj: adj.company_id.cycle_count_two_step
        ).company_id:
            fields_needed = [
                "cycle_count_suspense_account_id",
                "cycle_count_normal_loss_account_id",
                "cycle_count_liable_account_id",
                "cycle_count_abnormal_loss_account_id",
                "cycle_count_vat_out_account_id",
                "cycle_count_gain_clearing_account_id",
            ]
            missing = [name for name in fields_needed if not company[name]]
            if missing:
                raise UserError(
                    self.env._(
                        "%(company)s posts variances through suspense (two-step): "
                        "set its %(accounts)s (Cycle Count ‣ Variance Reports ‣ "
                        "Gain and Loss Accounts) before approving variances.",
                        company=company.name,
                        accounts=", ".join(
                            company._fields[name].get_description(self.env)["string"]
                            for name in missing
                        ),
                    )
                )

        # Step two to come: the liable persons, before anything is written.
        for adjustment in self.filtered(
            lambda adj: adj.suspense_state == "in_suspense"
        ):
            adjustment._check_liable_persons()

    def _check_liable_persons(self):
        self.ensure_one()
        for variance in self._get_lines_to_apply():
            if (
                variance.difference_qty < 0
                and variance.reason_id.cycle_count_decision == "liable"
                and not variance.liable_partner_id
            ):
                raise UserError(
                    self.env._(
                        "%(report)s: name the liable person of the loss of "
                        "%(product)s (its reason says someone is liable) before "
                        "the final approval.",
                        report=self.name,
                        product=variance.product_id.display_name,
                    )
                )

    def _check_periodic_booking_accounts(self):
        periodic = self.line_ids.filtered(
            lambda line: (
                line.company_id.cycle_count_periodic_booking
                and line.product_id.with_company(
                    line.company_id
                ).categ_id.property_valuation
                != "real_time"
            )
        )
        for line in periodic:
            if not (
                line.company_id.cycle_count_stock_variation_account_id
                and line._get_variance_account()
            ):
                raise UserError(
                    self.env._(
                        "%(company)s books variances at periodic valuation: set its "
                        "stock variation account and its inventory gain and loss "
                        "accounts (Cycle Count ‣ Variance Reports ‣ Gain and Loss "
                        "Accounts) before approving variances.",
                        company=line.company_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Posting: periodic booking, two-step (suspense), documents
    # ------------------------------------------------------------------
    def _post_periodic_entry(self, moves):
        """One entry for the variances of ``moves`` at periodic (manual)
        valuation, where Odoo posts nothing, in a company that books them: a
        loss debits the variance account and credits the stock variation
        account, a gain the reverse; valued as Odoo valued the moves."""
        self.ensure_one()
        company = self.company_id
        if not company.cycle_count_periodic_booking:
            return self.env["account.move"]
        periodic = moves.filtered(
            lambda move: (
                move.product_id.with_company(company).categ_id.property_valuation
                != "real_time"
            )
        )
        currency = company.currency_id
        stock_account = company.cycle_count_stock_variation_account_id
        line_vals = []
        for move in periodic:
            value = currency.round(sum(move.stock_valuation_layer_ids.mapped("value")))
            if currency.is_zero(value):
                continue
            variance = move.cycle_count_adjustment_line_id
            name = f"{self.name} - {move.product_id.display_name}"
            line_vals += [
                {
                    "name": name,
                    "product_id": move.product_id.id,
                    "account_id": stock_account.id,
                    "balance": value,
                },
                {
                    "name": name,
                    "product_id": move.product_id.id,
                    "account_id": variance._get_variance_account().id,
                    "balance": -value,
                },
            ]
        if not line_vals:
            return self.env["account.move"]
        return self._post_own_entry("periodic", line_vals)

    def _post_own_entry(self, kind, line_vals):
        self.ensure_one()
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self._get_cycle_count_journal().id,
                "date": self._get_entry_date(),
                "ref": self.name,
                "company_id": self.company_id.id,
                "cycle_count_adjustment_id": self.id,
                "cycle_count_entry_kind": kind,
                "line_ids": [(0, 0, vals) for vals in line_vals],
            }
        )
        entry.action_post()
        self.invalidate_recordset(["account_move_ids", "account_move_count"])
        return entry

    def _validate_tier(self, tiers=False):
        res = super()._validate_tier(tiers)
        # Step one of two-step posting: the count is confirmed (its first tier
        # approved, more to come): the stock is corrected against suspense.
        confirmed = self.filtered(
            lambda adj: (
                adj.state == "to_approve"
                and adj.company_id.cycle_count_two_step
                and not adj.suspense_state
                and "approved" in adj.review_ids.mapped("status")
            )
        )
        if confirmed:
            confirmed._check_can_apply_to_stock()
            # Valued now, as a final approval is: what goes to suspense is what
            # the report shows (a report needing other tiers starts again).
            confirmed -= confirmed._revalue_before_apply()
            confirmed._post_to_suspense()
        return res

    def restart_validation(self):
        """Refused once step one of two-step posting is done: the first tier's
        approval moved the stock and posted against suspense. Restarting would
        drop that approval while its stock and entry stay; rejecting reverses
        both (``_reverse_suspense``), then the count starts again. Refused to
        everybody, the system too: no path restarts a report in suspense."""
        in_suspense = self.filtered(lambda adj: adj.suspense_state == "in_suspense")
        if in_suspense:
            raise UserError(
                self.env._(
                    "%(reports)s: the count was confirmed at the first approval and "
                    "its stock corrected against the suspense account (two-step "
                    "posting), so its approval cannot start again. Reject it to "
                    "reverse the stock and the suspense entry (the task is then "
                    "counted again), or approve it.",
                    reports=", ".join(in_suspense.mapped("name")),
                )
            )
        return super().restart_validation()

    def _revalue_lines(self):
        # In suspense, the stock was corrected at step one: the report's value
        # is its moves' valuation, which a later cost change no longer alters.
        return super(
            CycleCountAdjustment,
            self.filtered(lambda adj: adj.suspense_state != "in_suspense"),
        )._revalue_lines()

    def _post_to_suspense(self):
        """Step one: the inventory moves of the differences, their entries on
        the suspense account (``_get_variance_account``)."""
        # The system's work once the tier is recorded, as _apply_to_stock.
        for adjustment in self.with_user(SUPERUSER_ID):
            adjustment = adjustment.with_company(adjustment.company_id)
            moves = adjustment._apply_lines(adjustment._get_lines_to_apply())
            # Step one's entry is posted now, not when the report finishes.
            adjustment._post_variance_entry()
            # The posting's own fields, written while the report is under
            # validation (the reviews stay as they are).
            adjustment.with_context(skip_validation_check=True).write(
                {
                    "suspense_state": "in_suspense",
                    "suspense_date": fields.Datetime.now(),
                }
            )
            adjustment.message_post(
                body=self.env._(
                    "Count confirmed: stock corrected by %(moves)s inventory "
                    "move(s), the difference held in suspense until the final "
                    "approval.",
                    moves=len(moves),
                )
            )

    def _apply_to_stock(self):
        """Two-step companies: step one if not done yet (no tier, or one tier
        only), then step two, at once and never in the background."""
        two_step = self.filtered(
            lambda adj: (
                adj.company_id.cycle_count_two_step
                or adj.suspense_state == "in_suspense"
            )
        )
        res = super(CycleCountAdjustment, self - two_step)._apply_to_stock()
        if two_step:
            two_step._check_can_apply_to_stock()
            two_step.filtered(lambda adj: not adj.suspense_state)._post_to_suspense()
            for adjustment in two_step.with_user(SUPERUSER_ID):
                adjustment = adjustment.with_company(adjustment.company_id)
                adjustment._clear_suspense()
                adjustment._finish_apply(adjustment.move_ids)
        return res

    def _clear_suspense(self):
        """Step two: one entry clearing what step one put in suspense to the
        account of each variance's decision: a loss to management expense, to
        other receivables on the liable person, or to non-operating expense
        with its input VAT transferred out; a gain to the gain clearing
        account. Valued as step one was (the moves' valuation)."""
        self.ensure_one()
        self._check_liable_persons()
        company = self.company_id
        currency = company.currency_id
        suspense = company.cycle_count_suspense_account_id
        rate = company.cycle_count_vat_out_rate / 100.0
        line_vals = []
        for move in self.move_ids:
            variance = move.cycle_count_adjustment_line_id
            if not variance._is_booked():
                continue
            value = currency.round(sum(move.stock_valuation_layer_ids.mapped("value")))
            if currency.is_zero(value):
                continue
            name = f"{self.name} - {move.product_id.display_name}"
            common = {"name": name, "product_id": move.product_id.id}
            decision_account = variance._get_decision_account()
            if value > 0:
                line_vals += [
                    # A gain: Dr suspense / Cr the gain clearing account.
                    {**common, "account_id": suspense.id, "balance": value},
                    {**common, "account_id": decision_account.id, "balance": -value},
                ]
                continue
            loss = -value
            decision = variance.reason_id.cycle_count_decision or "normal"
            vat = currency.round(loss * rate) if decision == "abnormal" else 0.0
            line_vals += [
                {
                    **common,
                    "account_id": decision_account.id,
                    "partner_id": variance.liable_partner_id.id
                    if decision == "liable"
                    else False,
                    "balance": loss + vat,
                },
                {**common, "account_id": suspense.id, "balance": -loss},
            ]
            if vat:
                line_vals.append(
                    {
                        **common,
                        "name": self.env._(
                            "%(name)s - input VAT transferred out", name=name
                        ),
                        "account_id": company.cycle_count_vat_out_account_id.id,
                        "balance": -vat,
                    }
                )
        if line_vals:
            self._post_own_entry("clearing", line_vals)
        self.with_context(skip_validation_check=True).write(
            {"suspense_state": "cleared"}
        )

    def _action_reject(self):
        # Rejected after step one: the stock and the suspense come back first.
        self.filtered(
            lambda adj: adj.suspense_state == "in_suspense"
        )._reverse_suspense()
        return super()._action_reject()

    def _reverse_suspense(self):
        """Undo step one: a reverse inventory move of each of its moves, at the
        unit cost it was valued at (Odoo posts its entry against suspense), and
        a reversal of its periodic booking entry."""
        for adjustment in self.with_user(SUPERUSER_ID):
            adjustment = adjustment.with_company(adjustment.company_id)
            originals = adjustment.move_ids.filtered(lambda move: move.state == "done")
            reversals = adjustment.env["stock.move"].create(
                [
                    move.cycle_count_adjustment_line_id._prepare_reversal_move_vals(
                        move
                    )
                    for move in originals
                ]
            )
            reversals._action_done()
            reversals.account_move_ids.write(
                {"cycle_count_adjustment_id": adjustment.id}
            )
            periodic = adjustment.linked_account_move_ids.filtered(
                lambda entry: (
                    entry.cycle_count_entry_kind == "periodic"
                    and entry.state == "posted"
                )
            )
            if periodic:
                periodic._reverse_moves(
                    [
                        {
                            "cycle_count_adjustment_id": adjustment.id,
                            "cycle_count_entry_kind": "periodic",
                            "ref": self.env._(
                                "Reversal of %(entry)s", entry=entry.name
                            ),
                            "date": adjustment._get_entry_date(),
                        }
                        for entry in periodic
                    ],
                    cancel=True,
                )
            adjustment.with_context(skip_validation_check=True).write(
                {"suspense_state": "reversed"}
            )
            adjustment.message_post(
                body=self.env._(
                    "Rejected after the count was confirmed: stock and suspense "
                    "reversed by %(moves)s inventory move(s).",
                    moves=len(reversals),
                )
            )

    def _get_document_kinds(self):
        """The documents of this report: a 盘盈单 for its gains, a 盘亏报损单
        for its losses (both when it has both)."""
        self.ensure_one()
        lines = self._get_lines_to_apply()
        kinds = []
        if any(line.difference_qty > 0 for line in lines):
            kinds.append("gain")
        if any(line.difference_qty < 0 for line in lines):
            kinds.append("loss")
        return kinds

    def _get_document_sequence(self, kind):
        """The company's own sequence of ``kind``, numbered per year (date
        ranges): made on first use, so that every company counts from 1."""
        self.ensure_one()
        code, prefix = DOCUMENT_SEQUENCES[kind]
        # Sequences are configuration only administrators write: numbering a
        # document is a system transition of the posting.
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search(
            [("code", "=", code), ("company_id", "=", self.company_id.id)], limit=1
        )
        if not sequence:
            names = {
                "gain": self.env._("Cycle Count Gain Receipt (盘盈单)"),
                "loss": self.env._("Cycle Count Loss Report (盘亏报损单)"),
            }
            sequence = Sequence.create(
                {
                    "name": f"{names[kind]} - {self.company_id.name}",
                    "code": code,
                    "company_id": self.company_id.id,
                    "prefix": prefix,
                    "padding": 4,
                    "use_date_range": True,
                }
            )
        return sequence

    def _assign_document_numbers(self):
        for adjustment in self:
            vals = {}
            for kind in adjustment._get_document_kinds():
                field = f"{kind}_document_number"
                if not adjustment[field]:
                    vals[field] = adjustment._get_document_sequence(kind).next_by_id(
                        sequence_date=adjustment._get_entry_date()
                    )
            if vals:
                # The numbers are the posting's, not the approver's to write.
                adjustment.sudo().with_context(skip_validation_check=True).write(vals)

    def _get_document_entry(self):
        """The journal entry the documents are attached to: the clearing entry
        (two-step), else the report's first entry."""
        self.ensure_one()
        entries = self.sudo().account_move_ids.filtered(
            lambda entry: entry.state == "posted"
        )
        clearing = entries.filtered(
            lambda entry: entry.cycle_count_entry_kind == "clearing"
        )
        return (clearing or entries).sorted("id")[:1]

    def _attach_documents(self):
        """The documents, rendered as printed, attached to the journal entry."""
        Report = self.env["ir.actions.report"].sudo()
        attachments = []
        for adjustment in self:
            entry = adjustment._get_document_entry()
            if not entry:
                continue
            for kind in adjustment._get_document_kinds():
                try:
                    # In the company's language: a Chinese company's 盘盈单.
                    lang = adjustment.company_id.partner_id.lang or self.env.lang
                    content, report_type = Report.with_context(
                        lang=lang
                    )._render_qweb_pdf(DOCUMENT_REPORTS[kind], adjustment.ids)
                except UserError as error:
                    # No PDF engine: the entry is posted all the same; the
                    # documents can be printed from the report later.
                    adjustment.message_post(body=str(error))
                    continue
                extension = "pdf" if report_type == "pdf" else "html"
                attachments.append(
                    {
                        "name": f"{adjustment[f'{kind}_document_number']}.{extension}",
                        "raw": content,
                        "res_model": "account.move",
                        "res_id": entry.id,
                        "mimetype": "application/pdf"
                        if extension == "pdf"
                        else "text/html",
                    }
                )
        if attachments:
            # Attaching to a journal entry is the posting's work.
            self.env["ir.attachment"].sudo().create(attachments)

    def action_print_gain_receipt(self):
        return self.env.ref(DOCUMENT_REPORTS["gain"]).report_action(self)

    def action_print_loss_report(self):
        return self.env.ref(DOCUMENT_REPORTS["loss"]).report_action(self)

    def _get_document_lines(self, kind):
        """The variances a document lists: the gains (``gain``) or the losses."""
        self.ensure_one()
        return self._get_lines_to_apply().filtered(
            lambda line: (line.difference_qty > 0) == (kind == "gain")
        )

    def _get_document_account(self, line):
        """The account a document shows for a variance: where it ends."""
        if self.company_id.cycle_count_two_step:
            return line._get_decision_account()
        return line._get_variance_account()
