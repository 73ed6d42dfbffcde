import json

from odoo.tools import file_open

from odoo.addons.cycle_count_mobile.tests.common import ApiTestMixin


def load_served_openapi():
    """The document as served with the bridge: the counting API's paths and the
    approvals' (cycle.count.api._openapi_files, merged the same way)."""
    spec = None
    for path in (
        "cycle_count_mobile/static/api/openapi.json",
        "cycle_count_mobile_approval/static/api/openapi.json",
    ):
        with file_open(path) as document:
            part = json.load(document)
        if spec is None:
            spec = part
            continue
        spec["paths"].update(part["paths"])
        spec["components"]["schemas"].update(part["components"]["schemas"])
    return spec


class ApprovalApiMixin(ApiTestMixin):
    """Variance reports made by counting as the counter: book apple 10 × 10,
    bolt 50 × 25, chip 4 × 400."""

    OPENAPI = load_served_openapi()

    @classmethod
    def _setup_approvals(cls):
        cls._setup_mobile()
        cls._release_fixture_task()
        cls.supervisor_key = cls._api_key(cls.supervisor)
        cls.finance_key = cls._api_key(cls.finance)

    @classmethod
    def _report(cls, counts, user=None, warehouse=None):
        """Count ``counts`` ({(location, product): quantity}) as ``user`` (the
        counter) and mark it counted: the task's variance report."""
        user = user or cls.counter
        task = cls._make_task(
            user,
            [(location, product, None) for location, product in counts],
            warehouse=warehouse,
        )
        for line in task.with_user(user).line_ids:
            line.counted_qty = counts[(line.location_id, line.product_id)]
        task.with_user(user).action_mark_counted()
        return task.adjustment_ids
