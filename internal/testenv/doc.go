// Package testenv gives tests the endpoints, users and CA of the real
// components that scripts/teststack starts: Dovecot, Postfix and the
// Secret Service. A test whose component is missing skips when run by hand
// and fails when the CI environment variable is set.
package testenv
