/** @odoo-module **/

import { browser } from "@web/core/browser/browser";

/** The network could not be reached (offline, DNS, server down, timeout). */
export class NetworkError extends Error {}

const TIMEOUT_MS = 30000;

/**
 * Call the counting API with the web session. Returns `{ status, data }` for every
 * HTTP answer (errors included: the caller decides); throws NetworkError when no
 * answer came. Session calls send JSON, which is what the API requires of them,
 * and name the `user` whose counts they carry (a shared device: see the README).
 */
export async function apiCall(base, path, { method = "GET", body, user } = {}) {
    const controller = new AbortController();
    const timer = browser.setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
        response = await browser.fetch(base + path, {
            method,
            credentials: "same-origin",
            headers: {
                "Content-Type": "application/json",
                Accept: "application/json",
                // Whose counts these are: refused if the session is now another's.
                ...(user ? { "X-Cycle-Count-User": String(user) } : {}),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: controller.signal,
        });
    } catch (error) {
        throw new NetworkError(error.message);
    } finally {
        browser.clearTimeout(timer);
    }
    let data = null;
    try {
        data = await response.json();
    } catch {
        // A proxy's HTML error page: keep the status only.
    }
    if (response.status >= 500 || (response.status >= 400 && !data)) {
        // The server is there but not answering the API: try again later.
        throw new NetworkError(`HTTP ${response.status}`);
    }
    return { status: response.status, data };
}
