/** @odoo-module **/
import { registry } from "@web/core/registry";

// A supervisor on a phone (390 × 844) or a PDA (480 × 800): approves one report,
// rejects another with a comment. Run by test_approval_tour.py.

function noHorizontalScroll() {
    return {
        content: "Nothing is wider than the screen",
        trigger: ".o_ccm_approvals",
        run() {
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth + 1) {
                throw new Error(`The page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
            }
        },
    };
}

function reportCount(count) {
    return {
        content: `${count} report(s) wait`,
        trigger: `.o_ccm_approvals_list[data-count='${count}'][data-loading='false']`,
    };
}

registry.category("web_tour.tours").add("cycle_count_mobile_approval_tour", {
    steps: () => [
        { content: "The app is ready", trigger: ".o_ccm_task_list" },
        { content: "Open the approvals", trigger: ".o_ccm_approvals_button", run: "click" },
        reportCount(2),
        noHorizontalScroll(),
        {
            content: "Open the small one",
            trigger: ".o_ccm_approval_report:first",
            run: "click",
        },
        { content: "Its variance with its value", trigger: ".o_ccm_approval_line:contains('Apple Juice') .o_ccm_approval_value" },
        noHorizontalScroll(),
        { content: "Approve", trigger: ".o_ccm_approve", run: "click" },
        { content: "Approved", trigger: ".o_ccm_approval_notice" },
        reportCount(1),
        { content: "Open it", trigger: ".o_ccm_approval_report", run: "click" },
        { content: "Its variance", trigger: ".o_ccm_approval_line:contains('Bolt M8')" },
        { content: "Reject", trigger: ".o_ccm_reject", run: "click" },
        { content: "No comment, no rejection", trigger: ".o_ccm_reject_confirm:disabled" },
        { content: "Say why", trigger: ".o_ccm_reject_comment", run: "edit Count the second pallet too" },
        { content: "Confirm the rejection", trigger: ".o_ccm_reject_confirm:enabled", run: "click" },
        { content: "Rejected", trigger: ".o_ccm_approval_notice:contains('rejected')" },
        { content: "Nothing waits any more", trigger: ".o_ccm_no_approval" },
    ],
});

registry.category("web_tour.tours").add("cycle_count_mobile_approval_counter_tour", {
    steps: () => [
        { content: "The app is ready", trigger: ".o_ccm_task_list" },
        {
            content: "A counter has no approvals button",
            trigger: ".o_ccm_header:not(:has(.o_ccm_approvals_button))",
        },
    ],
});
