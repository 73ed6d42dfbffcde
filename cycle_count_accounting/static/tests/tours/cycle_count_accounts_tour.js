/** @odoo-module **/
import { registry } from "@web/core/registry";

// An administrator sets the inventory gain and loss accounts in the Inventory
// settings and saves.
registry.category("web_tour.tours").add("cycle_count_accounts_tour", {
    steps: () => [
        {
            content: "The Cycle Count block of the Inventory settings",
            trigger: "#cycle_count_accounts",
        },
        {
            trigger: ".o_field_widget[name=cycle_count_gain_account_id] input",
            run: "edit CCT6301",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('CCT6301')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=cycle_count_loss_account_id] input",
            run: "edit CCT6711",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('CCT6711')",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_control_panel .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved and reloaded, nothing left unsaved",
            trigger: ".o_form_saved .o_field_widget[name=cycle_count_loss_account_id] input:value(CCT6711 Inventory Losses)",
        },
    ],
});
