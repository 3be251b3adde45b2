/**
 * tslab's public API (`import * as tslab from "tslab"`), so notebooks written for tslab run on
 * tsdl unchanged: `tslab.display.html(...)`, `tslab.newDisplay()`, `tslab.versions`.
 */
import { display as tsdlDisplay, DisplayFunctions, newDisplay as tsdlNewDisplay, DisplayHandle } from './index';

/** tslab's Display interface: each method shows one content type. */
export type Display = DisplayFunctions;

export const display: Display = tsdlDisplay;

/** A Display whose every call replaces the same output entry. */
export function newDisplay(): DisplayHandle {
  return tsdlNewDisplay();
}

export const versions = {
  tslab: 'tsdl-compatible',
  typescript: (() => { try { return (require('typescript/package.json') as { version: string }).version; } catch { return 'unknown'; } })(),
  node: process.version,
};

export function isNode(): boolean {
  return true;
}

export function isBrowser(): boolean {
  return false;
}
