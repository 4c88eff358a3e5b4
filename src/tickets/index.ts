/** Public surface of the ticket sync (used by `spnaudit tickets sync`, and by `audit --tickets` when wired). */
export { syncTickets, formatSummary, indexTickets, DEFAULT_MAX_NEW, type SyncOptions, type SyncReport, type SyncAction, type ActionKind } from './engine.js';
export { groupFindings, groupKey, groupDigest, whyNotCovered, markerOf } from './group.js';
export { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from './http.js';
export { resolveTicketSettings, type TicketSettings, type TicketFlags } from './settings.js';
export { createProvider, minWriteIntervalMs } from './providers/index.js';
export { readState, writeStateAtomic, type TicketState } from './state.js';
export { runTicketSync, type TicketSyncIo } from './run.js';
export * from './types.js';
