/** @odoo-module **/

import { whenReady } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { mountComponent } from "@web/env";
import { CycleCountApp } from "./app";
import { CountStore } from "./count_store";

// What the service worker must keep for the app to start without a network.
const OFFLINE_PREFIXES = [
    "/web/assets/",
    "/web/webclient/translations/",
    "/web/static/",
    "/barcodes/static/",
    "/cycle_count_mobile/static/",
];

async function registerServiceWorker(config) {
    if (!("serviceWorker" in browser.navigator)) {
        return;
    }
    await browser.navigator.serviceWorker.register(`${config.app}/sw.js`, { scope: config.app });
    const registration = await browser.navigator.serviceWorker.ready;
    const urls = new Set([
        config.app,
        "/web/static/lib/zxing-library/zxing-library.js",
        "/barcodes/static/img/barcode.png",
    ]);
    for (const entry of browser.performance.getEntriesByType("resource")) {
        const url = new URL(entry.name);
        if (
            url.origin === browser.location.origin &&
            OFFLINE_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))
        ) {
            urls.add(url.pathname + url.search);
        }
    }
    registration.active?.postMessage({ type: "cache", urls: [...urls] });
}

(async function startCycleCountApp() {
    await whenReady();
    const config = odoo.__cycle_count_app__;
    const store = new CountStore(config);
    await store.load();
    // Read by the tests: how long the last scan took to show its answer.
    config.metrics = {};
    config.store = store;
    await mountComponent(CycleCountApp, document.body, {
        props: { store, config, metrics: config.metrics },
        name: "Cycle Count",
    });
    registerServiceWorker(config).catch((error) =>
        console.warn("The counting app cannot work offline here:", error.message)
    );
    if (store.state.online) {
        await store.refresh();
    }
    config.ready = true;
})();
