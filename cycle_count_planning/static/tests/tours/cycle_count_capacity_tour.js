/** @odoo-module **/
import { registry } from "@web/core/registry";
import { openMenu, patient } from "@cycle_count_planning/../tests/tours/tour_utils";

// The operations director gives the warehouse a capacity of one line a day, plans,
// finds the items left over in Coverage, raises the capacity, plans again and
// sees every item covered; then recomputes the ABC classes and switches on an
// event trigger.
registry.category("web_tour.tours").add("cycle_count_capacity_tour", {
    steps: () =>
        patient([
        {
            content: "No capacity yet",
            trigger: ".o_view_nocontent",
        },
        {
            content: "Give a warehouse its capacity",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "The warehouse",
            trigger: ".o_data_row .o_field_widget[name=warehouse_id] input",
            run: "edit Cycle Count Test",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Cycle Count Test')",
            run: "click",
        },
        {
            content: "One line per counter per day",
            trigger: ".o_data_row .o_field_widget[name=lines_per_counter] input",
            run: "edit 1",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "The warehouse counts one line a day",
            trigger: ".o_data_row:not(.o_selected_row) .o_data_cell[name=daily_capacity]:contains('1')",
        },
        ...openMenu("cycle_count_menu_counting", "cycle_count_plan_menu"),
        {
            content: "The planned task holds the one line the capacity allows",
            trigger: ".o_data_row .o_data_cell[name=line_count]:contains('1')",
        },
        ...openMenu("cycle_count_menu_reporting", "cycle_count_coverage_menu"),
        {
            content: "Coverage shows the three items left over",
            trigger: ".o_list_table tbody:has(tr.o_data_row:nth-child(3)):not(:has(tr.o_data_row:nth-child(4)))",
        },
        {
            trigger: ".o_data_row .o_data_cell[name=status]:contains('Not Planned')",
        },
        ...openMenu("cycle_count_menu_config", "cycle_count_capacity_menu"),
        {
            content: "Raise the capacity",
            trigger: ".o_data_row .o_data_cell[name=lines_per_counter]",
            run: "click",
        },
        {
            trigger: ".o_data_row .o_field_widget[name=lines_per_counter] input",
            run: "edit 10",
        },
        {
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            trigger: ".o_data_row:not(.o_selected_row) .o_data_cell[name=daily_capacity]:contains('10')",
        },
        ...openMenu("cycle_count_menu_counting", "cycle_count_plan_menu"),
        {
            content: "The same draft task now holds every item",
            trigger: ".o_data_row .o_data_cell[name=line_count]:contains('4')",
        },
        ...openMenu("cycle_count_menu_reporting", "cycle_count_coverage_menu"),
        {
            content: "Every item is covered",
            trigger: ".o_view_nocontent:contains('Every item is covered')",
        },
        ...openMenu("cycle_count_menu_config", "cycle_count_abc_profile_menu"),
        {
            content: "Open the company's ABC profile",
            trigger: ".o_data_row .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Compute the classes now",
            trigger: "button[name=action_compute]",
            run: "click",
        },
        {
            content: "The profile says when it was computed",
            trigger: `.o_field_widget[name=date_computed]:contains('${new Date().getFullYear()}')`,
        },
        {
            content: "Open the classes",
            trigger: "button[name=action_open_classes]",
            run: "click",
        },
        {
            content: "Class A comes first",
            trigger: ".o_group_header:first:contains('A')",
            run: "click",
        },
        {
            content: "The bolt, the one item that moves, is class A",
            trigger: ".o_data_row .o_data_cell[name=product_id]:contains('Bolt M8')",
        },
        ...openMenu("cycle_count_menu_reporting", "cycle_count_product_class_history_menu"),
        {
            content: "The change of class is kept",
            trigger: ".o_data_row:has(.o_data_cell[name=product_id]:contains('Bolt M8')) .o_data_cell[name=new_class_id]:contains('A')",
        },
        ...openMenu("cycle_count_menu_config", "cycle_count_trigger_menu"),
        {
            content: "Open the negative quant trigger",
            trigger: ".o_data_row .o_data_cell[name=event_type]:contains('Negative quant')",
            run: "click",
        },
        {
            // In the form, not the list behind it (its rows have toggles too): a
            // slow server still showing the list must not get the click.
            content: "Switch it on (the toggle saves at once)",
            trigger: ".o_form_view:has(.ribbon) .o_field_widget[name=active] input:not(:checked)",
            run: "click",
        },
        {
            content: "The trigger is on and saved: no more 'Off' ribbon",
            trigger: ".o_form_saved:not(:has(.ribbon))",
        },
    ]),
});
