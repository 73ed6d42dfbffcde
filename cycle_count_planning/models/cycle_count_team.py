from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .cycle_count_task import counter_domain


def supervisor_domain(model):
    """The users who may lead a team: the supervisors."""
    return [
        (
            "groups_id",
            "in",
            model.env.ref("cycle_count_planning.group_cycle_count_supervisor").id,
        )
    ]


class CycleCountTeam(models.Model):
    """Counters grouped under a supervisor, a dimension of the dashboards. A
    counter belongs to at most one team per company; a count line remembers the
    team of its counter when it was counted."""

    _name = "cycle.count.team"
    _description = "Counting Team"
    _order = "company_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        help="The warehouse the team counts in, if it has one.",
    )
    leader_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        domain=supervisor_domain,
        help="The supervisor who leads the team; proposals about its counters are "
        "sent to them.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "cycle_count_team_member_rel",
        "team_id",
        "user_id",
        string="Counters",
        domain=counter_domain,
    )
    member_count = fields.Integer(compute="_compute_member_count", string="Members")

    @api.depends("member_ids")
    def _compute_member_count(self):
        for team in self:
            team.member_count = len(team.member_ids)

    @api.constrains("member_ids", "company_id", "active")
    def _check_one_team_per_counter(self):
        """A counter in two active teams of one company: refused, with the names."""
        teams = self.search(
            [
                ("member_ids", "in", self.member_ids.ids),
                ("company_id", "in", self.company_id.ids),
            ],
            order="id",
        )
        seen = {}
        for team in teams:
            for user in team.member_ids:
                other = seen.setdefault((user.id, team.company_id.id), team)
                if other != team:
                    raise ValidationError(
                        self.env._(
                            "%(counter)s is already in the team %(team)s: a counter "
                            "belongs to one team per company.",
                            counter=user.name,
                            team=other.name,
                        )
                    )

    @api.constrains("leader_id")
    def _check_leader(self):
        supervisor = self.env.ref("cycle_count_planning.group_cycle_count_supervisor")
        for team in self:
            if team.leader_id and supervisor not in team.leader_id.groups_id:
                raise ValidationError(
                    self.env._(
                        "Team %(team)s: the leader %(user)s must be a supervisor.",
                        team=team.name,
                        user=team.leader_id.name,
                    )
                )

    @api.model
    def _get_team_of_users(self, users, companies):
        """{(user id, company id): team id} for the active teams of
        ``companies`` the users are in, in one query."""
        if not users or not companies:
            return {}
        rows = self.env.execute_query(
            SQL(
                """
                SELECT r.user_id, t.company_id, MIN(t.id)
                  FROM cycle_count_team_member_rel r
                  JOIN cycle_count_team t ON t.id = r.team_id AND t.active
                 WHERE r.user_id IN %(users)s AND t.company_id IN %(companies)s
                 GROUP BY 1, 2
                """,
                users=tuple(users.ids),
                companies=tuple(companies.ids),
            )
        )
        return {(user_id, company_id): team_id for user_id, company_id, team_id in rows}
