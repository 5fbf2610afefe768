// Package ui holds the Fyne windows and widgets of SecureMail, one file per
// screen. It is the only package that calls fyne.Do, and it reaches mail,
// keys and settings only through package client.
package ui
