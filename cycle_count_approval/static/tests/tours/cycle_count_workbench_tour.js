/** @odoo-module **/
import { registry } from "@web/core/registry";

// On a desktop (1440 × 900): Difference Analysis lists the variances of two
// reports; the chip's needs a reason (above the company's value), set in the
// list; then both reports are approved in one decision.
registry.category("web_tour.tours").add("cycle_count_workbench_tour", {
    steps: () => [
        {
            content: "The chip's variance, with the moves since its count",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=product_id]:contains('Chip Set')) .o_data_cell[name=moves_since_count]",
        },
        {
            content: "And the apple's, from the other report",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=product_id]:contains('Apple Juice')",
        },
        {
            content: "Edit the chip's reason",
            trigger: ".o_data_row:has(.o_data_cell[name=product_id]:contains('Chip Set')) .o_data_cell[name=reason_id]",
            run: "click",
        },
        {
            content: "Type the reason",
            trigger: ".o_selected_row .o_field_widget[name=reason_id] input",
            run: "edit Damaged",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item:contains('Damaged in bin')",
            run: "click",
        },
        { content: "Save the line", trigger: ".o_list_button_save", run: "click" },
        {
            content: "Saved",
            trigger: ".o_list_view:not(:has(.o_selected_row)) .o_data_row .o_data_cell[name=reason_id]:contains('Damaged in bin')",
        },
        {
            content: "Select every variance",
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Approve their reports",
            trigger: ".o_control_panel button:contains('Approve Reports')",
            run: "click",
        },
        {
            content: "Both reports are named",
            trigger: ".modal .o_field_widget[name=adjustment_ids] .o_tag:eq(1)",
        },
        { content: "Confirm", trigger: ".modal button[name=action_confirm]", run: "click" },
        {
            content: "Nothing is left to approve",
            trigger: "body:not(:has(.modal)) .o_view_nocontent",
        },
    ],
});
