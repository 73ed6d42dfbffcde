/** @odoo-module **/

import { BarcodeParser } from "@barcodes/js/barcode_parser";

/** A GTIN of 8, 12, 13 or 14 digits as GTIN-14, the form of GS1 AI (01). */
export function gtin14(code) {
    return /^\d{8}$|^\d{12,14}$/.test(code) ? code.padStart(14, "0") : null;
}

/**
 * Everything a scan is compared with, built once when a task is opened: scans are
 * answered from these maps, with no server round trip.
 */
export class ScanIndex {
    constructor(task, catalog, nomenclature) {
        this.parser = nomenclature ? new BarcodeParser({ nomenclature }) : null;
        this.taskLocationIds = new Set(task.locations.map((l) => l.id));
        this.locations = new Map();
        this.locationsByBarcode = new Map();
        for (const location of [...(catalog?.locations || []), ...task.locations]) {
            this.locations.set(location.id, location);
            if (location.barcode) {
                this.locationsByBarcode.set(location.barcode, location);
            }
        }
        this.products = new Map();
        this.productsByBarcode = new Map();
        this.productsByGtin = new Map();
        this.packagingsByBarcode = new Map();
        for (const product of [...(catalog?.products || []), ...task.products]) {
            this.products.set(product.id, product);
            if (product.barcode) {
                this.productsByBarcode.set(product.barcode, product);
                const gtin = gtin14(product.barcode);
                if (gtin) {
                    this.productsByGtin.set(gtin, product);
                }
            }
            for (const packaging of product.packagings || []) {
                this.packagingsByBarcode.set(packaging.barcode, { product, ...packaging });
                const gtin = gtin14(packaging.barcode);
                if (gtin) {
                    this.productsByGtin.set(gtin, { ...product, packaging });
                }
            }
        }
        this.lotsByName = new Map();
        for (const lot of task.lots) {
            this.addLot(lot);
        }
        for (const line of task.lines) {
            if (line.lot) {
                this.addLot({ ...line.lot, product_id: line.product_id });
            }
        }
        this.packagesByName = new Map();
        for (const line of task.lines) {
            if (line.package) {
                this.packagesByName.set(line.package.name, line.package);
            }
        }
    }

    addLot(lot) {
        const lots = this.lotsByName.get(lot.name) || [];
        if (!lots.some((l) => l.product_id === lot.product_id)) {
            lots.push(lot);
            this.lotsByName.set(lot.name, lots);
        }
    }

    isTaskLocation(location) {
        return this.taskLocationIds.has(location.id);
    }

    /**
     * What a barcode is: a location, an item (product, maybe with a lot and a
     * quantity), a lot name, a package, or unknown. Plain barcodes first, then a
     * GS1-128 / DataMatrix decomposition with Odoo's GS1 nomenclature.
     */
    interpret(barcode) {
        const code = barcode.trim();
        const location = this.locationsByBarcode.get(code);
        if (location) {
            return { type: "location", location };
        }
        const product = this.productsByBarcode.get(code);
        if (product) {
            return { type: "item", product, qty: null, lotName: null };
        }
        const packaging = this.packagingsByBarcode.get(code);
        if (packaging) {
            return {
                type: "item",
                product: packaging.product,
                qty: packaging.qty,
                packaging: packaging.name,
                lotName: null,
            };
        }
        const pack = this.packagesByName.get(code);
        if (pack) {
            return { type: "package", package: pack };
        }
        const lots = this.lotsByName.get(code);
        if (lots) {
            return { type: "lot", name: code, lots };
        }
        return this.interpretGS1(code) || { type: "unknown", barcode: code };
    }

    interpretGS1(code) {
        if (!this.parser) {
            return null;
        }
        let parts;
        try {
            parts = this.parser.parse_barcode(code);
        } catch {
            return null;
        }
        if (!Array.isArray(parts) || !parts.length) {
            return null;
        }
        const result = { type: "item", product: null, qty: null, lotName: null, gs1: true };
        for (const part of parts) {
            if (part.type === "product") {
                const found = this.productsByGtin.get(gtin14(String(part.value)));
                result.gtin = String(part.value);
                if (found) {
                    result.product = this.products.get(found.id);
                    if (found.packaging) {
                        result.qty = found.packaging.qty;
                        result.packaging = found.packaging.name;
                    }
                }
            } else if (part.type === "lot") {
                result.lotName = String(part.value);
            } else if (part.type === "quantity") {
                result.qty = (result.qty || 1) * Number(part.value);
            } else if (part.type === "expiration_date" || part.type === "use_date") {
                result.expiry = part.value;
            } else if (part.type === "location") {
                const location = [...this.locations.values()].find(
                    (l) => l.barcode === String(part.value)
                );
                if (location) {
                    return { type: "location", location };
                }
            } else if (part.type === "package") {
                const pack = this.packagesByName.get(String(part.value));
                if (pack) {
                    return { type: "package", package: pack };
                }
            }
        }
        if (!result.product && !result.gtin) {
            return null;
        }
        if (!result.product) {
            return { type: "unknown", barcode: code, gtin: result.gtin };
        }
        return result;
    }
}
