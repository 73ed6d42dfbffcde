/** @odoo-module **/

import { Component, useState } from "@odoo/owl";
import { MainComponentsContainer } from "@web/core/main_components_container";
import { _t } from "@web/core/l10n/translation";
import { useBus, useService } from "@web/core/utils/hooks";
import { signal } from "../device";
import { RefusedList } from "../refused_list/refused_list";
import { SwitchUser } from "../switch_user/switch_user";
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
    static components = {
        MainComponentsContainer,
        RefusedList,
        SwitchUser,
        SyncStatus,
        TaskList,
        TaskScreen,
    };
    static props = {};

    setup() {
        this.barcode = useService("barcode");
        this.store = useService("cycle_count_store");
        this.storeState = useState(this.store.state);
        // choice: a location scanned on the list that several tasks count there.
        this.state = useState({
            screen: "tasks",
            taskId: null,
            locationId: null,
            message: null,
            choice: null,
        });
        useBus(this.barcode.bus, "barcode_scanned", (ev) => this.onScanInList(ev.detail.barcode));
    }

    get loginUrl() {
        return `/web/login?redirect=${encodeURIComponent(this.store.config.app)}`;
    }

    get openTask() {
        return this.state.screen === "task" && this.storeState.tasks.find((t) => t.id === this.state.taskId);
    }

    get userName() {
        return this.store.config.user.name;
    }

    /** Open a task; at a location, counting starts there (no second scan). */
    showTask(task, locationId = null) {
        this.state.taskId = task.id;
        this.state.locationId = locationId;
        this.state.screen = "task";
        this.state.message = null;
        this.state.choice = null;
    }

    showTasks() {
        this.state.screen = "tasks";
        this.state.taskId = null;
        this.state.locationId = null;
        this.state.choice = null;
    }

    showRefused() {
        this.state.screen = "refused";
    }

    showSwitchUser() {
        this.state.screen = "switch";
    }

    /**
     * Location first: a location scanned on the task list opens the task that
     * counts there (mine, still open), at that location; several, a choice.
     */
    onScanInList(barcode) {
        const code = barcode.trim();
        if (this.state.screen !== "tasks") {
            return;
        }
        const here = this.storeState.tasks
            .map((task) => ({ task, location: task.locations.find((l) => l.barcode === code) }))
            .filter(
                ({ task, location }) =>
                    location && task.lines.some((line) => line.location_id === location.id)
            );
        const open = here.filter(({ task }) => this.store.isOpenForCounting(task));
        if (open.length === 1) {
            this.showTask(open[0].task, open[0].location.id);
            signal(true);
            return;
        }
        if (open.length > 1) {
            this.state.message = null;
            this.state.choice = {
                location: open[0].location.name,
                options: open.map(({ task, location }) => ({ taskId: task.id, locationId: location.id })),
            };
            signal(true);
            return;
        }
        this.state.choice = null;
        this.state.message = here.length
            ? _t("Your tasks at %(location)s are finished.", { location: here[0].location.name })
            : _t("Open a task first: %(barcode)s is not a location of your tasks.", {
                  barcode: code,
              });
        signal(false);
    }
}
