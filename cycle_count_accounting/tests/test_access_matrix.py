"""Who may do what: the suite's access matrix, as one table, every cell driven.

Rows: a model of the suite or a core model it touches, and an operation (read,
write, create, unlink, or a public action). Columns: the users below. ``Y``: it
works on a real record; ``N``: it is refused (AccessError or UserError) and
nothing is written. Every cell runs in its own savepoint, rolled back after.
"""

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.cycle_count_planning.tests.common import MANAGER

from .common import CycleCountAccountingCase

USERS = ("counter", "supervisor", "finance", "manager", "internal", "portal", "other")

# counter: a pure counter; supervisor, finance, manager: the Cycle Count groups;
# internal: a plain internal user; portal: a portal user; other: the cycle count
# manager of another company. Records are the first company's.
MATRIX = """
model                              operation               cnt sup fin mgr int por oth
cycle.count.task                   read                     Y   Y   Y   Y   N   N   N
cycle.count.task                   write                    Y   Y   N   Y   N   N   N
cycle.count.task                   create                   N   Y   N   Y   N   N   N
cycle.count.task                   unlink                   N   N   N   Y   N   N   N
cycle.count.task                   action_start             Y   Y   N   Y   N   N   N
cycle.count.task                   action_mark_counted      Y   Y   N   Y   N   N   N
cycle.count.task                   action_cancel            N   Y   N   Y   N   N   N
cycle.count.task                   action_reset_to_draft    N   Y   N   Y   N   N   N
cycle.count.task                   action_view_adjustments  N   Y   Y   Y   N   N   N
cycle.count.line                   read                     Y   Y   Y   Y   N   N   N
cycle.count.line                   write                    Y   Y   N   Y   N   N   N
cycle.count.line                   create                   N   Y   N   Y   N   N   N
cycle.count.line                   unlink                   N   Y   N   Y   N   N   N
cycle.count.rule                   read                     Y   Y   Y   Y   N   N   N
cycle.count.rule                   write                    N   N   N   Y   N   N   N
cycle.count.rule                   create                   N   N   N   Y   N   N   N
cycle.count.rule                   unlink                   N   N   N   Y   N   N   N
cycle.count.rule                   action_plan_now          N   N   N   Y   N   N   N
cycle.count.rule                   action_plan_companies    N   N   N   Y   N   N   Y
cycle.count.reason                 read                     Y   Y   Y   Y   Y   N   N
cycle.count.reason                 write                    N   N   N   Y   N   N   N
cycle.count.reason                 create                   N   N   N   Y   N   N   N
cycle.count.reason                 unlink                   N   N   N   Y   N   N   N
cycle.count.abc.class              read                     Y   Y   Y   Y   Y   N   Y
cycle.count.abc.class              write                    N   N   N   Y   N   N   Y
cycle.count.abc.class              create                   N   N   N   Y   N   N   Y
cycle.count.abc.class              unlink                   N   N   N   Y   N   N   Y
cycle.count.abc.profile            read                     N   Y   Y   Y   N   N   N
cycle.count.abc.profile            write                    N   N   N   Y   N   N   N
cycle.count.abc.profile            create                   N   N   N   Y   N   N   N
cycle.count.abc.profile            unlink                   N   N   N   Y   N   N   N
cycle.count.abc.profile            action_compute           N   N   N   Y   N   N   N
cycle.count.abc.profile            action_open_classes      N   Y   Y   Y   N   N   N
cycle.count.abc.profile            action_open_history      N   Y   Y   Y   N   N   N
cycle.count.product.class          read                     N   Y   Y   Y   N   N   N
cycle.count.product.class          write                    N   N   N   N   N   N   N
cycle.count.product.class          create                   N   N   N   N   N   N   N
cycle.count.product.class          unlink                   N   N   N   N   N   N   N
cycle.count.product.class.history  read                     N   Y   Y   Y   N   N   N
cycle.count.product.class.history  write                    N   N   N   N   N   N   N
cycle.count.product.class.history  create                   N   N   N   N   N   N   N
cycle.count.product.class.history  unlink                   N   N   N   N   N   N   N
cycle.count.capacity               read                     N   Y   Y   Y   N   N   N
cycle.count.capacity               write                    N   N   N   Y   N   N   N
cycle.count.capacity               create                   N   N   N   Y   N   N   N
cycle.count.capacity               unlink                   N   N   N   Y   N   N   N
cycle.count.trigger                read                     N   Y   Y   Y   N   N   N
cycle.count.trigger                write                    N   N   N   Y   N   N   N
cycle.count.trigger                create                   N   N   N   Y   N   N   N
cycle.count.trigger                unlink                   N   N   N   Y   N   N   N
cycle.count.event                  read                     N   Y   Y   Y   N   N   N
cycle.count.event                  write                    N   Y   N   Y   N   N   N
cycle.count.event                  create                   N   N   N   Y   N   N   N
cycle.count.event                  unlink                   N   N   N   Y   N   N   N
cycle.count.event                  action_cancel            N   Y   N   Y   N   N   N
cycle.count.coverage               read                     N   Y   Y   Y   N   N   N
cycle.count.coverage               write                    N   N   N   N   N   N   N
cycle.count.coverage               create                   N   N   N   N   N   N   N
cycle.count.coverage               unlink                   N   N   N   N   N   N   N
cycle.count.coverage               action_refresh           N   N   N   Y   N   N   Y
cycle.count.adjustment             read                     N   Y   Y   Y   N   N   N
cycle.count.adjustment             write                    N   Y   N   Y   N   N   N
cycle.count.adjustment             create                   N   N   N   Y   N   N   N
cycle.count.adjustment             unlink                   N   N   N   Y   N   N   N
cycle.count.adjustment             validate_tier            N   Y   N   Y   N   N   N
cycle.count.adjustment             reject_tier              N   Y   N   Y   N   N   N
cycle.count.adjustment             restart_validation       N   N   N   Y   N   N   N
cycle.count.adjustment             action_apply_to_stock    N   N   Y   Y   N   N   N
cycle.count.adjustment             action_view_stock_moves  N   Y   Y   Y   N   N   N
cycle.count.adjustment             action_open_task         N   Y   Y   Y   N   N   N
cycle.count.adjustment             action_view_journal_entries N Y  Y   Y   N   N   N
cycle.count.adjustment.line        read                     N   Y   Y   Y   N   N   N
cycle.count.adjustment.line        write                    N   Y   N   Y   N   N   N
cycle.count.adjustment.line        create                   N   N   N   Y   N   N   N
cycle.count.adjustment.line        unlink                   N   N   N   Y   N   N   N
cycle.count.sync.record            read                     Y   Y   Y   Y   N   N   N
cycle.count.sync.record            write                    N   N   N   N   N   N   N
cycle.count.sync.record            create                   N   N   N   N   N   N   N
cycle.count.sync.record            unlink                   N   N   N   N   N   N   N
cycle.count.accuracy.report        read                     N   Y   Y   Y   N   N   N
cycle.count.accuracy.report        write                    N   N   N   N   N   N   N
cycle.count.accuracy.report        create                   N   N   N   N   N   N   N
cycle.count.accuracy.report        unlink                   N   N   N   N   N   N   N
stock.quant                        read                     N   Y   Y   Y   Y   N   N
stock.quant                        write                    N   N   N   N   N   N   N
stock.quant                        create                   N   N   N   N   N   N   N
stock.quant                        unlink                   N   N   N   N   N   N   N
stock.move.line                    read                     N   Y   Y   Y   Y   N   N
stock.move.line                    write                    N   N   N   N   N   N   N
stock.move.line                    create                   N   N   N   N   N   N   N
stock.move.line                    unlink                   N   N   N   N   N   N   N
stock.move                         read                     N   Y   Y   Y   N   N   N
stock.move                         write                    N   N   N   N   N   N   N
stock.move                         create                   N   N   N   N   N   N   N
stock.move                         unlink                   N   N   N   N   N   N   N
report.stock.quantity              read                     N   Y   Y   Y   Y   N   N
tier.review                        read                     N   Y   Y   Y   N   N   N
tier.review                        write                    N   N   N   N   N   N   N
tier.review                        create                   N   N   N   N   N   N   N
tier.review                        unlink                   N   N   N   N   N   N   N
tier.definition                    read                     N   Y   Y   Y   N   N   Y
tier.definition                    write                    N   N   N   Y   N   N   Y
tier.definition                    create                   N   N   N   Y   N   N   Y
tier.definition                    unlink                   N   N   N   Y   N   N   Y
account.move                       read                     N   N   Y   Y   N   N   N
account.move                       write                    N   N   N   N   N   N   N
account.move                       create                   N   N   N   N   N   N   N
account.move                       unlink                   N   N   N   N   N   N   N
account.move.line                  read                     N   N   Y   Y   N   N   N
account.move.line                  write                    N   N   N   N   N   N   N
account.move.line                  create                   N   N   N   N   N   N   N
account.move.line                  unlink                   N   N   N   N   N   N   N
cycle.count.approval.policy        read                     N   Y   Y   Y   N   N   N
cycle.count.approval.policy        write                    N   Y   Y   Y   N   N   N
cycle.count.approval.policy        create                   N   Y   Y   Y   N   N   N
cycle.count.approval.policy        unlink                   N   N   N   N   N   N   N
cycle.count.tolerance              read                     N   Y   Y   Y   N   N   N
cycle.count.tolerance              write                    N   N   N   Y   N   N   N
cycle.count.tolerance              create                   N   N   N   Y   N   N   N
cycle.count.tolerance              unlink                   N   N   N   Y   N   N   N
cycle.count.adjustment.count       read                     N   Y   Y   Y   N   N   N
cycle.count.adjustment.count       write                    N   N   N   N   N   N   N
cycle.count.adjustment.count       create                   N   N   N   N   N   N   N
cycle.count.adjustment.count       unlink                   N   N   N   N   N   N   N
cycle.count.adjustment.count       action_use_this_count    N   Y   N   Y   N   N   N
cycle.count.approval.duration      read                     N   Y   Y   Y   N   N   N
cycle.count.approval.duration      write                    N   N   N   N   N   N   N
cycle.count.approval.duration      create                   N   N   N   N   N   N   N
cycle.count.approval.duration      unlink                   N   N   N   N   N   N   N
cycle.count.approval.delegation    read                     N   Y   Y   Y   N   N   N
cycle.count.approval.delegation    write                    N   Y   N   Y   N   N   N
cycle.count.approval.delegation    create                   N   Y   N   Y   N   N   N
cycle.count.approval.delegation    unlink                   N   Y   N   Y   N   N   N
cycle.count.account.settings       read                     N   N   Y   Y   N   N   N
cycle.count.account.settings       create                   N   N   Y   Y   N   N   N
cycle.count.account.settings       action_save              N   N   Y   Y   N   N   N
cycle.count.account.settings.reason read                    N   N   Y   Y   N   N   N
cycle.count.account.settings.reason write                   N   N   Y   Y   N   N   N
cycle.count.account.settings.reason create                  N   N   Y   Y   N   N   N
cycle.count.account.settings.reason unlink                  N   N   Y   Y   N   N   N
cycle.count.suspense.report        read                     N   N   Y   Y   N   N   N
cycle.count.suspense.report        write                    N   N   N   N   N   N   N
cycle.count.suspense.report        create                   N   N   N   N   N   N   N
cycle.count.suspense.report        unlink                   N   N   N   N   N   N   N
cycle.count.team                   read                     Y   Y   Y   Y   N   N   N
cycle.count.team                   write                    N   Y   N   Y   N   N   N
cycle.count.team                   create                   N   Y   N   Y   N   N   N
cycle.count.team                   unlink                   N   N   N   Y   N   N   N
cycle.count.proposal               read                     N   Y   Y   Y   N   N   N
cycle.count.proposal               write                    N   N   N   Y   N   N   N
cycle.count.proposal               create                   N   N   N   Y   N   N   N
cycle.count.proposal               unlink                   N   N   N   N   N   N   N
cycle.count.proposal               action_dismiss           N   N   N   Y   N   N   N
cycle.count.adjustment.decision    read                     N   Y   Y   Y   N   N   N
cycle.count.adjustment.decision    create                   N   Y   Y   Y   N   N   N
cycle.count.adjustment.decision    unlink                   N   N   N   N   N   N   N
cycle.count.recount.wizard         read                     N   Y   N   Y   N   N   N
cycle.count.recount.wizard         create                   N   Y   N   Y   N   N   N
cycle.count.recount.wizard         unlink                   N   N   N   N   N   N   N
"""

REFUSALS = (AccessError, UserError, ValidationError)


def parse_matrix(text):
    """[(model, operation, {user: allowed})], in the table's order."""
    rows = []
    for line in text.strip().splitlines()[1:]:
        model, operation, *answers = line.split()
        if len(answers) != len(USERS) or set(answers) - {"Y", "N"}:
            raise ValueError(f"malformed matrix row: {line!r}")
        rows.append(
            (
                model,
                operation,
                dict(zip(USERS, (a == "Y" for a in answers), strict=True)),
            )
        )
    return rows


@tagged("post_install", "-at_install")
class TestAccessMatrix(CycleCountAccountingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_values = {
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
        }
        cls.internal = new_test_user(
            cls.env,
            login="cc_matrix_internal",
            groups="base.group_user",
            **company_values,
        )
        cls.portal = new_test_user(
            cls.env,
            login="cc_matrix_portal",
            groups="base.group_portal",
            **company_values,
        )
        cls.other_company = cls.env["res.company"].create({"name": "CC Other Company"})
        cls.other = new_test_user(
            cls.env,
            login="cc_matrix_other",
            groups=MANAGER,
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )

    # ------------------------------------------------------------------
    # Real records, one of each model, in the first company
    # ------------------------------------------------------------------
    def _setup_records(self):
        # Records are made as the system (some nobody may create by hand);
        # with_user() drops that for every cell.
        env = self.env(su=True)
        code = "[('default_code', '=', '%s')]"
        # A report waiting for the supervisor, then finance: bolts and chips, 700.
        report_task = self._plan(
            self._create_rule(
                name="Bolts and chips",
                product_domain="[('default_code', 'in', ['CC-BLT', 'CC-CHP'])]",
            )
        )
        self._count_as(report_task, {self.product_bolt: 62, self.product_chip: 3})
        report_task.with_user(self.counter).action_mark_counted()
        self.report = report_task.adjustment_ids
        # A report applied to stock, with its moves and journal entries: glue, -50.
        glue_task = self._plan(
            self._create_rule(name="Glue", product_domain=code % "CC-GLU")
        )
        self._count_as(glue_task, {self.product_lot: 10})
        glue_task.with_user(self.counter).action_mark_counted()
        self.applied = glue_task.adjustment_ids
        self.applied.with_user(self.supervisor).validate_tier()
        self.assertEqual(self.applied.state, "posted")
        self.assertTrue(self.applied.account_move_ids)
        # An open task of the counter: apples (book 10). Planned last: the
        # planner adds to a counter's open task of the day.
        self.task = self._plan(self._create_rule(product_domain=code % "CC-APL"))
        self.line = self.task.line_ids
        self.assertEqual(self.line.product_id, self.product_apple)
        self.reason = env["cycle.count.reason"].create(
            {"name": "Matrix reason", "company_id": self.company.id}
        )
        self.profile = self._abc_profile()
        self.product_class = env["cycle.count.product.class"].search(
            [("profile_id", "=", self.profile.id)], limit=1
        )
        self.class_history = env["cycle.count.product.class.history"].search(
            [("profile_id", "=", self.profile.id)], limit=1
        )
        self.capacity = env["cycle.count.capacity"].create(
            {"warehouse_id": self.warehouse.id}
        )
        self.trigger = (
            env["cycle.count.trigger"]
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", self.company.id),
                    ("event_type", "=", "high_value"),
                ]
            )
        )
        self.event = env["cycle.count.event"].create(
            {
                "company_id": self.company.id,
                "warehouse_id": self.warehouse.id,
                "location_id": self.bin_a.id,
                "product_id": self.product_bolt.id,
                "event_type": "high_value",
                "trigger_id": self.trigger.id,
                "date": fields.Datetime.now(),
                "deadline": self.task.scheduled_date,
                "date_due": self.task.scheduled_date,
            }
        )
        # A coverage gap, as the check writes one (everything here is covered).
        self.coverage = env["cycle.count.coverage"].create(
            {
                "company_id": self.company.id,
                "warehouse_id": self.warehouse.id,
                "location_id": self.bin_b.id,
                "product_id": self.product_chip.id,
                "status": "unplanned",
            }
        )
        self.sync_record = env["cycle.count.sync.record"].create(
            {
                "client_ref": "matrix-1",
                "kind": "count",
                "task_id": self.task.id,
                "line_id": self.line.id,
                "user_id": self.counter.id,
                "quantity": 10,
            }
        )
        self.accuracy = env["cycle.count.accuracy.report"].search(
            [("task_id", "=", glue_task.id)], limit=1
        )
        self.quant = env["stock.quant"].search(
            [
                ("product_id", "=", self.product_apple.id),
                ("location_id", "=", self.bin_a.id),
            ]
        )
        self.move = self.applied.move_ids
        self.move_line = self.move.move_line_ids
        self.stock_report = env["report.stock.quantity"].search(
            [("product_id", "=", self.product_apple.id)], limit=1
        )
        self.review = self.report.review_ids.sorted("sequence")[:1]
        self.tier = self.env.ref(
            "cycle_count_approval.tier_definition_adjustment_finance"
        )
        self.entry = self.applied.account_move_ids[:1]
        self.entry_line = self.entry.line_ids[:1]
        self.policy = env["cycle.count.approval.policy"].create(
            {"company_id": self.company.id}
        )
        self._setup_round_three_records(env)
        for name in (
            "product_class",
            "class_history",
            "trigger",
            "coverage",
            "accuracy",
            "quant",
            "move_line",
            "stock_report",
            "entry_line",
        ):
            self.assertTrue(getattr(self, name), f"no {name} to drive the matrix on")

    def _setup_round_three_records(self, env):
        """One record of each model of issues 9, 10 and 11 (round 3)."""
        self.tolerance = env["cycle.count.tolerance"].create(
            {
                "name": "Matrix tolerance",
                "kind": "tolerance",
                "company_id": self.company.id,
                "product_id": self.product_chip.id,
                "gain_pct": 1,
            }
        )
        self.count_history = self.report.line_ids[:1].count_history_ids[:1]
        self.duration = env["cycle.count.approval.duration"].search(
            [("adjustment_id", "=", self.report.id)], limit=1
        )
        self.delegation = env["cycle.count.approval.delegation"].create(
            {
                "user_id": self.supervisor.id,
                "delegate_id": self.finance.id,
                "company_id": self.company.id,
                # Not in force: the other cells' reviewers stay who they are.
                "date_from": fields.Date.add(fields.Date.today(), days=20),
                "date_to": fields.Date.add(fields.Date.today(), days=27),
            }
        )
        settings = env["cycle.count.account.settings"].create(
            {"company_id": self.company.id}
        )
        self.account_settings = settings
        self.settings_reason = env["cycle.count.account.settings.reason"].create(
            {"settings_id": settings.id, "reason_id": self.reason.id}
        )
        # The applied report's loss account taken as the suspense account: its
        # entry then holds a balance there, a row of the ageing report.
        self.company.cycle_count_suspense_account_id = (
            self.applied.account_move_ids.line_ids.filtered(
                lambda line: line.balance > 0
            )[:1].account_id
        )
        self.suspense = env["cycle.count.suspense.report"].search(
            [("adjustment_id", "=", self.applied.id)]
        )
        self.team = env["cycle.count.team"].create(
            {
                "name": "Matrix team",
                "company_id": self.company.id,
                "member_ids": [Command.set(self.counter.ids)],
            }
        )
        self.proposal = env["cycle.count.proposal"].create(
            {
                "name": "Matrix proposal",
                "kind": "warehouse_frequency",
                "company_id": self.company.id,
                "warehouse_id": self.warehouse.id,
            }
        )
        self.decision = env["cycle.count.adjustment.decision"].create(
            {"decision": "approve", "adjustment_ids": [Command.set(self.report.ids)]}
        )
        self.recount_wizard = env["cycle.count.recount.wizard"].create(
            {
                "adjustment_id": self.report.id,
                "line_ids": [Command.set(self.report.line_ids[:1].ids)],
                "comment": "Matrix recount",
            }
        )
        for name in ("count_history", "duration", "suspense"):
            self.assertTrue(getattr(self, name), f"no {name} to drive the matrix on")

    def _count_as(self, task, quantities):
        """Count ``task`` as its counter: ``quantities`` by product, anything else
        the planner added (an event's item) as the books have it."""
        Quant = self.env["stock.quant"]
        for line in task.with_user(task.user_id).line_ids:
            book = sum(
                Quant.search(
                    [
                        ("product_id", "=", line.sudo().product_id.id),
                        ("location_id", "=", line.sudo().location_id.id),
                        ("lot_id", "=", line.sudo().lot_id.id),
                    ]
                ).mapped("quantity")
            )
            line.counted_qty = quantities.get(line.sudo().product_id, book)

    def _record(self, model):
        return {
            "cycle.count.task": self.task,
            "cycle.count.line": self.line,
            "cycle.count.rule": self.task.line_ids.rule_ids[:1],
            "cycle.count.reason": self.reason,
            "cycle.count.abc.class": self.product_class.abc_class_id,
            "cycle.count.abc.profile": self.profile,
            "cycle.count.product.class": self.product_class,
            "cycle.count.product.class.history": self.class_history,
            "cycle.count.capacity": self.capacity,
            "cycle.count.trigger": self.trigger,
            "cycle.count.event": self.event,
            "cycle.count.coverage": self.coverage,
            "cycle.count.adjustment": self.report,
            "cycle.count.adjustment.line": self.report.line_ids[:1],
            "cycle.count.sync.record": self.sync_record,
            "cycle.count.accuracy.report": self.accuracy,
            "stock.quant": self.quant,
            "stock.move.line": self.move_line,
            "stock.move": self.move,
            "report.stock.quantity": self.stock_report,
            "tier.review": self.review,
            "tier.definition": self.tier,
            "account.move": self.entry,
            "account.move.line": self.entry_line,
            "cycle.count.approval.policy": self.policy,
            "cycle.count.tolerance": self.tolerance,
            "cycle.count.adjustment.count": self.count_history,
            "cycle.count.approval.duration": self.duration,
            "cycle.count.approval.delegation": self.delegation,
            "cycle.count.account.settings": self.account_settings,
            "cycle.count.account.settings.reason": self.settings_reason,
            "cycle.count.suspense.report": self.suspense,
            "cycle.count.team": self.team,
            "cycle.count.proposal": self.proposal,
            "cycle.count.adjustment.decision": self.decision,
            "cycle.count.recount.wizard": self.recount_wizard,
        }[model]

    def _write_values(self, model):
        """A change each model's editors make (for the others, any field)."""
        return {
            "cycle.count.task": {"note": "matrix"},
            "cycle.count.line": {"counted_qty": 10},
            "cycle.count.rule": {"name": "Matrix rule"},
            "cycle.count.reason": {"name": "Matrix reason 2"},
            "cycle.count.abc.class": {"name": "Z"},
            "cycle.count.abc.profile": {"threshold_a": 70},
            "cycle.count.capacity": {"lines_per_counter": 7},
            "cycle.count.trigger": {"deadline_days": 9},
            "cycle.count.event": {"deadline": self.task.scheduled_date},
            "cycle.count.adjustment": {
                "line_ids": [
                    Command.update(
                        self.report.line_ids[:1].id, {"reason_id": self.reason.id}
                    )
                ]
            },
            "cycle.count.adjustment.line": {"reason_id": self.reason.id},
            "tier.review": {"comment": "matrix"},
            "tier.definition": {"sequence": 25},
            "stock.quant": {"inventory_quantity": 11},
            "stock.move.line": {"quantity": 11},
            "stock.move": {"product_uom_qty": 11},
            "account.move": {"ref": "matrix"},
            "account.move.line": {"name": "matrix"},
            "cycle.count.approval.policy": {"simulate_value": 10},
            "cycle.count.tolerance": {"gain_pct": 2},
            "cycle.count.adjustment.count": {"counted_qty": 1},
            "cycle.count.approval.delegation": {"note": "matrix"},
            "cycle.count.account.settings.reason": {"analytic_account_id": False},
            "cycle.count.team": {"name": "Matrix team 2"},
            "cycle.count.proposal": {"summary": "matrix"},
        }.get(model, {"display_name": "matrix"})

    def _create_values(self, model):
        """Values of a new record, made from the real one."""
        record = self._record(model).sudo()
        overrides = {
            "cycle.count.task": {"name": "New", "line_ids": []},
            "cycle.count.line": {
                "task_id": self.task.id,
                "product_id": self.product_chip.id,
            },
            "cycle.count.rule": {"name": "Matrix rule 2"},
            "cycle.count.reason": {"name": "Matrix reason 3"},
            "cycle.count.abc.class": {"name": "Y", "code": "Y"},
            "cycle.count.abc.profile": {"warehouse_id": self.warehouse.id},
            "cycle.count.capacity": {"warehouse_id": self._second_warehouse().id},
            "cycle.count.adjustment": {"name": "New", "line_ids": []},
            "cycle.count.sync.record": {"client_ref": "matrix-2"},
            "tier.review": {"status": "approved"},
            "tier.definition": {"name": "Matrix tier"},
            "account.move": {"line_ids": []},
            "cycle.count.tolerance": {"name": "Matrix tolerance 2"},
            "cycle.count.approval.delegation": {
                "date_from": fields.Date.add(fields.Date.today(), days=30),
                "date_to": fields.Date.add(fields.Date.today(), days=32),
            },
            # A counter is in one team per company.
            "cycle.count.team": {"name": "Matrix team 3", "member_ids": []},
            # One open proposal per subject: another subject.
            "cycle.count.proposal": {
                "name": "Matrix proposal 2",
                "kind": "counter_recounts",
                "warehouse_id": False,
                "user_id": self.counter.id,
            },
        }.get(model, {})
        values = record.copy_data()[0] if record._auto else {}
        values.update(overrides)
        return values

    def _second_warehouse(self):
        return self.env["stock.warehouse"].create(
            {"name": "Matrix 2", "code": "MX2", "company_id": self.company.id}
        )

    def _prepare(self, model, operation):
        """The record a cell acts on, in the state the operation is meant for."""
        record = self._record(model)
        if (model, operation) == ("cycle.count.trigger", "create"):
            # One trigger per event type and company: the new one replaces it.
            record.unlink()
        elif (model, operation) == ("cycle.count.abc.class", "unlink"):
            # One no product is classed in.
            record = record.copy({"name": "Unused", "code": "U"})
        elif operation == "action_reset_to_draft":
            record.sudo().action_cancel()
        elif operation == "action_mark_counted":
            self.line.counted_qty = 10
        elif operation == "action_apply_to_stock":
            # A report approved under 18.0.1 and never applied (what the action is
            # for): the report applied above, back to approved.
            record = self.applied
            self.env.cr.execute(
                SQL(
                    "UPDATE cycle_count_adjustment SET state = 'approved' WHERE id = %s",
                    record.id,
                )
            )
            record.invalidate_recordset(["state"])
        elif operation == "action_view_journal_entries":
            record = self.applied
        return record

    def _drive(self, model, operation, user):
        """Run the cell as ``user``: True if it worked, False if refused."""
        values = self._create_values(model) if operation == "create" else None
        record = self._prepare(model, operation)
        Model = self.env[model].with_user(user)
        # Nothing the set-up read may stand in for the user's own reading.
        self.env.flush_all()
        self.env.invalidate_all()
        try:
            if operation == "read":
                record.with_user(user).read(["display_name"])
            elif operation == "write":
                record.with_user(user).write(self._write_values(model))
            elif operation == "create":
                Model.create(values)
            elif operation == "unlink":
                record.with_user(user).unlink()
            elif operation == "action_plan_companies":
                Model.action_plan_companies()
            else:
                getattr(record.with_user(user), operation)()
            self.env.flush_all()
        except REFUSALS:
            return False
        return True

    def test_access_matrix(self):
        self._setup_records()
        users = {
            "counter": self.counter,
            "supervisor": self.supervisor,
            "finance": self.finance,
            "manager": self.manager,
            "internal": self.internal,
            "portal": self.portal,
            "other": self.other,
        }
        rows = parse_matrix(MATRIX)
        driven = 0
        for model, operation, answers in rows:
            if model not in self.env:
                # Only when an addon of the suite is not installed: said, not hidden.
                with self.subTest(model=model):
                    self.skipTest(f"{model} is not installed")
                continue
            for name, expected in answers.items():
                with self.subTest(model=model, operation=operation, user=name):
                    savepoint = self.env.cr.savepoint()
                    try:
                        allowed = self._drive(model, operation, users[name])
                    finally:
                        savepoint.close(rollback=True)
                        self.env.invalidate_all()
                    driven += 1
                    self.assertEqual(
                        allowed,
                        expected,
                        f"{name} {operation} {model}: "
                        f"{'allowed' if allowed else 'refused'}",
                    )
        installed = [row for row in rows if row[0] in self.env]
        self.assertEqual(driven, len(installed) * len(USERS))
