"""Errors of the counting API, raised by the models and mapped to HTTP by the
controllers. Each carries a stable machine-readable ``code``; a refused batch also
lists every refused count in ``items``."""

from odoo.exceptions import UserError, ValidationError


class CountBatchError(ValidationError):
    """A batch of counts refused whole: nothing of it was written. ``items`` lists
    each refused count: ``{"index", "client_id", "code", "message"}``."""

    code = "invalid_count"

    def __init__(self, message, items=()):
        super().__init__(message)
        self.items = list(items)


class PayloadTooLarge(UserError):
    """Too many counts in one batch, or too big a photo."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


class NotAnImage(UserError):
    """A photo that is not a JPEG, PNG or WebP image."""

    code = "not_an_image"


class TaskNotOpen(UserError):
    """The task is no longer open for counting (counted, done or cancelled)."""

    code = "task_not_open"


class ClientIdReused(ValidationError):
    """A client id already names another count or photo."""

    code = "client_id_reused"


class InvalidInput(ValidationError):
    """A parameter or a field of the request that cannot be used as given."""

    def __init__(self, message, code="invalid_input"):
        super().__init__(message)
        self.code = code
