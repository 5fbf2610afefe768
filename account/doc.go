// Package account moves mail between servers and the sealed cache: IMAP
// sync with go-imap v2, SMTP submission with go-smtp, OAuth 2.0 tokens and
// the outbox. It never imports Fyne.
package account
