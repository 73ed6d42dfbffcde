from odoo import Command, fields
from odoo.tests import Form, new_test_user

from odoo.addons.cycle_count_planning.tests.common import COUNTER


def reject_with_comment(adjustment, user, comment):
    """Reject as a reviewer does: the Reject button opens OCA's comment wizard (in
    our own form), whose comment is the reason the counter reads."""
    action = adjustment.with_user(user).reject_tier()
    wizard = Form(
        adjustment.env["comment.wizard"]
        .with_user(user)
        .with_context(**action["context"]),
        view=action["view_id"],
    )
    wizard.comment = comment
    return wizard.save().add_comment()


def use_periodic_category(case):
    """Put the test products in a category of their own at periodic valuation
    (when stock_account is there): the tests check stock, not entries."""
    case.category = case.env["product.category"].create({"name": "Counted goods"})
    if "property_valuation" in case.category._fields:
        case.category.property_valuation = "manual_periodic"
    (
        case.product_apple | case.product_bolt | case.product_chip | case.product_lot
    ).categ_id = case.category


def counted_report(case, counts, user=None):
    """A variance report of a task built for just ``counts`` ({product:
    quantity}; the glue is counted on its lot), counted by ``user`` (the counter)
    and marked counted: several reports can wait side by side."""
    user = user or case.counter
    where = {
        case.product_apple: (case.bin_a, False),
        case.product_bolt: (case.bin_a, False),
        case.product_chip: (case.bin_b, False),
        case.product_lot: (case.bin_c, case.lot_1.id),
    }
    # As the planner does: tasks are the system's decision.
    task = (
        case.env["cycle.count.task"]
        .sudo()
        .create(
            {
                "warehouse_id": case.warehouse.id,
                "company_id": case.company.id,
                "user_id": user.id,
                "scheduled_date": fields.Date.today(),
            }
        )
    )
    case.env["cycle.count.line"].sudo().create(
        [
            {
                "task_id": task.id,
                "location_id": where[product][0].id,
                "product_id": product.id,
                "lot_id": where[product][1],
            }
            for product in counts
        ]
    )
    task = task.sudo(False).with_user(user)
    for line in task.line_ids:
        line.counted_qty = counts[line.product_id]
    task.action_mark_counted()
    return task.adjustment_ids.with_env(case.env)


def add_third_counter(case, login):
    """A third counter (Cora) in the warehouse's capacity beside Carl and Cleo:
    a blind recount goes to a counter who did not count before."""
    case.counter_3 = new_test_user(
        case.env,
        login=login,
        name="Cora Counter",
        groups=COUNTER,
        company_id=case.company.id,
        company_ids=[Command.set(case.company.ids)],
    )
    case.env["cycle.count.capacity"].create(
        {
            "warehouse_id": case.warehouse.id,
            "user_ids": [
                Command.set((case.counter | case.counter_2 | case.counter_3).ids)
            ],
        }
    )


def recount_beyond(env, company, pct=5):
    """A recount threshold of ``pct`` % either way."""
    return env["cycle.count.tolerance"].create(
        {
            "name": f"Recount beyond {pct} %",
            "kind": "recount",
            "company_id": company.id,
            "gain_pct": pct,
            "loss_pct": pct,
        }
    )
