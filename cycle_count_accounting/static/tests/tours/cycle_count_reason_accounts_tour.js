/** @odoo-module **/
import { registry } from "@web/core/registry";

// The finance manager sets a variance reason's loss account on the Gain and
// Loss Accounts form (reasons are the Cycle Count Manager's; their accounts
// are finance's), then sees it on the reasons list.
registry.category("web_tour.tours").add("cycle_count_reason_accounts_tour", {
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
            content: "The reason's row",
            trigger: ".modal .o_field_widget[name=reason_line_ids] .o_data_row:contains('Tour theft') .o_data_cell[name=loss_account_id]",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row.o_selected_row .o_field_widget[name=loss_account_id] input",
            run: "edit CCR6712",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('CCR6712')",
            run: "click",
        },
        {
            content: "The account is in the row",
            trigger: ".modal .o_data_row .o_field_widget[name=loss_account_id] input:value(CCR6712 Theft Losses)",
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

registry.category("web_tour.tours").add("cycle_count_reason_accounts_list_tour", {
    steps: () => [
        {
            content: "The reason's loss account shows on the reasons list",
            trigger: ".o_list_view .o_data_row:contains('Tour theft') .o_data_cell[name=cycle_count_loss_account_id]:contains('CCR6712')",
        },
    ],
});
