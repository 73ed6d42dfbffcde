# Run by scripts/test.sh with `odoo shell` on a database of the 18.0.1.x release
# (its own code), before the upgrade check: the demo data holds no ABC classes, no
# events, no capacity, no photo and nothing sent by a device, so this adds some of
# each through that release's own methods — the upgrade must then keep them too.
# `env` is the shell's environment (superuser).
# ruff: noqa: F821
import base64
import datetime
import uuid

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)

env["cycle.count.abc.profile"].search([]).action_compute()

tasks = env["cycle.count.task"].search(
    [("state", "=", "draft"), ("user_id", "!=", False)]
)
task = tasks.sorted(lambda t: -len(t.line_ids))[:1]
counter = task.user_id
lines = task.line_ids[:6]
now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
counts = [
    {
        "client_id": str(uuid.uuid4()),
        "line_id": line.id,
        "quantity": 1 if line.product_id.tracking == "serial" else 3 + index,
        "counted_at": (now - datetime.timedelta(minutes=10 - index)).isoformat(),
    }
    for index, line in enumerate(lines)
]
task.with_user(counter)._submit_device_counts(counts)
lines[:1].with_user(counter)._add_device_photo(str(uuid.uuid4()), "damage.png", PNG)

warehouse = task.warehouse_id
env["cycle.count.capacity"].create(
    {
        "warehouse_id": warehouse.id,
        "lines_per_counter": 200,
        "user_ids": [(6, 0, counter.ids)],
    }
)
quants = env["stock.quant"].search(
    [("location_id.usage", "=", "internal"), ("quantity", ">", 0)], limit=3
)
env["cycle.count.event"].create(
    [
        {
            "company_id": quant.company_id.id,
            "warehouse_id": quant.location_id.warehouse_id.id,
            "location_id": quant.location_id.id,
            "product_id": quant.product_id.id,
            "lot_id": quant.lot_id.id,
            "event_type": event_type,
            "date": now.replace(tzinfo=None),
            "date_due": now.date(),
            "deadline": now.date() + datetime.timedelta(days=3),
            "quantity": quant.quantity,
            "state": state,
        }
        for quant, event_type, state in zip(
            quants,
            ["negative", "empty", "high_value"],
            ["open", "cancel", "open"],
            strict=False,
        )
    ]
)
env.cr.commit()
print("enriched:", len(counts), "counts,", len(quants), "events")
