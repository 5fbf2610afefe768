// Package compose is the outgoing pipeline: recipient review, PHI review,
// the protection method per recipient and the MIME that leaves. It sends
// nothing itself; the outbox in package account does.
package compose
