from odoo.tests import Form


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
