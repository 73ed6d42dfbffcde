"""18.0.2.0.0: ``cycle.count.receipt`` is renamed ``cycle.count.sync.record`` (in
Odoo a receipt is an incoming picking): its table, sequence, indexes and
constraints, its model, fields, access rules and external ids, and the task's
``receipt_ids`` (now ``sync_record_ids``), so that every record and its client id
are kept (a count sent again is still answered ``duplicate``)."""

from odoo.tools import SQL

OLD_MODEL, NEW_MODEL = "cycle.count.receipt", "cycle.count.sync.record"
OLD_TABLE, NEW_TABLE = "cycle_count_receipt", "cycle_count_sync_record"


def _table_exists(cr, table):
    cr.execute("SELECT 1 FROM pg_class WHERE relname = %s AND relkind = 'r'", [table])
    return bool(cr.fetchone())


def _rename_table(cr):
    cr.execute(
        SQL(
            "ALTER TABLE %s RENAME TO %s",
            SQL.identifier(OLD_TABLE),
            SQL.identifier(NEW_TABLE),
        )
    )
    # Constraints (primary key, unique client id, foreign keys) by their names.
    cr.execute(
        """
        SELECT c.conname FROM pg_constraint c
          JOIN pg_class t ON t.oid = c.conrelid
         WHERE t.relname = %s AND c.conname LIKE %s
        """,
        [NEW_TABLE, OLD_TABLE + "%"],
    )
    for (name,) in cr.fetchall():
        cr.execute(
            SQL(
                "ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
                SQL.identifier(NEW_TABLE),
                SQL.identifier(name),
                SQL.identifier(NEW_TABLE + name[len(OLD_TABLE) :]),
            )
        )
    # Indexes and the id sequence (a renamed primary key renamed its index).
    cr.execute(
        "SELECT relname FROM pg_class WHERE relkind IN ('i', 'S') AND relname LIKE %s",
        [OLD_TABLE + "%"],
    )
    for (name,) in cr.fetchall():
        kind = "SEQUENCE" if name.endswith("_id_seq") else "INDEX"
        cr.execute(
            SQL(
                "ALTER %s %s RENAME TO %s",
                SQL(kind),
                SQL.identifier(name),
                SQL.identifier(NEW_TABLE + name[len(OLD_TABLE) :]),
            )
        )


def migrate(cr, version):
    if not version or not _table_exists(cr, OLD_TABLE):
        return
    _rename_table(cr)
    cr.execute(
        "UPDATE ir_model SET model = %s WHERE model = %s", [NEW_MODEL, OLD_MODEL]
    )
    for table, column in (
        ("ir_model_fields", "model"),
        ("ir_model_fields", "relation"),
        ("ir_model_data", "model"),
        ("ir_ui_view", "model"),
        ("ir_act_window", "res_model"),
        ("ir_attachment", "res_model"),
    ):
        cr.execute(
            SQL(
                "UPDATE %s SET %s = %s WHERE %s = %s",
                SQL.identifier(table),
                SQL.identifier(column),
                NEW_MODEL,
                SQL.identifier(column),
                OLD_MODEL,
            )
        )
    # An addon inheriting the task, updated before this one, may have written the
    # new field's record already: then the old one goes.
    cr.execute(
        """
        DELETE FROM ir_model_fields
         WHERE model = 'cycle.count.task' AND name = 'receipt_ids'
           AND EXISTS (SELECT 1 FROM ir_model_fields
                        WHERE model = 'cycle.count.task' AND name = 'sync_record_ids');
        UPDATE ir_model_fields SET name = 'sync_record_ids'
         WHERE model = 'cycle.count.task' AND name = 'receipt_ids'
        """
    )
    cr.execute(
        "UPDATE ir_model_constraint SET name = %s WHERE name = %s",
        [NEW_TABLE + "_client_ref_unique", OLD_TABLE + "_client_ref_unique"],
    )
    # External ids: the model, its fields and selections, access rules, record
    # rules, views, action and menu keep their records under the new names.
    cr.execute(
        """
        UPDATE ir_model_data
           SET name = replace(name, 'cycle_count_receipt', 'cycle_count_sync_record')
         WHERE module = 'cycle_count_mobile' AND name LIKE '%%cycle_count_receipt%%'
        """
    )
    cr.execute(
        """
        UPDATE ir_model_data SET name = 'field_cycle_count_task__sync_record_ids'
         WHERE module = 'cycle_count_mobile'
           AND name = 'field_cycle_count_task__receipt_ids'
        """
    )
