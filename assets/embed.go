package assets

import "embed"

// Icon is the application icon, a 256x256 PNG.
//
//go:embed icon.png
var Icon []byte

// Demo is the demo mailbox: demo/mail/*.eml, demo/keys/ and
// demo/contacts.json. See demo/README.md for what each file is.
//
//go:embed demo/contacts.json demo/mail/*.eml demo/keys
var Demo embed.FS
