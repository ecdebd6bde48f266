export const CREDENTIAL_CIPHER = Symbol('CREDENTIAL_CIPHER');
export const OUTBOX_NUDGE = Symbol('OUTBOX_NUDGE');
