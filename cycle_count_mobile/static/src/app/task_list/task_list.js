/** @odoo-module **/

import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";

/** My tasks for today and overdue, with their progress and what is still to send. */
export class TaskList extends Component {
    static template = "cycle_count_mobile.TaskList";
    static props = {
        // What a scan on the list did not find (a translated text), or null.
        message: { optional: true },
        // A location scanned here that several of my tasks count:
        // { location (name), options: [{ taskId, locationId }] }, or null.
        choice: { optional: true },
        // (task, locationId?): open the task, at that location when given.
        onOpenTask: Function,
    };

    setup() {
        this.store = useService("cycle_count_store");
        this.storeState = useState(this.store.state);
    }

    get tasks() {
        return this.storeState.tasks;
    }

    get userName() {
        return this.store.config.user.name;
    }

    get choices() {
        const choice = this.props.choice;
        return (choice?.options || [])
            .map((option) => ({ ...option, task: this.store.getTask(option.taskId) }))
            .filter((option) => option.task);
    }

    choiceTitle(choice) {
        return _t("Several of your tasks count %(location)s: which one?", {
            location: choice.location,
        });
    }

    isOverdue(task) {
        return task.overdue;
    }

    refresh() {
        this.store.refresh({ catalog: true });
    }

    toSend(task) {
        return _t("%(count)s to send", { count: this.store.pendingFor(task.id) });
    }
}
