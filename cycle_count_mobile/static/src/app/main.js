/** @odoo-module **/

import { whenReady } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { makeEnv, mountComponent, startServices } from "@web/env";
import { CycleCountApp } from "./cycle_count_app/cycle_count_app";

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

// Set before the page is ready, so that what loads after the app (the tours)
// can wait for it: resolved when the app shows the device's tasks and, online,
// what the server sent (the tasks and the catalog that scans are checked with).
const config = odoo.__cycle_count_app__;
let appReady;
config.whenReady = new Promise((resolve) => (appReady = resolve));

(async function startCycleCountApp() {
    await whenReady();
    // Read by the tests: how long the last scan took to show its answer.
    config.metrics = {};
    // A page of its own, not the web client: its env and services are started
    // here (the store among them, loaded from the device before the app shows).
    const env = makeEnv();
    await startServices(env);
    const store = env.services.cycle_count_store;
    // Read by the tests, as the app's own store.
    config.store = store;
    const app = await mountComponent(CycleCountApp, document.body, { env, name: "Cycle Count" });
    // As for Odoo's own root apps (mountComponent sets it only when it makes the env).
    odoo.__WOWL_DEBUG__ = { root: app.root.component };
    registerServiceWorker(config).catch((error) =>
        console.warn("The counting app cannot work offline here:", error.message)
    );
    if (store.state.online) {
        await store.refresh();
    }
    config.ready = true;
    appReady();
})();
