from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools.image import ImageProcess
from odoo.tools.mimetypes import guess_mimetype

from ..exceptions import ClientIdReused, NotAnImage, PayloadTooLarge

# Photos are compressed on the device (1600 px, JPEG); integrators get some slack.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_MIMETYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class CycleCountLine(models.Model):
    _inherit = "cycle.count.line"

    is_found = fields.Boolean(
        string="Found During Count",
        readonly=True,
        copy=False,
        help="Not listed by the plan: the counter found this item in the location.",
    )

    def _device_item_key(self):
        self.ensure_one()
        return (
            self.location_id.id,
            self.product_id.id,
            self.lot_id.id or 0,
            self.package_id.id or 0,
        )

    def _device_line(self):
        """A line as a device sees it: what to count and what was counted there,
        never the book quantity."""
        self.ensure_one()
        return {
            "id": self.id,
            "location_id": self.location_id.id,
            "product_id": self.product_id.id,
            "lot": {"id": self.lot_id.id, "name": self.lot_id.name}
            if self.lot_id
            else None,
            "package": {"id": self.package_id.id, "name": self.package_id.name}
            if self.package_id
            else None,
            "is_counted": self.is_counted,
            "counted_qty": self.counted_qty if self.is_counted else None,
            "counted_at": self.task_id._device_datetime(self.counted_at),
            "is_found": self.is_found,
            "note": self.note or None,
            "photo_count": len(self.attachment_ids),
        }

    def _add_device_photo(self, client_ref, filename, data):
        """Attach a photo to this line, at most once per client id; return the
        attachment and whether it was a duplicate."""
        self.ensure_one()
        env = self.env
        task = self.task_id
        if client_ref:
            # sudo: client ids are unique across users.
            receipt = (
                env["cycle.count.receipt"]
                .sudo()
                .search([("client_ref", "=", client_ref)], limit=1)
            )
            if receipt:
                if (
                    receipt.kind == "photo"
                    and receipt.line_id == self
                    and receipt.user_id == env.user
                ):
                    return receipt.attachment_id, True
                raise ClientIdReused(
                    env._(
                        "Client id %(client)s was already used for something else; "
                        "generate a new id for each photo.",
                        client=client_ref,
                    )
                )
        task._check_device_access("write")
        self.check_access("write")
        task._check_open_for_device_counts()
        if len(data) > MAX_PHOTO_BYTES:
            raise PayloadTooLarge(
                env._(
                    "The photo is %(size)s MB; at most %(max)s MB is accepted. Send a "
                    "smaller JPEG (the app compresses to about 1600 pixels).",
                    size=round(len(data) / 1024 / 1024, 1),
                    max=MAX_PHOTO_BYTES // 1024 // 1024,
                ),
                code="photo_too_large",
            )
        mimetype = guess_mimetype(data, default="application/octet-stream")
        if mimetype not in PHOTO_MIMETYPES:
            raise NotAnImage(
                env._(
                    "This file is not a photo (%(type)s): send a JPEG, PNG or WebP "
                    "image.",
                    type=mimetype,
                )
            )
        try:
            ImageProcess(data, verify_resolution=True)
        except UserError as error:
            raise NotAnImage(
                env._(
                    "This photo cannot be read as an image (%(error)s): send a JPEG, "
                    "PNG or WebP image.",
                    error=error,
                )
            ) from error
        name = (filename or "").strip()[:128] or env._(
            "Photo of %(line)s", line=self.display_name
        )
        extension = PHOTO_MIMETYPES[mimetype]
        if not name.lower().endswith("." + extension):
            name = f"{name}.{extension}"
        attachment = env["ir.attachment"].create(
            {
                "name": name,
                "raw": data,
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.write({"attachment_ids": [Command.link(attachment.id)]})
        if client_ref:
            env["cycle.count.receipt"].sudo().create(
                {
                    "client_ref": client_ref,
                    "kind": "photo",
                    "task_id": task.id,
                    "line_id": self.id,
                    "user_id": env.uid,
                    "attachment_id": attachment.id,
                }
            )
            env["cycle.count.receipt"].flush_model()
        return attachment, False

    def _record_counts(self, counts):
        # Every count, from the app, the API or the backend list, shows live.
        lines = super()._record_counts(counts)
        lines.task_id._notify_count_progress()
        return lines
