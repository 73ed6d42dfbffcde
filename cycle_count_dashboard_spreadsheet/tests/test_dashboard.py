import json

from odoo.tests import HttpCase, tagged
from odoo.tools import file_open

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin

DASHBOARD = (
    "cycle_count_dashboard_spreadsheet.spreadsheet_dashboard_cycle_count_accuracy"
)
DATA = (
    "cycle_count_dashboard_spreadsheet/data/files/cycle_count_accuracy_dashboard.json"
)


@tagged("post_install", "-at_install")
class TestShippedDashboard(CycleCountTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def _data(self):
        with file_open(DATA) as f:
            return json.load(f)

    def test_every_pivot_reads_existing_fields(self):
        """The pivots' models, measures, rows and filter fields, and the
        actions they drill down to, exist (a renamed field would leave an
        empty dashboard, not an error)."""
        data = self._data()
        self.assertEqual(len(data["pivots"]), 5)
        for pivot in data["pivots"].values():
            model = self.env[pivot["model"]]
            for measure in pivot["measures"]:
                self.assertIn(measure["fieldName"], model._fields, pivot["name"])
            for row in pivot["rows"]:
                self.assertIn(row["fieldName"], model._fields, pivot["name"])
            for matching in pivot["fieldMatching"].values():
                self.assertIn(matching["chain"], model._fields, pivot["name"])
            if "actionXmlId" in pivot:
                action = self.env.ref(pivot["actionXmlId"])
                self.assertEqual(action.res_model, pivot["model"])
        for figure in data["sheets"][0]["figures"]:
            meta = figure["data"].get("metaData")
            if meta:
                self.assertIn(meta["measure"], self.env[meta["resModel"]]._fields)

    def test_figures_are_server_ratios(self):
        """The pivots read each measure with the field's own aggregator (no
        aggregator in the file): for a ratio it is the server's ratio of sums,
        never an average or a sum of the rows' percentages."""
        self._counted_task(apple=12, bolt=46, chip=3, glue=20)
        report = self.env["cycle.count.accuracy.report"]
        for pivot in self._data()["pivots"].values():
            for measure in pivot["measures"]:
                self.assertNotIn("aggregator", measure)
        for ratio, part in (("ira", "hit_count"), ("exact_rate", "exact_count")):
            aggregator = report._fields[ratio].aggregator or "sum"
            # Its own aggregator, and "sum" (a sum of the rows would be 100 ×
            # the hits): both give the ratio.
            [(value, summed, hits, lines)] = report._read_group(
                [("warehouse_id", "=", self.warehouse.id)],
                [],
                [
                    f"{ratio}:{aggregator}",
                    f"{ratio}:sum",
                    f"{part}:sum",
                    "line_count:sum",
                ],
            )
            self.assertEqual(lines, 4)
            self.assertAlmostEqual(value, 100.0 * hits / lines)
            self.assertAlmostEqual(summed, 100.0 * hits / lines)

    def test_a_counter_does_not_see_it(self):
        dashboard = self.env.ref(DASHBOARD)
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertNotIn(dashboard, Dashboard.with_user(self.counter).search([]))
        self.assertIn(dashboard, Dashboard.with_user(self.supervisor).search([]))
        self.assertIn(dashboard, Dashboard.with_user(self.finance).search([]))
        menu = self.env.ref(
            "cycle_count_dashboard_spreadsheet.cycle_count_analysis_export_dashboard_menu"
        )
        Menu = self.env["ir.ui.menu"]
        self.assertNotIn(menu.id, Menu.with_user(self.counter)._visible_menu_ids())
        self.assertIn(menu.id, Menu.with_user(self.supervisor)._visible_menu_ids())

    def test_tour_opens_the_dashboard_and_drills_down(self):
        self._counted_task(apple=12, bolt=46, chip=3, glue=20)
        self.start_tour(
            "/odoo/dashboards",
            "cycle_count_dashboard_spreadsheet_tour",
            login=self.supervisor.login,
            timeout=600,
        )
