// Package assets embeds the icon and the synthetic demo mailbox with its
// keys. Every person and message in it is invented.
package assets
