/** @odoo-module **/
import { registry } from "@web/core/registry";

// A shared PDA, a location scanned first, a task sent back for a recount.
// Barcodes arrive as a keyboard-wedge scanner types them: one keydown per
// character, then Enter, on the page (Odoo's barcode service listens there).
function scan(barcode, content) {
    return {
        content: content || `Scan ${barcode}`,
        trigger: ".o_ccm_app",
        run() {
            for (const key of [...barcode, "Enter"]) {
                document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
            }
        },
    };
}

const REASON = "Shelf B-01 has a hidden row";

// On the task list: a location scanned opens the task that counts there, at that
// location; two tasks counting the same location, a choice; the task sent back
// for a recount says so, with the supervisor's comment, and shows no earlier count.
registry.category("web_tour.tours").add("cycle_count_location_first_tour", {
    wait_for: odoo.__cycle_count_app__?.whenReady,
    steps: () => [
        {
            content: "The recount is marked as such on the list, with the comment",
            trigger: `.o_ccm_task:has(.o_ccm_recount:contains('Recount')) .o_ccm_recount_reason:contains('${REASON}')`,
        },
        { trigger: ".o_ccm_task:not(:has(.o_ccm_recount)):contains('0 / 6')" },
        scan("CCT-A01", "Scan a location of one task only, on the list"),
        {
            content: "That task opens, counting at A-01: no second scan",
            trigger: ".o_ccm_task_screen:not(:has(.o_ccm_recount)) .o_ccm_current_location:contains('A-01')",
        },
        { trigger: ".o_ccm_task_screen .o_ccm_line[data-product='[CC-APL] Apple Juice']" },
        { content: "Back to the list", trigger: ".o_ccm_back", run: "click" },
        { trigger: ".o_ccm_task_list" },
        scan("CCT-B01", "Scan a location that two tasks count"),
        {
            content: "A choice between the two",
            trigger: ".o_ccm_location_choice:contains('B-01'):has(.o_ccm_choice:nth-of-type(2))",
        },
        {
            content: "Pick the recount",
            trigger: ".o_ccm_location_choice .o_ccm_choice:has(.badge:contains('Recount'))",
            run: "click",
        },
        {
            content: "The recount opens at B-01, with the supervisor's words",
            trigger: `.o_ccm_task_screen:has(.o_ccm_recount) .o_ccm_recount_reason:contains('${REASON}')`,
        },
        { trigger: ".o_ccm_task_screen .o_ccm_current_location:contains('B-01')" },
        {
            content: "Blind: the item to recount shows no earlier count",
            trigger: ".o_ccm_line[data-product='[CC-BLT] Bolt M8']:not(.o_ccm_line_counted)",
        },
        { content: "Back to the list", trigger: ".o_ccm_back", run: "click" },
        scan("CCT-Z99", "Scan a location none of my tasks counts"),
        {
            trigger: ".o_ccm_task_list .o_ccm_message:contains('is not a location of your tasks')",
        },
    ],
});

// Counter A, offline, counts 7 apples: the count waits on the device.
registry.category("web_tour.tours").add("cycle_count_shared_device_count_tour", {
    steps: () => [
        { content: "The device knows it is offline", trigger: ".o_ccm_offline" },
        { trigger: ".o_ccm_user_name:contains('Carl Counter')" },
        scan("CCT-A01", "Scan A-01 on the list: the task opens there"),
        { trigger: ".o_ccm_current_location:contains('A-01')" },
        scan("4006381333931"),
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('1')" },
        {
            content: "Keypad 7",
            trigger: ".o_ccm_keypad button[data-key='7']",
            run: "click",
        },
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('7')" },
        { content: "Confirm 7 apples", trigger: ".o_ccm_ok", run: "click" },
        { trigger: ".o_ccm_line[data-product='[CC-APL] Apple Juice'] .o_ccm_line_pending" },
        { content: "Back to the list", trigger: ".o_ccm_back", run: "click" },
        { trigger: ".o_ccm_offline ~ .o_ccm_sync[data-pending='1']" },
    ],
});

// Counter A's session has ended meanwhile (the count could not be sent): the
// switch screen says what stays on the device, and for whom.
registry.category("web_tour.tours").add("cycle_count_shared_device_switch_tour", {
    steps: () => [
        { content: "The session has ended", trigger: ".o_ccm_login" },
        { content: "Switch user", trigger: ".o_ccm_switch_user", run: "click" },
        { trigger: ".o_ccm_switch .o_ccm_switch_user_name:contains('Carl Counter')" },
        {
            content: "One thing not sent, kept for Carl Counter",
            trigger: ".o_ccm_switch_unsent[data-pending='1']:contains('Carl Counter')",
        },
        { trigger: ".o_ccm_switch .o_ccm_logout:not([disabled])" },
    ],
});

// Counter B on the same device: their own task only, nothing of A's to send.
registry.category("web_tour.tours").add("cycle_count_shared_device_other_user_tour", {
    wait_for: odoo.__cycle_count_app__?.whenReady,
    steps: () => [
        { trigger: ".o_ccm_online" },
        { trigger: ".o_ccm_user_name:contains('Cleo Counter')" },
        {
            content: "B's one task, none of A's",
            trigger: ".o_ccm_task_list:has(.o_ccm_task:contains('0 / 1')):not(:has(.o_ccm_task:nth-of-type(2))):not(:has(.o_ccm_recount))",
        },
        { trigger: ".o_ccm_sync[data-pending='0'][data-refused='0']" },
        scan("CCT-A01", "A's location: not one of B's tasks"),
        { trigger: ".o_ccm_message:contains('is not a location of your tasks')" },
        { content: "Switch user", trigger: ".o_ccm_switch_user", run: "click" },
        { trigger: ".o_ccm_switch .o_ccm_switch_user_name:contains('Cleo Counter')" },
        { trigger: ".o_ccm_switch .o_ccm_switch_all_sent" },
        { trigger: ".o_ccm_switch .o_ccm_logout:not([disabled])" },
    ],
});
