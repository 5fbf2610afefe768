// Command securemail is the SecureMail desktop client and its headless
// subcommands for IT and automation. The subcommands call package client,
// the same code the GUI uses, so a script gets the checks a person gets.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	// Imported first in init order, so that Fyne finds a usable locale
	// and logs no locale error on headless commands.
	_ "securemail/internal/fynelocale"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand, or starts the GUI when the first
// argument is a flag or missing. It returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	log := slog.New(newRedactingHandler(slog.NewTextHandler(stderr, nil)))
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, ok := commands[args[0]]
		if !ok {
			fmt.Fprintf(stderr, "securemail: unknown command %q; run securemail help\n", args[0])
			return exitUsage
		}
		return cmd(args[1:], stdout, stderr)
	}
	return runGUI(args, stderr, log)
}
