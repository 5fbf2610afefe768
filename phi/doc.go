// Package phi finds protected health information and sensitive clinical
// categories in text, with positions, masked excerpts and explanations.
// It depends on neither the network nor the UI.
//
// NewScanner builds a Scanner from a Config. Scanner.Scan reviews an
// outgoing message (subject, body and attachments) and returns a Report
// with its findings, a sensitivity Level and the Action the policy maps
// it to. Every rule reads a copy of the text with look-alike characters
// folded to ASCII (see Fold), and findings give offsets into the text as
// passed. Scanner.WriteScan backs the scan subcommand. Subpackage extract
// turns attachments into text, and subpackage corpus generates the
// labelled synthetic corpus that measures the detectors.
package phi
