// Package demo runs the demo mailbox inside the process: an IMAP server
// (go-imap imapserver with imapmemserver) and an SMTP submission server
// (go-smtp), both on 127.0.0.1 with implicit TLS and a certificate made in
// memory at start. The IMAP server is seeded with the synthetic clinical
// mail embedded in package assets, and the SMTP server delivers mail for
// the demo people back into it, so sending works with no real account.
package demo
