/** @odoo-module **/
import { registry } from "@web/core/registry";
import { patient } from "@cycle_count_planning/../tests/tours/tour_utils";

// A counter opens today's task, types what they found on each line of the
// counting list and marks the task counted.
registry.category("web_tour.tours").add("cycle_count_counting_tour", {
    steps: () =>
        patient([
        {
            content: "Open my task",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=name]:contains('CC/')",
            run: "click",
        },
        {
            content: "The counter never sees the book quantity",
            trigger: ".o_field_one2many[name=line_ids]:not(:has(th[data-name=book_qty]))",
        },
        {
            content: "First line: Apple Juice",
            trigger: ".o_field_one2many .o_data_row:eq(0) .o_data_cell[name=counted_qty]",
            run: "click",
        },
        {
            trigger: ".o_field_one2many .o_data_row:eq(0) .o_data_cell[name=counted_qty] input",
            run: "edit 8",
        },
        {
            content: "Second line: Bolt M8",
            trigger: ".o_field_one2many .o_data_row:eq(1) .o_data_cell[name=counted_qty]",
            run: "click",
        },
        {
            trigger: ".o_field_one2many .o_data_row:eq(1) .o_data_cell[name=counted_qty] input",
            run: "edit 50",
        },
        {
            content: "Save the counts",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Both lines show as counted",
            trigger: ".o_field_widget[name=progress]:contains('100')",
        },
        {
            content: "Finish counting",
            trigger: "button[name=action_mark_counted]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            // Done when planning alone finishes it (or every count matched);
            // Counted while approval reviews differences. A blind counter is
            // told neither: submitted, and back to their tasks.
            content: "The task is submitted",
            trigger: ".o_notification:contains('submitted')",
        },
        {
            content: "Back to the counter's tasks, without this one",
            trigger: ".o_list_view, .o_view_nocontent",
        },
    ]),
});
