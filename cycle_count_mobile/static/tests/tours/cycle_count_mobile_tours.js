/** @odoo-module **/
import { registry } from "@web/core/registry";

// Barcodes arrive as a keyboard-wedge scanner types them: one keydown per
// character, then Enter, on the page (Odoo's barcode service listens there).
function scan(barcode, content) {
    return {
        content: content || `Scan ${barcode}`,
        trigger: ".o_ccm_app",
        run() {
            for (const key of [...barcode, "Enter"]) {
                document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
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

function press(keys) {
    return [...keys].map((key) => ({
        content: `Keypad ${key}`,
        trigger: `.o_ccm_keypad button[data-key="${key}"]`,
        run: "click",
    }));
}

const FNC1 = String.fromCharCode(29);

/** A photo as the camera would give it: a 1200 × 900 image. */
function takePhoto() {
    return {
        content: "Take a photo of the damaged box",
        trigger: ".o_ccm_panel .o_ccm_photo",
        async run() {
            const canvas = document.createElement("canvas");
            canvas.width = 1200;
            canvas.height = 900;
            const context = canvas.getContext("2d");
            context.fillStyle = "#a33";
            context.fillRect(0, 0, 1200, 900);
            const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
            const transfer = new DataTransfer();
            transfer.items.add(new File([blob], "damage.png", { type: "image/png" }));
            const input = document.querySelector(".o_ccm_panel .o_ccm_photo_input");
            input.files = transfer.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
        },
    };
}

// The answer to a scan is drawn by the device itself (the app's own metrics
// record it); how fast is a figure for a benchmark, not a condition of a test
// run on a busy machine: the time is only written to the log.
function scanAnsweredOnTheDevice() {
    return {
        content: "The last scan was answered on the device",
        trigger: ".o_ccm_panel",
        run() {
            const { lastScanMs, scans } = odoo.__cycle_count_app__.metrics;
            if (!scans || !Number.isFinite(lastScanMs) || lastScanMs < 0) {
                throw new Error("No scan was answered on the device");
            }
            console.info(`cycle_count_mobile: the last scan was answered in ${lastScanMs.toFixed(1)} ms`);
        },
    };
}

// A counter counts a whole task on a phone by scanning: a wrong location, a
// product scanned several times and a packaging, an item the task did not list
// (with a photo), serials (one per scan, never twice), a lot of another product,
// a GS1-128 barcode with lot and quantity, a zero confirmation; then finishes.
registry.category("web_tour.tours").add("cycle_count_mobile_scan_tour", {
    // The app has the task and the catalog: a wrong location is known as one.
    wait_for: odoo.__cycle_count_app__?.whenReady,
    steps: () => [
        {
            content: "Open today's task",
            trigger: ".o_ccm_task:contains('0 / 6')",
            run: "click",
        },
        scan("CCT-Z99"),
        expectMessage("danger", "Wrong location"),
        scan("4006381333931"),
        expectMessage("danger", "Scan a location first"),
        scan("CCT-A01"),
        { trigger: ".o_ccm_current_location:contains('A-01')" },
        scan("4006381333931"),
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('1')" },
        scan("4006381333931"),
        scan("4006381333931"),
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('3')" },
        scanAnsweredOnTheDevice(),
        scan("15901234123454", "Scan a box of 10 bolts: the apples are kept"),
        { trigger: ".o_ccm_panel:contains('Bolt M8') .o_ccm_qty:contains('10')" },
        {
            trigger: ".o_ccm_line[data-product='[CC-APL] Apple Juice'] .o_ccm_line_qty:contains('3')",
        },
        scan("15901234123454"),
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('20')" },
        ...press("48"),
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('48')" },
        { content: "Confirm 48 bolts", trigger: ".o_ccm_ok", run: "click" },
        expectMessage("success", "Counted: [CC-BLT] Bolt M8 48"),
        scan("5555500000007", "Scan a barcode nobody knows"),
        expectMessage("danger", "Unknown barcode 5555500000007"),
        scan("2222200000009", "Scan the chips, listed in A-02, not here"),
        { trigger: ".o_ccm_confirm:contains('is not listed in CCT/Stock/A-01')" },
        { content: "Add them as found", trigger: ".o_ccm_found_add", run: "click" },
        { trigger: ".o_ccm_panel:contains('Found here')" },
        ...press("2"),
        takePhoto(),
        expectMessage("success", "Photo kept"),
        { content: "Confirm 2 chips found", trigger: ".o_ccm_ok", run: "click" },
        {
            trigger: ".o_ccm_line[data-product='[CC-CHP] Chip Set']:contains('Found') .o_ccm_line_photos:contains('1')",
        },
        { content: "Next location", trigger: ".o_ccm_leave_location", run: "click" },
        { trigger: ".o_ccm_location[data-location='CCT/Stock/A-02']", run: "click" },
        {
            content: "The chips listed here are not there",
            trigger: ".o_ccm_line[data-product='[CC-CHP] Chip Set'] .o_ccm_zero",
            run: "click",
        },
        { content: "Zero asks first", trigger: ".o_ccm_zero_confirm", run: "click" },
        expectMessage("success", "confirmed as not there (0)"),
        scan("0012345678905", "Scan a phone"),
        expectMessage("info", "Scan the serial number of [CC-PHN] Phone X"),
        scan("PHN-001"),
        expectMessage("success", "Serial PHN-001 counted"),
        scan("PHN-001", "Scan the same serial again"),
        expectMessage("danger", "Serial PHN-001 is already counted"),
        {
            content: "PHN-002 is not there",
            trigger: ".o_ccm_line[data-lot='PHN-002'] .o_ccm_zero",
            run: "click",
        },
        { content: "Zero asks first", trigger: ".o_ccm_zero_confirm", run: "click" },
        scan("CCT-B01"),
        { trigger: ".o_ccm_current_location:contains('B-01')" },
        scan("9780201379624", "Scan the glue"),
        expectMessage("info", "Scan the lot of [CC-GLU] Lot Glue"),
        scan("PHN-002", "Scan a serial of the phones instead of the glue's lot"),
        expectMessage("danger", "Lot PHN-002 is a lot of [CC-PHN] Phone X, not of [CC-GLU] Lot Glue"),
        scan(`0109780201379624${"10GLU-001"}${FNC1}3020`, "Scan a GS1-128 label: GTIN, lot, 20 units"),
        { trigger: ".o_ccm_panel .o_ccm_panel_lot:contains('GLU-001')" },
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('20')" },
        { content: "Confirm 20", trigger: ".o_ccm_ok", run: "click" },
        { trigger: ".o_ccm_line[data-lot='GLU-001'] .o_ccm_line_qty:contains('20')" },
        { content: "Back to the locations", trigger: ".o_ccm_leave_location", run: "click" },
        { trigger: ".o_ccm_progress:contains('7 / 7')" },
        { content: "Finish the task", trigger: ".o_ccm_finish", run: "click" },
        { content: "Confirm", trigger: ".o_ccm_finish_confirm", run: "click" },
        {
            content: "Everything is sent and nothing refused",
            trigger: ".o_ccm_app:has(.o_ccm_task_list) .o_ccm_sync[data-pending='0'][data-refused='0']:not([disabled])",
        },
        { trigger: ".o_ccm_task:contains('Finished')" },
    ],
});

// Offline: the app was loaded online, then the network is cut (by the test,
// through Chrome DevTools) and the page reloaded. Counts are kept on the device.
registry.category("web_tour.tours").add("cycle_count_mobile_offline_tour", {
    steps: () => [
        { content: "The device knows it is offline", trigger: ".o_ccm_offline" },
        { content: "Open the task kept on the device", trigger: ".o_ccm_task", run: "click" },
        scan("CCT-A01"),
        scan("4006381333931"),
        scan("4006381333931"),
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('2')" },
        ...press("9"),
        { content: "Confirm 9 apples", trigger: ".o_ccm_ok", run: "click" },
        { trigger: ".o_ccm_line[data-product='[CC-APL] Apple Juice'] .o_ccm_line_pending" },
        scan("15901234123454"),
        { trigger: ".o_ccm_panel .o_ccm_qty:contains('10')" },
        { content: "Confirm 10 bolts", trigger: ".o_ccm_ok", run: "click" },
        scan("2222200000009", "Chips found where the task did not list them"),
        { content: "Add them", trigger: ".o_ccm_found_add", run: "click" },
        ...press("3"),
        takePhoto(),
        expectMessage("success", "Photo kept"),
        { content: "Confirm 3 chips", trigger: ".o_ccm_ok", run: "click" },
        {
            content: "Recount the bolts: 12 (the later count must win)",
            trigger: ".o_ccm_line[data-product='[CC-BLT] Bolt M8'] .flex-grow-1",
            run: "click",
        },
        ...press("12"),
        { trigger: ".o_ccm_ok", run: "click" },
        { content: "Next location", trigger: ".o_ccm_leave_location", run: "click" },
        { trigger: ".o_ccm_location[data-location='CCT/Stock/A-02']", run: "click" },
        { trigger: ".o_ccm_line[data-product='[CC-CHP] Chip Set'] .o_ccm_zero", run: "click" },
        { trigger: ".o_ccm_zero_confirm", run: "click" },
        { content: "Back", trigger: ".o_ccm_leave_location", run: "click" },
        { content: "Finish, still offline", trigger: ".o_ccm_finish", run: "click" },
        { trigger: ".o_ccm_finish_confirm", run: "click" },
        {
            content: "Five counts, a photo and the finish wait on the device",
            trigger: ".o_ccm_offline ~ .o_ccm_sync[data-pending='7']",
        },
        { trigger: ".o_ccm_task:contains('Finished'):contains('7 to send')" },
    ],
});
