/** @odoo-module **/
import { registry } from "@web/core/registry";
import { openMenu, patient } from "@cycle_count_planning/../tests/tours/tour_utils";

// A bin was emptied by a delivery: the supervisor finds the event it fired,
// reads why, plans it, sees it planned, and adds a variance reason the
// warehouse needs.
registry.category("web_tour.tours").add("cycle_count_events_tour", {
    steps: () =>
        patient([
        {
            content: "The emptied bin fired an event, still to plan",
            trigger: ".o_data_row:has(.o_data_cell[name=state]:contains('To Plan')) .o_data_cell[name=product_id]:contains('Chip Set')",
            run: "click",
        },
        {
            content: "It says why",
            trigger: ".o_field_widget[name=description]:contains('became empty')",
        },
        ...openMenu("cycle_count_menu_counting", "cycle_count_plan_menu"),
        {
            content: "The planner made a task for it",
            trigger: ".o_data_row .o_data_cell[name=line_count]:contains('1')",
        },
        ...openMenu("cycle_count_menu_counting", "cycle_count_event_menu"),
        {
            content: "The event is planned now",
            trigger: ".o_data_row:has(.o_data_cell[name=product_id]:contains('Chip Set')) .o_data_cell[name=state]:contains('Planned')",
        },
        ...openMenu("cycle_count_menu_config", "cycle_count_reason_menu"),
        {
            content: "Add a variance reason",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_selected_row .o_field_widget[name=code] input",
            run: "edit PKG",
        },
        {
            trigger: ".o_selected_row .o_field_widget[name=name] input",
            run: "edit Packaging error",
        },
        {
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "The reason is saved",
            trigger: ".o_data_row:not(.o_selected_row) .o_data_cell[name=name]:contains('Packaging error')",
        },
    ]),
});
