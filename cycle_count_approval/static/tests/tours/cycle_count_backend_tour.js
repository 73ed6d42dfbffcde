/** @odoo-module **/
import { registry } from "@web/core/registry";

// On a desktop: All Tasks keeps the counted task that waits for approval.
registry.category("web_tour.tours").add("cycle_count_all_tasks_counted_tour", {
    steps: () => [
        {
            content: "All Tasks: the counted task waiting for approval is listed",
            trigger: ".o_list_view .o_data_row:has(.badge:contains('Counted'))",
        },
    ],
});

// On a desktop: the variance reports offer no New, neither in the list nor in
// the form; the product is shown once, its code in its own column. Opened at
// its own URL: a menu click while the task list was still loading destroyed
// that list mid-load in a loaded run ("Component is destroyed").
registry.category("web_tour.tours").add("cycle_count_variance_desktop_tour", {
    steps: () => [
        {
            content: "The report, and no New: the system creates them",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=name]:contains('CCA/')",
        },
        {
            trigger: ".o_control_panel:not(:has(.o_list_button_add))",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=name]:contains('CCA/')",
            run: "click",
        },
        {
            content: "The form offers no New either",
            trigger: ".o_form_view .o_field_widget[name=name]:contains('CCA/')",
        },
        {
            trigger: ".o_control_panel:not(:has(.o_form_button_create))",
        },
        {
            content: "The product without its code, the code in its own column",
            trigger: ".o_field_one2many[name=line_ids] .o_data_row:has(.o_data_cell[name=default_code]:contains('CC-APL')) .o_data_cell[name=product_id]:contains('Apple Juice'):not(:contains('CC-APL'))",
        },
    ],
});

// On a phone: the reports and their variances are cards.
registry.category("web_tour.tours").add("cycle_count_variance_phone_tour", {
    steps: () => [
        {
            content: "The reports as cards",
            trigger: ".o_kanban_view .o_kanban_record:contains('CCA/'):contains('Net')",
        },
        {
            trigger: ".o_control_panel:not(:has(.o-kanban-button-new))",
        },
        {
            content: "Open the report",
            trigger: ".o_kanban_record:contains('CCA/')",
            run: "click",
        },
        {
            content: "The variance as a card, book and counted quantities on it",
            trigger: ".o_field_one2many[name=line_ids] .o_kanban_record:contains('Apple Juice'):contains('Book'):contains('Counted')",
        },
        {
            content: "Approve with the button under the banner (the header's are in the gear menu)",
            trigger: ".o_cycle_count_phone_decision button[name=validate_tier]",
            run: "click",
        },
        {
            content: "Decided: no reviewer's buttons left, the report is applied",
            trigger: ".o_form_view:not(:has(.o_cycle_count_phone_decision button[name=validate_tier])) .o_form_sheet:contains('Applied to Stock On')",
        },
    ],
});
