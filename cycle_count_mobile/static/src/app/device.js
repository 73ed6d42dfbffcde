/** @odoo-module **/

import { browser } from "@web/core/browser/browser";

// What the device itself offers: sound, vibration, photo compression, ids.

let audioContext = null;

function tone(frequency, start, duration) {
    const oscillator = audioContext.createOscillator();
    const gain = audioContext.createGain();
    oscillator.frequency.value = frequency;
    oscillator.connect(gain);
    gain.connect(audioContext.destination);
    gain.gain.setValueAtTime(0.2, audioContext.currentTime + start);
    oscillator.start(audioContext.currentTime + start);
    oscillator.stop(audioContext.currentTime + start + duration);
}

/** A short beep for a good scan; a low double buzz and a vibration for a bad one. */
export function signal(ok) {
    try {
        const AudioContext = browser.AudioContext || browser.webkitAudioContext;
        if (AudioContext) {
            audioContext = audioContext || new AudioContext();
            if (ok) {
                tone(1800, 0, 0.08);
            } else {
                tone(220, 0, 0.15);
                tone(220, 0.2, 0.15);
            }
        }
    } catch {
        // No sound on this device (or no user gesture yet): the screen says it.
    }
    if (!ok && "vibrate" in browser.navigator) {
        browser.navigator.vibrate([150, 80, 150]);
    }
}

/** A random RFC 4122 version 4 id: the client id of a count or a photo. */
export function uuid() {
    // randomUUID needs a secure context (HTTPS); getRandomValues does not.
    if (crypto.randomUUID && window.isSecureContext) {
        return crypto.randomUUID();
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const PHOTO_MAX_SIDE = 1600;
export const PHOTO_QUALITY = 0.8;

/**
 * A photo from the camera or the gallery, scaled down to at most 1600 pixels on
 * its longest side and re-encoded as JPEG: a few hundred KB instead of several MB.
 */
export async function compressPhoto(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: PHOTO_QUALITY });
    return { blob, width, height };
}

export function blobToBase64(blob) {
    return new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(blob);
    });
}
