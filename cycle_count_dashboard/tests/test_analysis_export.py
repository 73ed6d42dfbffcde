import base64
import io

import openpyxl

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase


@tagged("post_install", "-at_install")
class TestAnalysisExport(CycleCountCase):
    """Book: apple 10 × 10, bolt 50 × 25, chip 4 × 400, glue lot 20 × 5; the
    chip in a category of its own, so that the category sheet has two rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.electronics = cls.env["product.category"].create({"name": "Electronics"})
        cls.product_chip.categ_id = cls.electronics

    def _export(self, user=None, **values):
        wizard = (
            self.env["cycle.count.analysis.export"]
            .with_user(user or self.supervisor)
            .create(
                {
                    "date_from": fields.Date.today().replace(day=1),
                    "date_to": fields.Date.today(),
                    **values,
                }
            )
        )
        return wizard

    def _book(self, wizard):
        action = wizard.action_export()
        self.assertIn(f"id={wizard.id}", action["url"])
        self.assertTrue(wizard.file_name.endswith(".xlsx"))
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))

    def test_each_sheet_has_the_figures_of_the_views(self):
        task = self._counted_task(apple=12, bolt=46, chip=3, glue=20)
        wizard = self._export()
        book = self._book(wizard)
        dimensions = wizard._dimensions()
        self.assertEqual(book.sheetnames, [name for __, name in dimensions] + ["Lines"])
        report = self.env["cycle.count.accuracy.report"].with_user(self.supervisor)
        measures = wizard._measures()
        aggregates = wizard._aggregates()
        for groupby, name in dimensions:
            sheet = book[name]
            header = [c.value for c in sheet[3]]
            self.assertEqual(header, [name] + [h for __, h, __ in measures])
            rows = list(sheet.iter_rows(min_row=4, values_only=True))
            expected = report._read_group(
                [("warehouse_id", "=", self.warehouse.id)],
                [groupby],
                aggregates,
                order=groupby,
            )
            self.assertEqual(len(rows), len(expected), name)
            for row, (__, *values) in zip(rows, expected, strict=True):
                for got, want in zip(row[1:], values, strict=True):
                    self.assertAlmostEqual(got or 0, want or 0, places=6, msg=name)
        # By hand: two categories; the test category's apple (+2) and bolt (-4)
        # missed, its glue hit; the electronics' chip (-1) missed.
        category = {
            r[0]: r for r in book["Category"].iter_rows(min_row=4, values_only=True)
        }
        lines_col = [h for __, h, __ in measures].index("Lines") + 1
        self.assertEqual(category["Electronics"][lines_col], 1)
        self.assertEqual(
            sum(r[lines_col] for r in category.values()), len(task.line_ids)
        )
        self.assertEqual(
            len(list(book["Lines"].iter_rows(min_row=4, values_only=True))), 4
        )

    def test_the_scope_narrows_every_sheet(self):
        self._counted_task(apple=12, bolt=46, chip=3, glue=20)
        book = self._book(self._export(categ_ids=[Command.set(self.electronics.ids)]))
        lines = list(book["Lines"].iter_rows(min_row=4, values_only=True))
        self.assertEqual(len(lines), 1)
        rows = list(book["Warehouse"].iter_rows(min_row=4, values_only=True))
        self.assertEqual(rows[0][0], self.warehouse.display_name)
        self.assertEqual(rows[0][1], 1)
        # A period without counts: the sheets are there, empty.
        book = self._book(self._export(date_from="2001-01-01", date_to="2001-12-31"))
        self.assertFalse(list(book["Lines"].iter_rows(min_row=4, values_only=True)))

    def test_bad_input_is_refused_and_nothing_written(self):
        wizard = self._export(date_from=fields.Date.today(), date_to="2001-01-01")
        with self.assertRaisesRegex(UserError, "start of the period"):
            wizard.action_export()
        self.assertFalse(wizard.file_data)
        other = self.env["res.company"].create({"name": "Not Theirs"})
        # As a crafted request would: the form's domain is not a check.
        wizard = self._export(company_ids=[Command.set(other.ids)])
        with self.assertRaisesRegex(UserError, "Not Theirs"):
            wizard.action_export()
        self.assertFalse(wizard.file_data)

    def test_a_counter_sees_none_of_it(self):
        with self.assertRaises(AccessError):
            self._export(user=self.counter)
        menu = self.env.ref("cycle_count_dashboard.cycle_count_analysis_export_menu")
        Menu = self.env["ir.ui.menu"]
        self.assertNotIn(menu.id, Menu.with_user(self.counter)._visible_menu_ids())
        self.assertIn(menu.id, Menu.with_user(self.supervisor)._visible_menu_ids())
        self.assertIn(menu.id, Menu.with_user(self.finance)._visible_menu_ids())
