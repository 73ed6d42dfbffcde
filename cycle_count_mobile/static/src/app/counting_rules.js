/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";

/**
 * The counting rules as the server defines them, sent in the app's config
 * (`config.counting`, built from the same single definitions the API enforces):
 * which task states accept counts, what a quantity may be, what a client id looks
 * like, how many counts one request may carry. The app checks them first so that
 * the counter hears at once; the server checks them again. Nothing here restates
 * a rule: what the config does not carry is left to the server's answer.
 */
export class CountingRules {
    constructor(counting) {
        const rules = counting || {};
        this.countingStates = rules.counting_states || null;
        this.clientIdPattern = rules.client_id_pattern ? new RegExp(rules.client_id_pattern) : null;
        this.maxCountsPerBatch = rules.max_counts_per_batch || null;
        this.minQuantity = rules.min_quantity ?? null;
        this.serialQuantities = rules.serial_quantities || null;
        // What a counter may say they saw: [{ value, label }], labels translated.
        this.countHints = rules.count_hints || [];
        this.maxNoteLength = rules.max_note_length || null;
    }

    /** Counts are accepted on this task (and the device has not finished it). */
    isOpenForCounting(task) {
        if (task.local_state === "counted") {
            return false;
        }
        // By the state: the device follows it from every answer (a count puts a
        // task in progress, /counted ends it), the task's is_open_for_counting
        // only from the last download.
        if (this.countingStates) {
            return this.countingStates.includes(task.state);
        }
        return task.is_open_for_counting !== false;
    }

    /** Why `text` cannot be recorded as the count of `product`, or null. */
    quantityError(text, product) {
        const qty = Number(text);
        if (!Number.isFinite(qty) || (this.minQuantity !== null && qty < this.minQuantity)) {
            return _t("%(qty)s is not a quantity.", { qty: text });
        }
        if (
            product.tracking === "serial" &&
            this.serialQuantities &&
            !this.serialQuantities.includes(qty)
        ) {
            return _t("A serial number is counted 1 (there) or 0 (not there).");
        }
        return null;
    }

    /** The label of a hint the counter gave (or the code, if unknown here). */
    hintLabel(value) {
        return this.countHints.find((hint) => hint.value === value)?.label || value;
    }

    /** The client id the server will accept (a device id that does not match is a bug here). */
    checkClientId(clientId) {
        if (this.clientIdPattern && !this.clientIdPattern.test(clientId)) {
            throw new Error(`The client id ${clientId} does not match ${this.clientIdPattern}`);
        }
        return clientId;
    }

    /** How many counts to send in one request: ours, within the server's limit. */
    batchSize(preferred) {
        return this.maxCountsPerBatch ? Math.min(preferred, this.maxCountsPerBatch) : preferred;
    }
}
