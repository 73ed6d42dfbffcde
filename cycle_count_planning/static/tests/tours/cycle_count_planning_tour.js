/** @odoo-module **/
import { registry } from "@web/core/registry";
import { patient } from "@cycle_count_planning/../tests/tours/tour_utils";

// An inventory planner writes the seed's rule in the form — A-class items with
// an outbound move in the last 7 days, counted every 15 days — sees the preview
// before saving, saves, and runs the planner.
registry.category("web_tour.tours").add("cycle_count_planning_tour", {
    steps: () =>
        patient([
        {
            content: "Create a planning rule",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit A-class fast movers",
        },
        {
            content: "Before any filter the rule selects every item",
            trigger: ".o_field_widget[name=preview_item_count]:contains('4')",
        },
        {
            content: "Every 15 days",
            trigger: ".o_field_widget[name=frequency_days] input",
            run: "edit 15",
        },
        {
            content: "Class A only",
            trigger: ".o_field_widget[name=abc_class_ids] .form-check:contains('A') input",
            run: "click",
        },
        {
            content: "Moved out recently",
            trigger: ".o_field_widget[name=move_direction] select",
            run: 'select "out"',
        },
        {
            content: "In the last 7 days",
            trigger: ".o_field_widget[name=move_days] input",
            run: "edit 7",
        },
        {
            content: "Leave the field: the form recomputes the preview",
            trigger: ".o_field_widget[name=name] input",
            run: "click",
        },
        {
            content: "The preview shows the one item it selects, before saving",
            trigger: ".o_field_widget[name=preview_item_count]:contains('1')",
        },
        {
            content: "and the work it makes per day",
            trigger: ".o_field_widget[name=preview_lines_per_day]:contains('0.07')",
        },
        {
            content: "Save the rule",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Run the planner",
            trigger: "button[name=action_plan_now]",
            run: "click",
        },
        {
            content: "The planned task is there",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=name]:contains('CC/')",
        },
    ]),
});
