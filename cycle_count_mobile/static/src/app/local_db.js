/** @odoo-module **/
/* global indexedDB */

// The device's own copy of the work: tasks, the catalog, the queue of counts and
// photos still to send, and the counts the server refused. IndexedDB survives
// reloads, closed tabs and lost networks; one database per Odoo database and user.

const VERSION = 1;
export const STORES = {
    tasks: { keyPath: "id" },
    meta: { keyPath: "key" },
    // Outgoing counts, photos and "task counted", sent in order of seq.
    queue: { keyPath: "seq", autoIncrement: true },
    // What the server refused, kept with its reason until the counter dismisses it.
    refused: { keyPath: "seq" },
};

function promisify(request) {
    return new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
}

export class LocalDB {
    constructor(name) {
        this.name = name;
        this.db = null;
    }

    async open() {
        const request = indexedDB.open(this.name, VERSION);
        request.onupgradeneeded = () => {
            const db = request.result;
            for (const [store, options] of Object.entries(STORES)) {
                if (!db.objectStoreNames.contains(store)) {
                    db.createObjectStore(store, options);
                }
            }
        };
        this.db = await promisify(request);
        return this;
    }

    /**
     * Run `fn(stores)` in one transaction over `storeNames`: either everything it
     * wrote is stored, or nothing (a count and its queue entry go together).
     */
    transaction(storeNames, mode, fn) {
        return new Promise((resolve, reject) => {
            const tx = this.db.transaction(storeNames, mode);
            const stores = Object.fromEntries(storeNames.map((n) => [n, tx.objectStore(n)]));
            let result;
            tx.oncomplete = () => resolve(result);
            tx.onerror = () => reject(tx.error);
            tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
            try {
                result = fn(stores);
            } catch (error) {
                tx.abort();
                reject(error);
            }
        });
    }

    getAll(storeName) {
        return this.transaction([storeName], "readonly", (stores) => {
            const out = { value: [] };
            stores[storeName].getAll().onsuccess = (ev) => (out.value = ev.target.result);
            return out;
        }).then((out) => out.value);
    }

    get(storeName, key) {
        return this.transaction([storeName], "readonly", (stores) => {
            const out = { value: undefined };
            stores[storeName].get(key).onsuccess = (ev) => (out.value = ev.target.result);
            return out;
        }).then((out) => out.value);
    }

    put(storeName, value) {
        return this.transaction([storeName], "readwrite", (stores) => {
            stores[storeName].put(value);
        });
    }

    delete(storeName, key) {
        return this.transaction([storeName], "readwrite", (stores) => {
            stores[storeName].delete(key);
        });
    }
}
