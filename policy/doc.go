// Package policy reads managed configuration profiles from the OS-standard
// places, layers them over the user's settings, validates them against the
// published schema and reports which settings are locked.
//
// The schema (schema.json) and the Group Policy and macOS templates under
// templates/ are generated from the Settings type; run go generate after
// changing it.
package policy

//go:generate go run ./cmd/gentemplates .
