package main

import (
	"fmt"
	"io"
)

// auditErrSource is the part of *client.Client that keeps the last
// failed audit append.
type auditErrSource interface {
	AuditErr() error
}

// reportAuditErr prints the last failed audit append of c, if any, and
// then returns exitFailure in place of exitOK. A missing entry must not
// pass unnoticed, because the trail serves the HIPAA audit controls
// (45 CFR 164.312(b)).
func reportAuditErr(c auditErrSource, stderr io.Writer, status int) int {
	err := c.AuditErr()
	if err == nil {
		return status
	}
	fmt.Fprintf(stderr, "securemail: the audit trail is missing an entry of this command: %v; "+
		"run securemail audit verify, and tell IT if it reports a problem\n", err)
	if status == exitOK {
		return exitFailure
	}
	return status
}
