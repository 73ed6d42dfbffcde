/** @odoo-module **/

import { Component } from "@odoo/owl";
import { BarcodeScanner } from "@barcodes/components/barcode_scanner";

/**
 * Scanning with the phone's camera, for devices without a scanner; a scanner's
 * keyboard input reaches the task screen through the barcode service.
 */
export class ScanPanel extends Component {
    static template = "cycle_count_mobile.ScanPanel";
    static components = { BarcodeScanner };
    static props = { onScan: Function };

    onCameraScan(barcode) {
        this.props.onScan(barcode);
    }
}
