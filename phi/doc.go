// Package phi finds protected health information and sensitive clinical
// categories in text, with positions, masked excerpts and explanations.
// It depends on neither the network nor the UI.
package phi
