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
