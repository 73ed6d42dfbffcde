# Run by scripts/test.sh with `odoo shell` before the schemathesis step: a counter
# with an API key and an open task of a few lines (a lot-tracked product among
# them), so that the generated requests reach the endpoints' real work, not only
# "no such task". Prints "schemathesis: <api key> <task id> <line id>".
# `env` is the shell's environment (superuser).
# ruff: noqa: F821
import datetime
import uuid

from odoo import Command

tag = uuid.uuid4().hex[:8]
env = env(context=dict(env.context, tracking_disable=True))
warehouse = env["stock.warehouse"].search(
    [("company_id", "=", env.company.id)], limit=1
)
counter = env["res.users"].create(
    {
        "name": f"Schemathesis Counter {tag}",
        "login": f"st_counter_{tag}",
        "groups_id": [
            Command.set(
                [
                    env.ref("base.group_user").id,
                    env.ref("cycle_count_planning.group_cycle_count_counter").id,
                ]
            )
        ],
    }
)
products = env["product.product"].create(
    [
        {"name": f"ST Widget {tag}", "is_storable": True, "barcode": f"ST{tag}1"},
        {"name": f"ST Bolt {tag}", "is_storable": True, "barcode": f"ST{tag}2"},
        {"name": f"ST Glue {tag}", "is_storable": True, "tracking": "lot"},
    ]
)
lot = env["stock.lot"].create(
    {
        "name": f"ST-LOT-{tag}",
        "product_id": products[2].id,
        "company_id": env.company.id,
    }
)
location = warehouse.lot_stock_id
quant = env["stock.quant"]
quant._update_available_quantity(products[0], location, 12)
quant._update_available_quantity(products[1], location, 5)
quant._update_available_quantity(products[2], location, 3, lot_id=lot)
task = env["cycle.count.task"].create(
    {
        "warehouse_id": warehouse.id,
        "company_id": warehouse.company_id.id,
        "user_id": counter.id,
        "scheduled_date": datetime.date.today(),
    }
)
env["cycle.count.line"].create(
    [
        {
            "task_id": task.id,
            "location_id": location.id,
            "product_id": product.id,
            "lot_id": product_lot.id,
        }
        for product, product_lot in (
            (products[0], lot.browse()),
            (products[1], lot.browse()),
            (products[2], lot),
        )
    ]
)
key = (
    env["res.users.apikeys"]
    .with_user(counter)
    ._generate(
        "rpc", "schemathesis", datetime.datetime.now() + datetime.timedelta(days=1)
    )
)
env.cr.commit()
print(f"schemathesis: {key} {task.id} {task.line_ids[0].id}")
