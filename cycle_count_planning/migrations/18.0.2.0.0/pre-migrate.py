from odoo.tools.sql import column_exists, rename_column


def migrate(cr, version):
    """18.0.1.x → 18.0.2.0.0: the line's walking-route key ``location_sequence``
    is renamed ``route_key``. The column is renamed in place, so that the ORM
    finds it filled and recomputes nothing (200 000 lines keep their value); the
    field's metadata follows, so that Odoo does not drop it as a removed field.

    When an addon inheriting the line was updated before this one, the new code
    has already created an empty ``route_key`` (column and field record): it is
    then filled from the old column and the old one's traces are removed."""
    if not column_exists(cr, "cycle_count_line", "location_sequence"):
        return
    if not column_exists(cr, "cycle_count_line", "route_key"):
        rename_column(cr, "cycle_count_line", "location_sequence", "route_key")
    else:
        cr.execute(
            """
            UPDATE cycle_count_line SET route_key = location_sequence
             WHERE route_key IS NULL;
            ALTER TABLE cycle_count_line DROP COLUMN location_sequence
            """
        )
    cr.execute(
        """
        SELECT 1 FROM ir_model_fields
         WHERE model = 'cycle.count.line' AND name = 'route_key'
        """
    )
    if cr.fetchone():
        cr.execute(
            """
            DELETE FROM ir_model_data
             WHERE model = 'ir.model.fields' AND res_id IN (
                   SELECT id FROM ir_model_fields
                    WHERE model = 'cycle.count.line' AND name = 'location_sequence');
            DELETE FROM ir_model_fields
             WHERE model = 'cycle.count.line' AND name = 'location_sequence'
            """
        )
        return
    cr.execute(
        """
        UPDATE ir_model_fields SET name = 'route_key'
         WHERE model = 'cycle.count.line' AND name = 'location_sequence'
        """
    )
    cr.execute(
        """
        UPDATE ir_model_data SET name = 'field_cycle_count_line__route_key'
         WHERE module = 'cycle_count_planning' AND model = 'ir.model.fields'
           AND name = 'field_cycle_count_line__location_sequence'
        """
    )
