/** @odoo-module **/
import { registry } from "@web/core/registry";

// The list's Posted column (a report posted in the click: 100 %; one being
// posted in the background: its share), then the form's "2 / 3 lines posted".
registry.category("web_tour.tours").add("cycle_count_progress_tour", {
    steps: () => [
        {
            content: "The report posted in the click shows 100 %",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=state]:contains('Applied to Stock')) .o_data_cell[name=apply_progress] .o_progressbar_value:contains('100')",
        },
        {
            content: "The report being posted shows its share",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=state]:contains('Approved')) .o_data_cell[name=apply_progress] .o_progressbar_value:contains('66')",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=state]:contains('Approved')) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The form says how many lines are posted",
            trigger: ".o_form_view .alert-info:contains('being applied to stock'):has(.o_field_widget[name=apply_lines_done]:contains('2')):has(.o_field_widget[name=apply_lines_total]:contains('3'))",
        },
    ],
});
