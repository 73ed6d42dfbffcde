/** @odoo-module **/

import { Component, onPatched, reactive, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { useBus, useService } from "@web/core/utils/hooks";
import { ConfirmCard } from "../confirm_card/confirm_card";
import { LineList } from "../line_list/line_list";
import { LocationList } from "../location_list/location_list";
import { QuantityPanel } from "../quantity_panel/quantity_panel";
import { ScanPanel } from "../scan_panel/scan_panel";
import { CountingSession } from "./counting_session";
import { ScanHandler } from "./scan_handler";

/**
 * Counting one task: pick or scan a location, scan items, type quantities. Every
 * scan is answered from the device, and every count is stored on the device
 * before it is sent. The screen holds the counting session its parts share.
 */
export class TaskScreen extends Component {
    static template = "cycle_count_mobile.TaskScreen";
    static components = { ConfirmCard, LineList, LocationList, QuantityPanel, ScanPanel };
    // locationId: opened from a location scanned on the task list, counted first.
    static props = { taskId: Number, locationId: { optional: true }, onBack: Function };

    setup() {
        this.store = useService("cycle_count_store");
        this.barcode = useService("barcode");
        const session = reactive(new CountingSession(this.store, this.props.taskId, () => this.props.onBack()));
        this.scans = new ScanHandler(session);
        this.session = useState(session);
        const location = this.props.locationId && session.task.locations.find((l) => l.id === this.props.locationId);
        if (location && !session.isClosed) {
            session.enterLocation(location);
        }
        useBus(this.barcode.bus, "barcode_scanned", (ev) => this.onScan(ev.detail.barcode));
        onPatched(() => {
            // Every scan ends with a message, shown here: the answer is on the screen.
            const cache = session.cache;
            if (cache.scanStartedAt !== null) {
                const metrics = this.store.config.metrics;
                metrics.lastScanMs = browser.performance.now() - cache.scanStartedAt;
                metrics.scans = (metrics.scans || 0) + 1;
                cache.scanStartedAt = null;
            }
        });
    }

    get task() {
        return this.session.task;
    }

    onScan(barcode) {
        this.scans.onScan(barcode);
    }

    /** A product picked from a search, for an item without a readable label. */
    onPick(product) {
        this.session.pickProduct(product, this.scans);
    }
}
