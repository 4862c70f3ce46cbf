/** A JSON text column read back (suggestions, reasons, audit data), or `fallback` when empty. */
export const storedJson = <T>(text: string | null | undefined, fallback: T): T => (text ? (JSON.parse(text) as T) : fallback);
