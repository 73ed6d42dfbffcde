/** @odoo-module **/

import { onWillUnmount } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { debounce } from "@web/core/utils/timing";
import { useService } from "@web/core/utils/hooks";
import { FormController } from "@web/views/form/form_controller";
import { formView } from "@web/views/form/form_view";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

export const PROGRESS_NOTIFICATION = "cycle_count/task_progress";

/** Call `onProgress(payload)` when counts of a task arrive (Odoo's bus). */
export function useTaskProgress(onProgress) {
    const busService = useService("bus_service");
    const handler = debounce((payload) => onProgress(payload), 300);
    busService.subscribe(PROGRESS_NOTIFICATION, handler);
    busService.start();
    onWillUnmount(() => busService.unsubscribe(PROGRESS_NOTIFICATION, handler));
}

/** Count tasks whose progress moves while supervisors watch. */
export class CycleCountTaskLiveListController extends ListController {
    setup() {
        super.setup();
        useTaskProgress((payload) => {
            if (this.model.root.records.some((record) => record.resId === payload.task_id)) {
                this.model.load();
            }
        });
    }
}

export class CycleCountTaskLiveFormController extends FormController {
    setup() {
        super.setup();
        useTaskProgress(async (payload) => {
            const root = this.model.root;
            if (root.resId === payload.task_id && !(await root.isDirty())) {
                await root.load();
            }
        });
    }
}

registry.category("views").add("cycle_count_task_live_list", {
    ...listView,
    Controller: CycleCountTaskLiveListController,
});
registry.category("views").add("cycle_count_task_live_form", {
    ...formView,
    Controller: CycleCountTaskLiveFormController,
});
