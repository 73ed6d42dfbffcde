from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

COUNTER = "cycle_count_planning.group_cycle_count_counter"
SUPERVISOR = "cycle_count_planning.group_cycle_count_supervisor"
FINANCE = "cycle_count_planning.group_cycle_count_finance"
MANAGER = "cycle_count_planning.group_cycle_count_manager"


class CycleCountTestMixin:
    """Builds a small warehouse with bins, products and stock, and one user per
    cycle count group. Never relies on demo data."""

    @classmethod
    def _setup_cycle_count(cls, company=None):
        company = company or cls.env.company
        cls.company = company
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.warehouse = env["stock.warehouse"].create(
            {"name": "Cycle Count Test", "code": "CCT", "company_id": company.id}
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.bin_a, cls.bin_b, cls.bin_c = env["stock.location"].create(
            [
                {
                    "name": name,
                    "location_id": cls.stock_location.id,
                    "usage": "internal",
                }
                for name in ("A-01", "A-02", "B-01")
            ]
        )
        cls.product_apple, cls.product_bolt, cls.product_chip = env[
            "product.product"
        ].create(
            [
                {
                    "name": name,
                    "default_code": code,
                    "is_storable": True,
                    "standard_price": cost,
                    "company_id": False,
                }
                for name, code, cost in (
                    ("Apple Juice", "CC-APL", 10.0),
                    ("Bolt M8", "CC-BLT", 25.0),
                    ("Chip Set", "CC-CHP", 400.0),
                )
            ]
        )
        cls.product_lot = env["product.product"].create(
            {
                "name": "Lot Glue",
                "default_code": "CC-GLU",
                "is_storable": True,
                "tracking": "lot",
                "standard_price": 5.0,
            }
        )
        cls.lot_1 = env["stock.lot"].create(
            {
                "name": "GLU-001",
                "product_id": cls.product_lot.id,
                "company_id": company.id,
            }
        )
        quant = env["stock.quant"].sudo()
        quant._update_available_quantity(cls.product_apple, cls.bin_a, 10)
        quant._update_available_quantity(cls.product_bolt, cls.bin_a, 50)
        quant._update_available_quantity(cls.product_chip, cls.bin_b, 4)
        quant._update_available_quantity(
            cls.product_lot, cls.bin_c, 20, lot_id=cls.lot_1
        )
        user_values = {
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
        }
        cls.counter = new_test_user(
            env, login="cc_counter", name="Carl Counter", groups=COUNTER, **user_values
        )
        cls.counter_2 = new_test_user(
            env, login="cc_counter2", name="Cleo Counter", groups=COUNTER, **user_values
        )
        cls.supervisor = new_test_user(
            env,
            login="cc_supervisor",
            name="Sam Supervisor",
            groups=SUPERVISOR,
            **user_values,
        )
        cls.finance = new_test_user(
            env, login="cc_finance", name="Fay Finance", groups=FINANCE, **user_values
        )
        cls.manager = new_test_user(
            env, login="cc_manager", name="Otto Director", groups=MANAGER, **user_values
        )
        # The user running the tests sets things up like an administrator.
        cls.env.user.groups_id |= cls.env.ref(MANAGER)

    @classmethod
    def _create_rule(cls, **values):
        vals = {
            "name": "Everything monthly",
            "company_id": cls.company.id,
            "warehouse_id": cls.warehouse.id,
            "frequency_days": 30,
            "user_id": cls.counter.id,
        }
        vals.update(values)
        rule = cls.env["cycle.count.rule"].with_user(cls.manager).create(vals)
        return rule.with_env(cls.env)

    @classmethod
    def _move(cls, product, source, dest, qty, days_ago=0, lot=None, inventory=False):
        """A done stock move of ``qty`` from ``source`` to ``dest``, dated
        ``days_ago`` days back (its move line taken as given: no reservation, so
        it may drive a quant negative)."""
        move = cls.env["stock.move"].create(
            {
                "name": "Cycle count test move",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "company_id": (source.company_id or dest.company_id).id,
                # As Odoo: set on inventory adjustments only, else left empty.
                **({"is_inventory": True} if inventory else {}),
            }
        )
        move._action_confirm()
        move.move_line_ids.unlink()
        cls.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "product_id": product.id,
                "product_uom_id": product.uom_id.id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "quantity": qty,
                "lot_id": lot.id if lot else False,
                "company_id": move.company_id.id,
            }
        )
        move.picked = True
        move._action_done()
        if days_ago:
            date = fields.Datetime.now() - timedelta(days=days_ago)
            move.date = date
            move.move_line_ids.date = date
        return move

    @classmethod
    def _ship(cls, product, location, qty, days_ago=0, lot=None):
        """Deliver ``qty`` from ``location`` to a customer."""
        return cls._move(
            product,
            location,
            cls.env.ref("stock.stock_location_customers"),
            qty,
            days_ago=days_ago,
            lot=lot,
        )

    @classmethod
    def _receive(cls, product, location, qty, days_ago=0, lot=None):
        """Receive ``qty`` into ``location`` from a supplier."""
        return cls._move(
            product,
            cls.env.ref("stock.stock_location_suppliers"),
            location,
            qty,
            days_ago=days_ago,
            lot=lot,
        )

    @classmethod
    def _deliver_picking(cls, product, location, qty):
        """A delivery order through the usual flow: confirm, reserve, validate."""
        warehouse = location.warehouse_id
        customers = cls.env.ref("stock.stock_location_customers")
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": location.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": location.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.button_validate()
        return picking

    @classmethod
    def _abc_profile(cls, **values):
        """The company-wide ABC profile (created with the company), set up with
        ``values`` and computed."""
        profile = cls.env["cycle.count.abc.profile"].search(
            [("company_id", "=", cls.company.id), ("warehouse_id", "=", False)]
        )
        profile.write(values)
        profile._compute_classes()
        return profile

    def _count_queries(self, function, *args, cached=False, **kwargs):
        """How many SQL queries ``function`` runs, flushing included; from a cold
        cache unless ``cached``."""
        self.env.flush_all()
        if not cached:
            self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        function(*args, **kwargs)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _plan(self, rules, today=None):
        return self.env["cycle.count.planner"]._plan(
            rules, today or fields.Date.context_today(rules)
        )

    def _count(self, task, quantities, user=None):
        """Count ``task`` as ``user`` (default: its counter): ``quantities`` maps a
        product, or a (product, lot) pair for tracked lines, to the quantity."""
        task = task.with_user(user or task.user_id)
        for line in task.line_ids:
            key = (line.product_id, line.lot_id) if line.lot_id else line.product_id
            line.counted_qty = quantities[key]
        return task

    def _count_stock(self, task, apple=10, bolt=50, chip=4, glue=20):
        """Count the test stock (book: apple 10, bolt 50, chip 4, glue lot 20)."""
        return self._count(
            task,
            {
                self.product_apple: apple,
                self.product_bolt: bolt,
                self.product_chip: chip,
                (self.product_lot, self.lot_1): glue,
            },
        )

    def _counted_task(self, user=None, **counts):
        """Plan every item for ``user`` (default: the counter), count it as
        ``counts`` say (else as the books) and mark the task counted."""
        task = self._plan(self._create_rule(user_id=(user or self.counter).id))
        self._count_stock(task, **counts)
        task.with_user(task.user_id).action_mark_counted()
        return task


class CycleCountCase(CycleCountTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
