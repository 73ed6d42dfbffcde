from contextlib import closing

from psycopg2 import errorcodes
from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestConcurrencyLog(TransactionCase):
    """Two batches of one task at once: the later one's task lock fails with a
    serialization failure that Odoo resolves by running the request again. That
    is no ERROR in the log (the test command fails on ERROR lines), and the
    failure still reaches Odoo's retry as the serialization failure it is."""

    def test_a_lock_refused_by_a_concurrent_update_logs_no_error(self):
        dbname = self.env.cr.dbname
        # A committed row that this test's own transaction never touches: two
        # real connections (the test cursor's work is invisible to them).
        record = self.env.ref("base.be")
        with (
            closing(sql_db.db_connect(dbname).cursor()) as mine,
            closing(sql_db.db_connect(dbname).cursor()) as other,
        ):
            mine.execute("SELECT 1")  # this transaction's snapshot
            other.execute(
                "UPDATE res_country SET write_date = write_date WHERE id = %s",
                [record.id],
            )
            other.commit()
            env = api.Environment(mine, SUPERUSER_ID, {})
            with (
                self.assertNoLogs("odoo.sql_db", level="ERROR"),
                self.assertRaises(SerializationFailure) as failure,
            ):
                env["cycle.count.api"]._lock_task(env["res.country"].browse(record.id))
            self.assertEqual(failure.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
            mine.rollback()
            # Run again, as Odoo's retry does: the lock is taken.
            env["cycle.count.api"]._lock_task(env["res.country"].browse(record.id))
            mine.rollback()

    def test_a_busy_task_is_not_waited_for(self):
        """Another request holds the task's lock: refused at once (the API
        answers 409 conflict, send again), without an ERROR line."""
        dbname = self.env.cr.dbname
        record = self.env.ref("base.be")
        with (
            closing(sql_db.db_connect(dbname).cursor()) as mine,
            closing(sql_db.db_connect(dbname).cursor()) as other,
        ):
            other.execute(
                "SELECT id FROM res_country WHERE id = %s FOR UPDATE", [record.id]
            )
            env = api.Environment(mine, SUPERUSER_ID, {})
            with (
                self.assertNoLogs("odoo.sql_db", level="ERROR"),
                self.assertRaises(LockNotAvailable),
            ):
                env["cycle.count.api"]._lock_task(env["res.country"].browse(record.id))
            mine.rollback()
            other.rollback()
