// Package audit keeps the tamper-evident audit trail: append-only entries
// chained by a keyed hash, sealed in the vault, with export, verification
// and PHI-free forwarding for the organisation.
package audit
