"""18.0.2.0.0: approval applies the approved variances to stock itself.

The stock moves' link to their variance (stock.move.cycle_count_adjustment_line_id,
cycle_count_adjustment_id), the report's moves (move_ids, move_count) and the
counters' read access to stock moves were cycle_count_accounting's; they are
this addon's now. Their external ids change owner before the update, so that
the columns, the fields and the access rules are the same records, and nothing is
dropped when cycle_count_accounting no longer declares them."""

from odoo.tools import SQL

MOVED_XMLIDS = (
    "field_stock_move__cycle_count_adjustment_line_id",
    "field_stock_move__cycle_count_adjustment_id",
    "field_cycle_count_adjustment__move_ids",
    "field_cycle_count_adjustment__move_count",
    "access_stock_move_cycle_count_supervisor",
    "access_stock_move_cycle_count_finance",
)


def migrate(cr, version):
    cr.execute(
        SQL(
            """
            UPDATE ir_model_data moved
               SET module = 'cycle_count_approval'
             WHERE moved.module = 'cycle_count_accounting'
               AND moved.name IN %(names)s
               AND NOT EXISTS (
                    SELECT 1 FROM ir_model_data taken
                     WHERE taken.module = 'cycle_count_approval'
                       AND taken.name = moved.name)
            """,
            names=MOVED_XMLIDS,
        )
    )
