/** @odoo-module **/
import { registry } from "@web/core/registry";

// The finance manager sets the inventory gain and loss accounts from the Cycle
// Count menu (Odoo's settings screen is for administrators).
registry.category("web_tour.tours").add("cycle_count_finance_accounts_tour", {
    steps: () => [
        {
            content: "Open the variance reports menu",
            trigger: ".o_main_navbar button[data-menu-xmlid='cycle_count_approval.cycle_count_menu_approval']",
            run: "click",
        },
        {
            content: "Gain and Loss Accounts",
            trigger: ".dropdown-menu [data-menu-xmlid='cycle_count_accounting.cycle_count_account_settings_menu']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=cycle_count_gain_account_id] input",
            run: "edit CCF6301",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('CCF6301')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=cycle_count_loss_account_id] input",
            run: "edit CCF6711",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('CCF6711')",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".modal button[name=action_save]",
            run: "click",
        },
        {
            content: "Saved, said so, the dialog closed",
            trigger: ".o_notification:contains('Accounts saved')",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
