// Package client wires one profile together: vault and cache, accounts,
// keys, policy, compose and audit. The GUI in package ui and the headless
// subcommands in cmd/securemail call the same methods, so a script gets
// exactly the checks a person gets.
package client
