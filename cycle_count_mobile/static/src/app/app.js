/** @odoo-module **/

import { Component, useState } from "@odoo/owl";
import { MainComponentsContainer } from "@web/core/main_components_container";
import { _t } from "@web/core/l10n/translation";
import { useBus, useService } from "@web/core/utils/hooks";
import { signal } from "./device";
import { TaskScreen } from "./task_screen";

/**
 * The counting app: my tasks for today (and overdue), a task, and the counts the
 * server did not accept. Works on what the device holds; the header says whether
 * the device is online and how much is still to send.
 */
export class CycleCountApp extends Component {
    static template = "cycle_count_mobile.App";
    static components = { MainComponentsContainer, TaskScreen };
    static props = { store: Object, config: Object, metrics: Object };

    setup() {
        this.barcode = useService("barcode");
        this.state = useState({ screen: "tasks", taskId: null, message: null });
        this.storeState = useState(this.props.store.state);
        useBus(this.barcode.bus, "barcode_scanned", (ev) => {
            if (this.state.screen !== "task") {
                this.onScanInList(ev.detail.barcode);
            }
        });
    }

    get store() {
        return this.props.store;
    }

    get tasks() {
        return this.storeState.tasks;
    }

    get loginUrl() {
        return `/web/login?redirect=${encodeURIComponent(this.props.config.app)}`;
    }

    isOverdue(task) {
        return task.overdue;
    }

    openTask(task) {
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
        const task = this.tasks.find((t) => t.locations.some((l) => l.barcode === code));
        if (task) {
            this.openTask(task);
            return;
        }
        this.state.message = _t("Open a task first: %(barcode)s is not a location of your tasks.", {
            barcode: code,
        });
        signal(false);
    }

    refresh() {
        this.store.refresh({ catalog: true });
    }

    sync() {
        this.store.sync();
    }

    dismiss(item) {
        this.store.dismissRefused(item);
    }

    kindLabel(item) {
        return {
            count: _t("Count"),
            photo: _t("Photo"),
            counted: _t("Task finished"),
        }[item.kind];
    }

    formatTime(iso) {
        return iso ? new Date(iso).toLocaleString() : "";
    }

    refusedWhen(item) {
        return _t("Counted %(counted)s, refused %(refused)s", {
            counted: this.formatTime(item.created_at),
            refused: this.formatTime(item.refused_at),
        });
    }

    toSend(task) {
        return _t("%(count)s to send", { count: this.store.pendingFor(task.id) });
    }
}
