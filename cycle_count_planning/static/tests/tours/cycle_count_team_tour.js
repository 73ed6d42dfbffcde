/** @odoo-module **/
import { registry } from "@web/core/registry";
import { openMenu, patient } from "@cycle_count_planning/../tests/tours/tour_utils";

// A supervisor opens Configuration ‣ Teams, creates a team led by themself with
// a counter in it, and finds it in the list.
registry.category("web_tour.tours").add("cycle_count_team_tour", {
    steps: () =>
        patient([
            ...openMenu("cycle_count_menu_config", "cycle_count_team_menu"),
            {
                // The tasks list it starts from is empty too: wait for the teams.
                content: "The teams' list",
                trigger: ".o_last_breadcrumb_item:contains('Counting Teams')",
            },
            {
                content: "No team yet",
                trigger: ".o_view_nocontent",
            },
            {
                content: "New team",
                trigger: ".o_list_button_add",
                run: "click",
            },
            {
                content: "Its name",
                trigger: ".o_field_widget[name=name] input",
                run: "edit Day shift",
            },
            {
                content: "Led by the supervisor",
                trigger: ".o_field_widget[name=leader_id] input",
                run: "edit Sam",
            },
            {
                trigger: ".o-autocomplete--dropdown-item a:contains('Sam Supervisor')",
                run: "click",
            },
            {
                content: "A counter joins",
                trigger: ".o_field_widget[name=member_ids] input",
                run: "edit Carl",
            },
            {
                trigger: ".o-autocomplete--dropdown-item a:contains('Carl Counter')",
                run: "click",
            },
            {
                content: "The counter is in",
                trigger: ".o_field_widget[name=member_ids] .o_tag:contains('Carl Counter')",
            },
            {
                content: "Save",
                trigger: ".o_form_button_save",
                run: "click",
            },
            {
                content: "Saved",
                trigger: ".o_form_saved",
            },
            {
                content: "Back to the list",
                trigger: ".o_breadcrumb .o_back_button a, .breadcrumb-item a",
                run: "click",
            },
            {
                content: "The team is listed with its leader",
                trigger: ".o_data_row:contains('Day shift'):contains('Sam Supervisor')",
            },
        ]),
});
