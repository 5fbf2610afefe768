// Command securemail is the SecureMail desktop client and its headless
// subcommands for IT and automation.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "securemail: not built yet")
	os.Exit(2)
}
