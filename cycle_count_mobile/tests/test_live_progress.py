import time

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.tests.common import WebsocketCase

from .common import ApiTestMixin
from .test_offline import DevTools


@tagged("post_install", "-at_install")
class TestLiveProgress(ApiTestMixin, WebsocketCase):
    """A supervisor watches the task list; counts arrive from a device through
    the API; the list shows the new progress without a reload, through Odoo's
    bus (websocket)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_mobile()

    def _stop_browser(self, browser):
        browser.stop()
        self._wait_remaining_requests()
        self.http_request_key = self.canonical_tag

    def test_the_task_list_follows_counts_as_they_arrive(self):
        # Read now: while the browser's websocket polls the bus, this thread must
        # not use the database (the test cursor's connection is shared).
        task_name = self.task.name
        channel = hashable(
            channel_with_db(self.registry.db_name, self.supervisor.partner_id)
        )
        counts = [
            {"line_id": line.id, "quantity": 1}
            for line in (self.line_apple, self.line_bolt, self.line_chip)
        ]
        browser = ChromeBrowser(self)
        self.addCleanup(self._stop_browser, browser)
        self.http_request_key = self.canonical_tag + "_browser_js"
        tools = DevTools(browser)
        self.authenticate("cc_supervisor", "cc_supervisor", browser=browser)
        self.cr.flush()
        self.cr.clear()
        browser.navigate_to(
            self.base_url()
            + "/odoo/action-cycle_count_planning.cycle_count_task_action",
            wait_stop=True,
        )
        tools.wait_for(
            f"document.querySelector('.o_list_view') && [...document.querySelectorAll('.o_data_row')]"
            f".some((r) => r.textContent.includes('{task_name}'))"
        )
        end = time.time() + 60
        while not dispatch._channels_to_ws.get(channel) and time.time() < end:
            time.sleep(0.2)
        self.assertTrue(
            dispatch._channels_to_ws.get(channel), "the bus never subscribed"
        )
        before = tools.evaluate(
            "[...document.querySelectorAll('.o_data_row')].find((r) => "
            f"r.textContent.includes('{task_name}')).querySelector('[name=progress]').textContent"
        )
        self.assertIn("0", before)
        self.assertNotIn("50", before)
        response = self.count(self.task.id, counts)
        self.assertEqual(response.status_code, 200)
        for websocket in dispatch._channels_to_ws.get(channel, []):
            websocket.trigger_notification_dispatching()
        tools.wait_for(
            "[...document.querySelectorAll('.o_data_row')].find((r) => "
            f"r.textContent.includes('{task_name}'))"
            ".querySelector('[name=progress]').textContent.includes('50')",
            timeout=60,
            message="the list did not show the new progress",
        )
