from . import api, app
