/** @odoo-module **/
import { registry } from "@web/core/registry";

// What a counter on the floor does besides scanning: the camera, typing and
// searching, the PDA's own keys, counts only on purpose, and saying what they saw.
// Run on a phone (390 × 844) and a PDA (480 × 800) by test_floor_tours.py.

/** Keys as a PDA's keyboard (or a keyboard-wedge scanner) sends them, on the page. */
function keys(sequence, content) {
    return {
        content: content || `PDA keys ${sequence.join(" ")}`,
        trigger: ".o_ccm_panel",
        run() {
            for (const key of sequence) {
                document.body.dispatchEvent(
                    new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true })
                );
            }
        },
    };
}

function scan(barcode, content) {
    return {
        content: content || `Scan ${barcode}`,
        trigger: ".o_ccm_app",
        run() {
            for (const key of [...barcode, "Enter"]) {
                document.body.dispatchEvent(
                    new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true })
                );
            }
        },
    };
}

function expectMessage(kind, text) {
    return {
        content: `The device answers: ${text}`,
        trigger: `.o_ccm_message.alert-${kind}:contains("${text}")`,
    };
}

function openTask() {
    return { content: "Open today's task", trigger: ".o_ccm_task:contains('0 / 6')", run: "click" };
}

function typeEntry(text) {
    return [
        {
            content: "Type or search",
            trigger: ".o_ccm_entry_toggle[aria-expanded='false']",
            run: "click",
        },
        { content: `Type ${text}`, trigger: ".o_ccm_entry_input", run: `edit ${text}` },
        { content: "Go", trigger: ".o_ccm_entry_go", run: "click" },
    ];
}

function allSent() {
    return {
        content: "Everything is sent and nothing refused",
        trigger: ".o_ccm_sync[data-pending='0'][data-refused='0']:not([disabled])",
    };
}

// The camera button: a real button with its icon and label; it opens Odoo's
// scanner, which says that there is no camera here.
registry.category("web_tour.tours").add("cycle_count_floor_camera_tour", {
    wait_for: odoo.__cycle_count_app__?.whenReady,
    steps: () => [
        openTask(),
        {
            content: "The camera button is big enough for a thumb, with its icon and label",
            trigger: ".o_ccm_camera_button:contains('Scan with camera'):has(.fa-camera)",
            run() {
                const button = document.querySelector(".o_ccm_camera_button");
                const { width, height } = button.getBoundingClientRect();
                const title = document.querySelector(".o_ccm_task_screen h2").getBoundingClientRect();
                const box = button.getBoundingClientRect();
                if (width < 150 || height < 44) {
                    throw new Error(`The camera button is ${width} × ${height} px`);
                }
                if (box.top < title.bottom) {
                    throw new Error("The camera button covers the task's name");
                }
            },
        },
        { content: "Tap it", trigger: ".o_ccm_camera_button", run: "click" },
        {
            content: "The scanner opens and says it has no camera",
            trigger: ".o-barcode-modal:contains('Unable to access camera')",
        },
        { content: "Close the scanner", trigger: ".modal button[aria-label='Close']", run: "click" },
        { trigger: ".o_ccm_task_screen:not(:has(.o-barcode-modal))" },
    ],
});

// Typing and searching, and the PDA's keys: a location typed, a product found by
// its name (listed: the quantity comes from the keys, a decimal comma included), a
// packaging scanned twice, a product the device did not know found on the server.
registry.category("web_tour.tours").add("cycle_count_floor_entry_tour", {
    wait_for: odoo.__cycle_count_app__?.whenReady,
    steps: () => [
        openTask(),
        ...typeEntry("CCT-A01"),
        {
            content: "A typed location barcode is a scan: the bin, short",
            trigger: ".o_ccm_current_location .o_ccm_bin:contains('A-01')",
        },
        { trigger: ".o_ccm_task_screen:not(:has(.o_ccm_location_path))" },
        { content: "Tap the bin for its path", trigger: ".o_ccm_current_location", run: "click" },
        { trigger: ".o_ccm_location_path:contains('CCT/Stock/A-01')" },
        {
            content: "Each line shows its unit and its thumbnail",
            trigger: ".o_ccm_line[data-product='[CC-APL] Apple Juice']:has(.o_ccm_line_thumb[src^='data:image/']) .o_ccm_line_uom:contains('Units')",
        },
        ...typeEntry("zzz-nothing"),
        expectMessage("danger", "Nothing found for zzz-nothing"),
        {
            content: "Search by name",
            trigger: ".o_ccm_entry_input",
            run: "edit apple",
        },
        {
            content: "Found on the device, listed in this task",
            trigger: ".o_ccm_search_result[data-product='[CC-APL] Apple Juice']:contains('In this task')",
            run: "click",
        },
        {
            content: "The panel waits for the quantity, with its unit and thumbnail",
            trigger: ".o_ccm_panel:contains('Apple Juice'):has(.o_ccm_panel_thumb) .o_ccm_panel_uom:contains('Units')",
        },
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('—')" },
        keys(["1", "2", "Backspace", ",", "5", "Enter"], "PDA keys: 1 2 ⌫ , 5 and Enter"),
        expectMessage("success", "Counted: [CC-APL] Apple Juice 1.5"),
        {
            trigger: ".o_ccm_line[data-product='[CC-APL] Apple Juice'] .o_ccm_line_qty:contains('1.5')",
        },
        scan("15901234123454", "Scan a box of 10 bolts"),
        { trigger: ".o_ccm_panel_packaging:contains('1 × Box of 10')" },
        scan("15901234123454", "And another"),
        { trigger: ".o_ccm_panel_packaging:contains('2 × Box of 10')" },
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('20')" },
        keys(["4", "8"], "PDA keys 4 8: the counter corrects the boxes' count"),
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('48')" },
        keys(["Enter"], "Enter on the PDA is OK"),
        expectMessage("success", "Counted: [CC-BLT] Bolt M8 48"),
        {
            content: "A product created after the device fetched its catalog",
            trigger: ".o_ccm_app",
            run() {
                const store = odoo.__WOWL_DEBUG__.root.env.services.cycle_count_store;
                store.catalog.products = store.catalog.products.filter(
                    (product) => product.default_code !== "CC-WRP"
                );
            },
        },
        ...typeEntry("wrap"),
        {
            content: "Found on the server: the company's products",
            trigger: ".o_ccm_search_result[data-product='[CC-WRP] Pallet Wrap']:not(:contains('In this task'))",
            run: "click",
        },
        { trigger: ".o_ccm_confirm:contains('Pallet Wrap is not listed in CCT/Stock/A-01')" },
        { content: "Add it as found", trigger: ".o_ccm_found_add", run: "click" },
        { trigger: ".o_ccm_panel:contains('Found here') .o_ccm_qty:contains('—')" },
        keys(["3", "Enter"]),
        expectMessage("success", "Counted: [CC-WRP] Pallet Wrap 3"),
        allSent(),
    ],
});

// Every count on purpose: a tapped serial is not counted by moving on, a typed
// quantity not confirmed is not recorded, "0" asks first; and the counter says
// what they saw (a hint and a note) with a count.
registry.category("web_tour.tours").add("cycle_count_floor_deliberate_tour", {
    wait_for: odoo.__cycle_count_app__?.whenReady,
    steps: () => [
        openTask(),
        { trigger: ".o_ccm_location[data-location='CCT/Stock/A-02'] .o_ccm_bin:contains('A-02')", run: "click" },
        {
            content: "Tap the serial PHN-001",
            trigger: ".o_ccm_line[data-lot='PHN-001'] .flex-grow-1",
            run: "click",
        },
        {
            content: "Nothing is pre-filled: the counter says here or not",
            trigger: ".o_ccm_panel:has(.o_ccm_serial_here):has(.o_ccm_serial_absent) .o_ccm_qty:contains('—')",
        },
        scan("CCT-B01", "Scan the next location"),
        { trigger: ".o_ccm_current_location:contains('B-01')" },
        { trigger: ".o_ccm_progress:contains('0 / 6')" },
        scan("CCT-A02", "Back to A-02"),
        {
            content: "The serial was not counted by moving on",
            trigger: ".o_ccm_line[data-lot='PHN-001']:not(.o_ccm_line_counted) .o_ccm_line_qty:contains('—')",
        },
        {
            content: "Tap the chips",
            trigger: ".o_ccm_line[data-product='[CC-CHP] Chip Set'] .flex-grow-1",
            run: "click",
        },
        { content: "Keypad 5", trigger: ".o_ccm_keypad button[data-key='5']", run: "click" },
        { content: "Leave without OK", trigger: ".o_ccm_leave_location", run: "click" },
        expectMessage("warning", "Not recorded (not confirmed with OK): [CC-CHP] Chip Set 5"),
        { trigger: ".o_ccm_progress:contains('0 / 6')" },
        {
            content: "Back to A-02",
            trigger: ".o_ccm_location[data-location='CCT/Stock/A-02']",
            run: "click",
        },
        { trigger: ".o_ccm_line[data-product='[CC-CHP] Chip Set']:not(.o_ccm_line_counted)" },
        {
            content: "The red 0 of PHN-002",
            trigger: ".o_ccm_line[data-lot='PHN-002'] .o_ccm_zero",
            run: "click",
        },
        {
            content: "It asks first",
            trigger: ".o_ccm_confirm:contains('Record 0 for [CC-PHN] Phone X (lot PHN-002)')",
        },
        { trigger: ".o_ccm_line[data-lot='PHN-002']:not(.o_ccm_line_counted)" },
        { content: "Cancel", trigger: ".o_ccm_confirm_cancel", run: "click" },
        { trigger: ".o_ccm_task_screen:not(:has(.o_ccm_confirm))" },
        { trigger: ".o_ccm_progress:contains('0 / 6')" },
        { trigger: ".o_ccm_line[data-lot='PHN-002'] .o_ccm_zero", run: "click" },
        { content: "Record 0", trigger: ".o_ccm_zero_confirm", run: "click" },
        expectMessage("success", "[CC-PHN] Phone X confirmed as not there (0)"),
        { trigger: ".o_ccm_line[data-lot='PHN-002'].o_ccm_line_counted .o_ccm_line_qty:contains('0')" },
        { trigger: ".o_ccm_line[data-lot='PHN-001'] .flex-grow-1", run: "click" },
        { content: "PHN-001 is here", trigger: ".o_ccm_serial_here", run: "click" },
        { trigger: ".o_ccm_line[data-lot='PHN-001'].o_ccm_line_counted .o_ccm_line_qty:contains('1')" },
        { trigger: ".o_ccm_progress:contains('2 / 6')" },
        scan("CCT-B01"),
        {
            content: "Tap the glue",
            trigger: ".o_ccm_line[data-product='[CC-GLU] Lot Glue'] .flex-grow-1",
            run: "click",
        },
        { content: "Say what you saw", trigger: ".o_ccm_note_toggle", run: "click" },
        { content: "Torn label", trigger: ".o_ccm_hint[data-hint='label']", run: "click" },
        { trigger: ".o_ccm_hint[data-hint='label'][aria-pressed='true']" },
        {
            content: "A note for the supervisor",
            trigger: ".o_ccm_note",
            run: "edit Label torn, lot read from the box",
        },
        { content: "Keypad 2", trigger: ".o_ccm_keypad button[data-key='2']", run: "click" },
        { content: "Keypad 0", trigger: ".o_ccm_keypad button[data-key='0']", run: "click" },
        { trigger: ".o_ccm_note_toggle:contains('Torn or unreadable label')" },
        { content: "OK", trigger: ".o_ccm_ok", run: "click" },
        expectMessage("success", "Counted: [CC-GLU] Lot Glue 20"),
        {
            content: "The line shows what was said",
            trigger: ".o_ccm_line[data-product='[CC-GLU] Lot Glue']:has(.o_ccm_line_hint:contains('Torn or unreadable label')) .o_ccm_line_note:contains('Label torn')",
        },
        allSent(),
    ],
});
