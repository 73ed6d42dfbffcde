from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .cycle_count_planner import ITEM_FIELDS, OPEN_TASK_STATES

# The task states in which counts are accepted (backend, app, API and demo alike).
COUNTING_STATES = ("draft", "in_progress")
# A task its counter submitted. How it ended tells whether every count matched
# the book (done) or differences wait for approval (counted): a blind counter
# learns neither. The record rules keep submitted tasks from counters; what is
# said to them about one (_get_visible_state) is "counted" either way.
SUBMITTED_STATES = ("counted", "done")


def counter_domain(model):
    """The users a count can be given to: the counters."""
    return [
        (
            "groups_id",
            "in",
            model.env.ref("cycle_count_planning.group_cycle_count_counter").id,
        )
    ]


class CycleCountTask(models.Model):
    _name = "cycle.count.task"
    _description = "Cycle Count Task"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "scheduled_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, check_company=True, tracking=True
    )
    scheduled_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Counter",
        tracking=True,
        domain=counter_domain,
    )
    team_id = fields.Many2one(
        "cycle.count.team",
        string="Counting Team",
        compute="_compute_team_id",
        store=True,
        index="btree_not_null",
        help="The team of the task's counter.",
    )
    state = fields.Selection(
        [
            ("draft", "To Do"),
            ("in_progress", "In Progress"),
            ("counted", "Counted"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        group_expand="_expand_states",
    )
    line_ids = fields.One2many("cycle.count.line", "task_id", string="Lines")
    is_planned = fields.Boolean(
        string="Planned",
        readonly=True,
        copy=False,
        help="Created by the planner, which may add more lines while it is to do.",
    )
    line_count = fields.Integer(compute="_compute_progress", store=True)
    counted_line_count = fields.Integer(
        string="Counted Lines", compute="_compute_progress", store=True
    )
    progress = fields.Float(
        compute="_compute_progress", store=True, aggregator="avg", digits=(5, 1)
    )
    date_counted = fields.Datetime(string="Counted On", readonly=True, copy=False)
    date_done = fields.Datetime(string="Done On", readonly=True, copy=False)
    note = fields.Text()
    # Set by the system when the task is sent back to be counted again (a rejected
    # variance report today): the counter sees it as a recount, with the reason.
    is_recount = fields.Boolean(
        string="Recount",
        readonly=True,
        copy=False,
        help="Sent back to be counted again.",
    )
    recount_reason = fields.Text(
        readonly=True,
        copy=False,
        help="Why the task must be counted again, as the counter reads it.",
    )
    recount_of_id = fields.Many2one(
        "cycle.count.task",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The task whose items this recount counts again.",
    )
    # Beside its inverse (not in the approval addon that makes recounts): the
    # report's counters depend on it, and a registry rebuilt from planning
    # alone (the planner-hook test) keeps it.
    recount_task_ids = fields.One2many(
        "cycle.count.task",
        "recount_of_id",
        string="Recounts",
        readonly=True,
        groups="cycle_count_planning.group_cycle_count_supervisor,"
        "cycle_count_planning.group_cycle_count_finance",
    )
    is_open_for_counting = fields.Boolean(
        compute="_compute_is_open_for_counting",
        help="Counts are accepted: the task is to do or in progress.",
    )

    @api.model
    def _expand_states(self, states, domain):
        """The kanban's columns in the order of the work: every state a task
        still goes through, even empty; done and cancelled when they hold tasks."""
        return [
            key
            for key, _label in self._fields["state"].selection
            if key in states or key in ("draft", "in_progress", "counted")
        ]

    @api.depends("user_id", "company_id")
    def _compute_team_id(self):
        teams = self.env["cycle.count.team"]._get_team_of_users(
            self.user_id, self.company_id
        )
        for task in self:
            task.team_id = teams.get((task.user_id.id, task.company_id.id), False)

    @api.depends("state")
    def _compute_is_open_for_counting(self):
        for task in self:
            task.is_open_for_counting = task.state in COUNTING_STATES

    @api.depends("line_ids.is_counted")
    def _compute_progress(self):
        groups = self.env["cycle.count.line"]._read_group(
            [("task_id", "in", self.ids)],
            ["task_id", "is_counted"],
            ["__count"],
        )
        totals = {}
        for task, is_counted, count in groups:
            total, counted = totals.get(task.id, (0, 0))
            totals[task.id] = (total + count, counted + (count if is_counted else 0))
        for task in self:
            total, counted = totals.get(task.id, (0, 0))
            task.line_count = total
            task.counted_line_count = counted
            task.progress = 100.0 * counted / total if total else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "cycle.count.task"
                ) or self.env._("New")
        return super().create(vals_list)

    def write(self, vals):
        self._check_counter_write(vals)
        if vals.get("state") in OPEN_TASK_STATES:
            # A closed task opened again (a cancelled one reset to do) takes its
            # items back only if no other open task holds them.
            reopened = self.filtered(lambda t: t.state not in OPEN_TASK_STATES)
            self.env["cycle.count.line"]._check_one_open_count_vals(
                [
                    {
                        **{f: line[f].id for f in ITEM_FIELDS},
                        "task_id": False,
                        "_line": line,
                        "_task": line.task_id,
                    }
                    for line in reopened.line_ids
                ]
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(task.state not in ("draft", "cancel") for task in self):
            raise UserError(
                self.env._(
                    "Only tasks still to do or cancelled can be deleted; "
                    "cancel the task instead."
                )
            )

    def _is_supervisor(self):
        return self.env.su or self.env.user.has_group(
            "cycle_count_planning.group_cycle_count_supervisor"
        )

    @api.model
    def _get_counter_writable_fields(self):
        """Fields a counter may change on their own task; everything else is the
        supervisor's. A bridge that lets counters fill in a field of its own
        extends this list with super()."""
        return ["line_ids", "note"]

    def _check_counter_write(self, vals):
        if self._is_supervisor():
            return
        forbidden = set(vals) - set(self._get_counter_writable_fields())
        if forbidden:
            raise AccessError(
                self.env._(
                    "A counter can only enter counts on their tasks; "
                    "ask a supervisor to change %(fields)s.",
                    fields=", ".join(sorted(forbidden)),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_can_transition(self):
        """The user must be allowed to write the task (ACL + record rules); a
        counter's own task that they submitted is refused as closed, saying so."""
        try:
            self.check_access("write")
        except AccessError:
            self._check_not_submitted()
            raise

    def _check_not_submitted(self):
        """Refuse, as no longer open, the current user's own tasks that they
        submitted and may no longer read (whether done or counted)."""
        submitted = self.filtered(
            lambda task: (
                task.sudo().user_id == self.env.user
                and task._is_outcome_hidden()
                and task._get_visible_state() == "counted"
            )
        )
        if submitted:
            raise UserError(
                self.env._(
                    "Task %(task)s was submitted: it is no longer open for counting.",
                    task=", ".join(submitted.sudo().mapped("name")),
                )
            )

    def _check_open_for_counting(self):
        """Refuse counts on a task that no longer accepts them, saying why."""
        states = dict(self._fields["state"]._description_selection(self.env))
        for task in self:
            if task.state not in COUNTING_STATES:
                raise UserError(
                    self.env._(
                        "Task %(task)s is no longer open for counting (status: "
                        "%(state)s). Counts can only be entered on a task to do or "
                        "in progress.",
                        task=task.name,
                        state=states[task.state],
                    )
                )

    def action_start(self):
        self._check_can_transition()
        self.filtered(lambda t: t.state == "draft")._action_in_progress()
        return True

    def action_mark_counted(self):
        self._check_can_transition()
        for task in self:
            if task.state not in COUNTING_STATES:
                raise UserError(
                    self.env._(
                        "Task %(task)s is %(state)s: only a task to do or in progress "
                        "can be marked as counted.",
                        task=task.name,
                        state=dict(
                            task._fields["state"]._description_selection(self.env)
                        )[task.state],
                    )
                )
            if not task.line_ids:
                raise UserError(
                    self.env._("Task %(task)s has no line to count.", task=task.name)
                )
            missing = task.line_count - task.counted_line_count
            if missing:
                raise UserError(
                    self.env._(
                        "Task %(task)s still has %(count)s line(s) without a count. "
                        "Enter a quantity on every line (0 when nothing is there).",
                        task=task.name,
                        count=missing,
                    )
                )
        self._action_counted()
        self._on_counted()
        if self._is_outcome_hidden():
            # The counter no longer reads the task: the form could not reload it.
            return self._action_submitted()
        return True

    def action_cancel(self):
        if not self._is_supervisor():
            raise AccessError(self.env._("Only a supervisor can cancel a count task."))
        if any(task.state == "done" for task in self):
            raise UserError(self.env._("A done task cannot be cancelled."))
        self.write({"state": "cancel"})
        # The events these tasks were to count go back to planning; events
        # follow their task (a system transition, whoever cancelled).
        self.sudo().line_ids.event_ids._action_unplan()
        return True

    def action_reset_to_draft(self):
        if not self._is_supervisor():
            raise AccessError(
                self.env._("Only a supervisor can reopen a cancelled task.")
            )
        self.filtered(lambda t: t.state == "cancel").write({"state": "draft"})
        return True

    def _action_submitted(self):
        """Tell a blind counter their tasks are submitted, and go back to their
        tasks: the same answer whatever the counts were."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Submitted"),
                "message": self.env._(
                    "%(tasks)s submitted: thank you. The task leaves your list.",
                    tasks=", ".join(self.sudo().mapped("name")),
                ),
                "type": "success",
                "sticky": False,
                "next": self.env["ir.actions.act_window"]._for_xml_id(
                    "cycle_count_planning.cycle_count_task_action_my"
                ),
            },
        }

    # ------------------------------------------------------------------
    # What a counter learns
    # ------------------------------------------------------------------
    def _is_outcome_hidden(self):
        """Whether the current user may not learn how a submitted task ended:
        everybody but the system and the reviewers (supervisors, finance)."""
        reviewer_groups = self.env["cycle.count.line"]._get_reviewer_groups()
        return not (
            self.env.su
            or any(self.env.user.has_group(group) for group in reviewer_groups)
        )

    def _get_visible_state(self):
        """The task's state as the current user may know it: a submitted task is
        "counted" to a blind counter, whether its counts matched or not."""
        self.ensure_one()
        # Read as the system: the counter who submitted it no longer reads it.
        state = self.sudo().state
        if state in SUBMITTED_STATES and self._is_outcome_hidden():
            return "counted"
        return state

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _on_counted(self):
        """What follows a count. With nothing downstream, the count is the end of
        the task: it is done. Approval overrides this to turn differences into
        variance reports and leaves the exact tasks to super()."""
        self._action_done()

    # The state transitions below are the system's: a counter may not write the
    # state (_get_counter_writable_fields), so once the action has checked the
    # user's access, each writes as superuser.
    def _action_in_progress(self):
        # Started by its counter, who may not write the state.
        self.sudo().write({"state": "in_progress"})

    def _action_counted(self):
        # Marked counted by its counter, who may not write the state.
        self.sudo().write({"state": "counted", "date_counted": fields.Datetime.now()})

    def _action_done(self):
        # Done after the count (or its approval): the counter may not write it.
        self.sudo().write({"state": "done", "date_done": fields.Datetime.now()})
        # The events the task counted are counted (the same system transition).
        self.sudo().line_ids.event_ids._action_done()

    def _action_open_planned(self):
        if not self:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Nothing to plan"),
                    "message": self.env._(
                        "No item is due: everything selected is either counted "
                        "recently enough or already in an open task."
                    ),
                    "type": "info",
                    "sticky": False,
                },
            }
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cycle_count_planning.cycle_count_task_action"
        )
        action["domain"] = [("id", "in", self.ids)]
        action["context"] = {}
        return action
