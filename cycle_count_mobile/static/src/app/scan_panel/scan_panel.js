/** @odoo-module **/

import { Component, useRef, useState } from "@odoo/owl";
import { BarcodeScanner } from "@barcodes/components/barcode_scanner";
import { _t } from "@web/core/l10n/translation";
import { useAutofocus } from "@web/core/utils/hooks";
import { NetworkError } from "../api";

/** Odoo's camera scanner (its dialog, its "no camera" state), as a full button. */
export class CameraButton extends BarcodeScanner {
    static template = "cycle_count_mobile.CameraButton";
}

const MIN_SEARCH = 2;
const MAX_RESULTS = 20;

/**
 * How an item gets in without a scanner: the phone's camera, or typing. What is
 * typed is a barcode first (the same path as a scan); otherwise a search of the
 * products by name, internal reference or barcode: on the device over the task's
 * and the catalog's products, and on the server for the company's others.
 */
export class ScanPanel extends Component {
    static template = "cycle_count_mobile.ScanPanel";
    static components = { CameraButton };
    static props = { session: Object, onScan: Function, onPick: Function };

    setup() {
        this.state = useState({ entry: false, text: "", results: [], searched: false, searching: false });
        this.inputRef = useRef("entry");
        useAutofocus({ refName: "entry" });
    }

    get session() {
        return this.props.session;
    }

    get store() {
        return this.session.store;
    }

    onCameraScan(barcode) {
        this.props.onScan(barcode);
    }

    toggleEntry() {
        this.state.entry = !this.state.entry;
        this.state.text = "";
        this.state.results = [];
        this.state.searched = false;
    }

    /** The products on the device that match: the task's first. */
    localResults(text) {
        const needle = text.trim().toLowerCase();
        if (needle.length < MIN_SEARCH) {
            return [];
        }
        const task = this.session.task;
        const seen = new Set();
        const results = [];
        for (const product of [...task.products, ...(this.store.catalog.products || [])]) {
            if (seen.has(product.id) || results.length >= MAX_RESULTS) {
                continue;
            }
            const haystack = [product.name, product.default_code, product.barcode]
                .filter(Boolean)
                .join(" ")
                .toLowerCase();
            if (
                haystack.includes(needle) ||
                (product.packagings || []).some((p) => p.barcode === text.trim())
            ) {
                seen.add(product.id);
                results.push(product);
            }
        }
        return results;
    }

    onInput() {
        this.state.results = this.localResults(this.state.text);
        this.state.searched = false;
    }

    /** Enter / Go: a known barcode is a scan; anything else a search. */
    async submit() {
        const text = this.state.text.trim();
        if (!text) {
            return;
        }
        if (this.session.index.interpret(text).type !== "unknown") {
            this.state.entry = false;
            this.props.onScan(text);
            return;
        }
        this.state.results = this.localResults(text);
        if (text.length >= MIN_SEARCH && this.store.state.online) {
            this.state.searching = true;
            try {
                const known = new Set(this.state.results.map((p) => p.id));
                const found = await this.store.searchProducts(text);
                this.state.results.push(...found.filter((p) => !known.has(p.id)));
            } catch (error) {
                if (!(error instanceof NetworkError)) {
                    throw error;
                }
                // Offline after all: what the device holds is the answer.
            } finally {
                this.state.searching = false;
            }
        }
        this.state.searched = true;
        if (!this.state.results.length) {
            this.session.say(
                "danger",
                _t("Nothing found for %(text)s: not a barcode of this task, nor a product's name, code or barcode.", {
                    text,
                })
            );
        }
    }

    inTask(product) {
        return this.session.task.products.some((p) => p.id === product.id);
    }

    pick(product) {
        this.state.entry = false;
        this.props.onPick(this.store.productOf(this.session.task, product.id) || this.store.knowProduct(product));
    }
}
