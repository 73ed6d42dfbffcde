/** @odoo-module **/
import { registry } from "@web/core/registry";

// On a desktop: a supervisor going away delegates their approvals to the
// finance manager, from today to the end of 2030; the delegation is in force.
registry.category("web_tour.tours").add("cycle_count_delegation_tour", {
    steps: () => [
        {
            // The first screen of the run can be slow to load on a busy
            // machine: a longer limit for the same condition.
            content: "New delegation",
            trigger: ".o_control_panel .o_list_button_add",
            timeout: 30000,
            run: "click",
        },
        {
            content: "The reviewer away is me",
            trigger: ".o_form_view .o_field_widget[name=user_id] input",
        },
        {
            content: "The delegate: the finance manager",
            trigger: ".o_form_view .o_field_widget[name=delegate_id] input",
            run: "edit Fay",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Fay Finance')",
            run: "click",
        },
        {
            content: "Until the end of 2030",
            trigger: ".o_form_view .o_field_widget[name=date_to] input",
            run: "edit 12/31/2030",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=note] textarea, .o_form_view .o_field_widget[name=note] input",
            run: "edit Holidays",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "In force from today",
            trigger: ".o_form_view .o_form_saved, .o_form_view:not(:has(.o_form_button_save:visible))",
        },
        {
            trigger: ".o_form_view .ribbon:contains('In Force')",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            content: "Listed, in force",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=delegate_id]:contains('Fay Finance')):has(.o_data_cell[name=is_current] input:checked)",
        },
    ],
});

// On a desktop: the durations report opens on the average hours of each tier
// (decided reviews), an average and a count, never a sum.
registry.category("web_tour.tours").add("cycle_count_durations_tour", {
    steps: () => [
        {
            content: "The pivot: hours per tier, averaged",
            trigger: ".o_pivot .o_pivot_measure_row:contains('Elapsed (hours)')",
            timeout: 30000,
        },
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Warehouse supervisor'), .o_pivot th:contains('Warehouse supervisor')",
        },
        {
            content: "Decided reviews by default",
            trigger: ".o_searchview .o_facet_value:contains('Decided')",
        },
        {
            content: "The list of the reviews",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=tier_id]:contains('Warehouse supervisor')):has(.o_data_cell[name=reviewer_id]:contains('Sam Supervisor'))",
        },
    ],
});
