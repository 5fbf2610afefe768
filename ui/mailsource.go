package ui

import (
	"context"

	"securemail/cache"
)

// MailSource supplies what the main window lists. The demo mailbox
// implements it today, and the synced cache will replace it. Calls may
// block on the network, so the window makes them off the UI goroutine.
type MailSource interface {
	// Folders returns the account's folders in display order.
	Folders(ctx context.Context) ([]cache.Folder, error)
	// List returns the summaries of the messages in folder, newest first.
	List(ctx context.Context, folder string) ([]cache.Summary, error)
}
