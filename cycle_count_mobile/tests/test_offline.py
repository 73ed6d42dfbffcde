import json
import time
from concurrent.futures import Future
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from ..controllers.app import CycleCountApp
from ..models.cycle_count_api import CycleCountApi
from .test_app_tours import AppCaseMixin

OFFLINE = {
    "offline": True,
    "latency": 0,
    "downloadThroughput": -1,
    "uploadThroughput": -1,
}
ONLINE = {**OFFLINE, "offline": False}
APP = "odoo.__cycle_count_app__"


class DevTools:
    """Chrome DevTools commands on the page and on its service worker (attached
    through Target.setAutoAttach), over the test browser's websocket."""

    def __init__(self, browser):
        self.browser = browser
        self.workers = []
        browser._handlers["Target.attachedToTarget"] = self._attached

    def _attached(self, sessionId, targetInfo, **_kwargs):
        if targetInfo["type"] == "service_worker":
            self.workers.append(sessionId)

    def send(self, method, params=None, session=None, timeout=20):
        request_id = next(self.browser._request_id)
        future = self.browser._responses[request_id] = Future()
        payload = {"id": request_id, "method": method, "params": params or {}}
        if session:
            payload["sessionId"] = session
        self.browser.ws.send(json.dumps(payload))
        return future.result(timeout=timeout)

    def evaluate(self, expression, timeout=30):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=30, message=None):
        end = time.time() + timeout
        while time.time() < end:
            if self.evaluate(
                f"(async () => {{ try {{ return !!({expression}); }} catch {{ return false; }} }})()"
            ):
                return
            time.sleep(0.2)
        state = self.evaluate(
            "JSON.stringify({url: location.href, text: document.body && document.body.innerText.slice(0, 300), "
            "app: !!(window.odoo && odoo.__cycle_count_app__)})"
        )
        raise AssertionError(message or f"Never true: {expression} ({state})")

    def network(self, conditions):
        """Cut or give back the network, for the page and its service worker."""
        for session in [None, *self.workers]:
            self.send("Network.enable", session=session)
            self.send("Network.emulateNetworkConditions", conditions, session=session)


@tagged("post_install", "-at_install")
class TestOfflineCounting(AppCaseMixin, HttpCase):
    """The app goes offline, keeps counting (after a reload too), comes back
    online, and every count arrives exactly once, even when an answer of the
    server is lost on the way and the device sends the batch again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_app()
        # A smaller task: apples and bolts in A-01, chips in A-02.
        cls.task.sudo().line_ids.filtered(
            lambda line: line.location_id == cls.bin_c or line.lot_id
        ).unlink()

    def _stop_browser(self, browser):
        if browser.ws is not None and browser.ws.connected:
            browser.stop()
            self._wait_remaining_requests()
        self.http_request_key = self.canonical_tag

    def _open_app(self):
        """The counter's app in headless Chromium, online, its task loaded and
        its service worker in control: (browser, DevTools)."""
        browser = ChromeBrowser(self, success_signal="tour succeeded")
        self.addCleanup(self._stop_browser, browser)
        # As HttpCase.browser_js: the browser's requests use the test cursor.
        self.http_request_key = self.canonical_tag + "_browser_js"
        tools = DevTools(browser)
        self.authenticate("cc_counter", "cc_counter", browser=browser)
        tools.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True},
        )
        self.cr.flush()
        self.cr.clear()
        browser.navigate_to(self.base_url() + "/cycle_count/app", wait_stop=True)
        tools.wait_for(f"{APP}.ready && {APP}.store.state.tasks.length === 1")
        tools.wait_for("navigator.serviceWorker.controller")
        return browser, tools

    def test_count_offline_then_sync_exactly_once(self):
        pages = []
        batches = []
        app_config = CycleCountApp._app_config
        submit = CycleCountApi._submit_counts

        def counting_app(controller):
            pages.append(time.time())
            return app_config(controller)

        def counting_submit(api, task, counts):
            batches.append([count.get("client_id") for count in counts])
            return submit(api, task, counts)

        with (
            patch.object(CycleCountApp, "_app_config", counting_app),
            patch.object(CycleCountApi, "_submit_counts", counting_submit),
        ):
            # Online: the task is on the device, the service worker keeps the app.
            browser, tools = self._open_app()
            tools.wait_for(
                "caches.open('cycle-count-app-v1').then((c) => c.match('/cycle_count/app'))"
            )
            tools.wait_for(
                "caches.open('cycle-count-app-v1').then(async (c) => "
                "(await c.keys()).some((r) => r.url.includes('/web/assets/')))"
            )
            self.assertTrue(tools.workers, "the service worker was not attached")
            # The page itself, and the service worker's copy of it.
            served_online = len(pages)
            self.assertGreaterEqual(served_online, 1)

            # Offline, and the app reloaded: it starts from the service worker's
            # cache and the tasks kept in IndexedDB; the server is never asked.
            tools.network(OFFLINE)
            self.assertFalse(tools.evaluate("navigator.onLine"))
            tools.send("Page.reload")
            tools.wait_for(f"{APP}.ready && {APP}.store.state.tasks.length === 1")
            self.assertEqual(
                len(pages), served_online, "the reload offline reached the server"
            )
            tools.wait_for("odoo.isTourReady('cycle_count_mobile_offline_tour')")
            browser._wait_code_ok(
                "odoo.startTour('cycle_count_mobile_offline_tour', "
                "{stepDelay: 0, keepWatchBrowser: false, debug: false, "
                "startUrl: '/cycle_count/app', delayToCheckUndeterminisms: 0})",
                60,
            )
            self.assertEqual(batches, [], "a count reached the server while offline")
            self.assertFalse(self.device_counts())
            queued = tools.evaluate(
                f"{APP}.store.db.getAll('queue').then((q) => q.map((i) => [i.kind, i.client_id]))"
            )
            self.assertEqual(
                [kind for kind, _client in queued],
                ["count", "count", "count", "photo", "count", "count", "counted"],
            )
            count_ids = [client for kind, client in queued if kind == "count"]

            # Back online, but the server's first answer is lost on the way: the
            # batch was applied, the device does not know, and sends it again.
            lost = []

            def paused(**params):
                if (
                    "responseStatusCode" in params
                    and "/counts" in params["request"]["url"]
                    and not lost
                ):
                    lost.append(params["request"]["url"])
                    browser._websocket_send(
                        "Fetch.failRequest",
                        params={
                            "requestId": params["requestId"],
                            "errorReason": "ConnectionReset",
                        },
                    )
                elif "responseStatusCode" in params:
                    browser._websocket_send(
                        "Fetch.continueRequest",
                        params={"requestId": params["requestId"]},
                    )
                else:
                    browser._handle_request_paused(**params)

            browser._handlers["Fetch.requestPaused"] = paused
            tools.send(
                "Fetch.enable",
                {
                    "patterns": [
                        {"urlPattern": "*", "requestStage": "Request"},
                        {
                            "urlPattern": "*/cycle_count/api/v1/*",
                            "requestStage": "Response",
                        },
                    ]
                },
            )
            tools.network(ONLINE)
            end = time.time() + 60
            while (
                tools.evaluate(f"{APP}.store.state.queue.length") and time.time() < end
            ):
                if tools.evaluate(
                    f"!{APP}.store.state.syncing && !!{APP}.store.state.lastError"
                ):
                    # The device retries by itself after 15 s; do not wait.
                    tools.evaluate(f"{APP}.store.sync().then(() => true)")
                time.sleep(0.3)
            self.assertEqual(tools.evaluate(f"{APP}.store.state.queue.length"), 0)
            self.assertEqual(tools.evaluate(f"{APP}.store.state.refused.length"), 0)

        self.assertEqual(len(lost), 1, "no answer was lost: the retry was not tested")
        # In the order counted: the three counts before the photo, sent twice
        # (the first answer was lost), then the photo, then the last two counts.
        self.assertEqual(batches, [count_ids[:3], count_ids[:3], count_ids[3:]])
        # ...and every count was applied exactly once.
        sync_records = self.device_counts()
        counts = sync_records.filtered(lambda r: r.kind == "count")
        self.assertEqual(sorted(counts.mapped("client_ref")), sorted(count_ids))
        self.assertEqual(len(sync_records.filtered(lambda r: r.kind == "photo")), 1)
        task = self.task
        self.assertEqual(task.state, "counted")
        counted = {
            (line.location_id, line.product_id): (line.counted_qty, line.is_found)
            for line in task.line_ids
        }
        self.assertEqual(
            counted,
            {
                (self.bin_a, self.product_apple): (9, False),
                # Counted 10, then recounted 12 offline: the later count won.
                (self.bin_a, self.product_bolt): (12, False),
                (self.bin_a, self.product_chip): (3, True),
                (self.bin_b, self.product_chip): (0, False),
            },
        )
        found = task.line_ids.filtered("is_found")
        self.assertEqual(len(found.attachment_ids), 1)
        # The counts carry the moment they were made offline, not of the sync.
        self.assertTrue(all(line.counted_at for line in task.line_ids))

    def test_refused_counts_stay_visible_with_their_reason(self):
        """Counted offline; meanwhile the supervisor cancels the task. Back online
        the server refuses the count: the device keeps it, with the reason, in
        its "not accepted" list, across reloads, until the counter dismisses it."""
        browser, tools = self._open_app()
        tools.network(OFFLINE)
        scan = (
            "((code) => { for (const key of [...code, 'Enter']) document.body"
            ".dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true})); })"
        )
        tools.evaluate("document.querySelector('.o_ccm_task').click()")
        tools.wait_for("document.querySelector('.o_ccm_task_screen')")
        tools.evaluate(f"{scan}('CCT-A01')")
        tools.wait_for("document.querySelector('.o_ccm_current_location')")
        tools.evaluate(f"{scan}('4006381333931')")
        tools.wait_for("document.querySelector('.o_ccm_panel')")
        tools.evaluate(
            "document.querySelector('.o_ccm_keypad [data-key=\"4\"]').click()"
        )
        tools.wait_for(
            "document.querySelector('.o_ccm_qty').textContent.trim() === '4'"
        )
        tools.evaluate("document.querySelector('.o_ccm_ok').click()")
        tools.wait_for(f"{APP}.store.state.queue.length === 1")
        # The browser is offline: nothing else uses the database now.
        self.task.with_user(self.supervisor).action_cancel()
        self.env.flush_all()
        tools.network(ONLINE)
        tools.wait_for(
            f"{APP}.store.state.refused.length === 1 && !{APP}.store.state.queue.length",
            message="the refused count was not set aside",
        )
        tools.evaluate("document.querySelector('.o_ccm_refused_badge').click()")
        tools.wait_for(
            "document.querySelector('.o_ccm_refused_reason')"
            ".textContent.includes('no longer open for counting')"
        )
        self.assertEqual(
            tools.evaluate(
                "document.querySelector('.o_ccm_refused_qty').textContent.trim()"
            ),
            "4",
        )
        # Kept on the device: still there after a reload.
        tools.send("Page.reload")
        tools.wait_for(f"{APP}.ready && {APP}.store.state.refused.length === 1")
        tools.evaluate("document.querySelector('.o_ccm_refused_badge').click()")
        tools.wait_for("document.querySelector('.o_ccm_dismiss')")
        tools.evaluate("document.querySelector('.o_ccm_dismiss').click()")
        tools.wait_for(f"{APP}.store.db.getAll('refused').then((r) => r.length === 0)")
        self._stop_browser(browser)
        self.assertFalse(self.line_apple.is_counted)
        self.assertFalse(self.device_counts())
