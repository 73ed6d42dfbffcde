// @odoo-module ignore
/* eslint-disable no-restricted-globals */
// The counting app's service worker (served at /cycle_count/app/sw.js): keeps the
// app's page and assets so that it starts without a network. Counts never pass
// through here: the app stores them in IndexedDB and sends them itself.

const CACHE = "cycle-count-app-v1";
const APP = "/cycle_count/app";
// Immutable (hashed) URLs: served from the cache first.
const HASHED = ["/web/assets/", "/web/webclient/translations/"];
// Static files: from the cache, refreshed in the background.
const STATIC = ["/web/static/", "/barcodes/static/", "/cycle_count_mobile/static/"];

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
    event.waitUntil(
        (async () => {
            for (const name of await caches.keys()) {
                if (name.startsWith("cycle-count-app-") && name !== CACHE) {
                    await caches.delete(name);
                }
            }
            await self.clients.claim();
        })()
    );
});

/** The page tells what it loaded; keep it all, drop assets of older versions. */
async function keep(urls) {
    const cache = await caches.open(CACHE);
    const wanted = new Set(urls.map((url) => new URL(url, self.location.origin).href));
    for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        if (HASHED.some((prefix) => path.startsWith(prefix)) && !wanted.has(request.url)) {
            await cache.delete(request);
        }
    }
    for (const url of wanted) {
        if (!(await cache.match(url))) {
            try {
                const response = await fetch(url, { credentials: "same-origin" });
                if (response.ok) {
                    await cache.put(url, response);
                }
            } catch {
                // Offline already: the next start fills the gap.
            }
        }
    }
}

self.addEventListener("message", (event) => {
    if (event.data?.type === "cache" && Array.isArray(event.data.urls)) {
        event.waitUntil(keep(event.data.urls));
    }
});

async function networkFirst(request) {
    const cache = await caches.open(CACHE);
    try {
        const response = await fetch(request);
        if (response.ok && !response.redirected) {
            await cache.put(APP, response.clone());
        }
        return response;
    } catch (error) {
        const cached = await cache.match(APP);
        if (cached) {
            return cached;
        }
        throw error;
    }
}

async function cacheFirst(request, refresh) {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(request);
    if (cached && !refresh) {
        return cached;
    }
    const fetching = fetch(request).then(async (response) => {
        if (response.ok) {
            await cache.put(request, response.clone());
        }
        return response;
    });
    if (cached) {
        fetching.catch(() => {});
        return cached;
    }
    return fetching;
}

self.addEventListener("fetch", (event) => {
    const request = event.request;
    const url = new URL(request.url);
    if (request.method !== "GET" || url.origin !== self.location.origin) {
        return;
    }
    if (request.mode === "navigate" && url.pathname === APP) {
        event.respondWith(networkFirst(request));
    } else if (HASHED.some((prefix) => url.pathname.startsWith(prefix))) {
        event.respondWith(cacheFirst(request, false));
    } else if (STATIC.some((prefix) => url.pathname.startsWith(prefix))) {
        event.respondWith(cacheFirst(request, true));
    }
});
