// Command gentemplates writes the policy schema and the Group Policy and
// macOS templates generated from the policy.Settings type. Run it from the
// policy directory through go generate.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"securemail/policy"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for name, data := range policy.GeneratedFiles() {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintf(os.Stderr, "gentemplates: %v\n", err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "gentemplates: %v\n", err)
			os.Exit(1)
		}
	}
}
