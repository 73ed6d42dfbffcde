/** @odoo-module **/

import { Component, useState } from "@odoo/owl";
import { MainComponentsContainer } from "@web/core/main_components_container";
import { _t } from "@web/core/l10n/translation";
import { useBus, useService } from "@web/core/utils/hooks";
import { signal } from "../device";
import { RefusedList } from "../refused_list/refused_list";
import { SyncStatus } from "../sync_status/sync_status";
import { TaskList } from "../task_list/task_list";
import { TaskScreen } from "../task_screen/task_screen";

/**
 * The counting app: my tasks for today (and overdue), a task, and the counts the
 * server did not accept. Works on what the device holds; the header says whether
 * the device is online and how much is still to send.
 */
export class CycleCountApp extends Component {
    static template = "cycle_count_mobile.CycleCountApp";
    static components = { MainComponentsContainer, RefusedList, SyncStatus, TaskList, TaskScreen };
    static props = {};

    setup() {
        this.barcode = useService("barcode");
        this.store = useService("cycle_count_store");
        this.storeState = useState(this.store.state);
        this.state = useState({ screen: "tasks", taskId: null, message: null });
        useBus(this.barcode.bus, "barcode_scanned", (ev) => {
            if (this.state.screen !== "task") {
                this.onScanInList(ev.detail.barcode);
            }
        });
    }

    get loginUrl() {
        return `/web/login?redirect=${encodeURIComponent(this.store.config.app)}`;
    }

    get openTask() {
        return this.state.screen === "task" && this.storeState.tasks.find((t) => t.id === this.state.taskId);
    }

    showTask(task) {
        this.state.taskId = task.id;
        this.state.screen = "task";
        this.state.message = null;
    }

    showTasks() {
        this.state.screen = "tasks";
        this.state.taskId = null;
    }

    showRefused() {
        this.state.screen = "refused";
    }

    /** A location scanned on the task list opens the task that counts it. */
    onScanInList(barcode) {
        const code = barcode.trim();
        const task = this.storeState.tasks.find((t) => t.locations.some((l) => l.barcode === code));
        if (task) {
            this.showTask(task);
            return;
        }
        this.state.message = _t("Open a task first: %(barcode)s is not a location of your tasks.", {
            barcode: code,
        });
        signal(false);
    }
}
