// Package policy reads managed configuration profiles from the OS-standard
// places, layers them over the user's settings, validates them against the
// published schema and reports which settings are locked.
package policy
