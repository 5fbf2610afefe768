package client

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"securemail/crypto"
	"securemail/crypto/discovery"
	"securemail/crypto/smime"
)

// The LDAP bind password is a sealed record, because the policy carries
// only the bind DN.
const (
	directoryKind        = "directory"
	directoryPasswordKey = "ldap-bind-password"
)

// SetDirectoryPassword stores the password for the policy's LDAP bind DN
// in the vault. An empty password deletes it.
func (c *Client) SetDirectoryPassword(password string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	if password == "" {
		err := s.store.DeleteRecord(directoryKind, directoryPasswordKey)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("client: deleting the directory password: %w", err)
		}
		return nil
	}
	if err := s.store.PutRecord(directoryKind, directoryPasswordKey, []byte(password)); err != nil {
		return fmt.Errorf("client: storing the directory password: %w", err)
	}
	return nil
}

// ldapDirectory returns the LDAP lookup that the policy configures, or
// nil when the sources exclude ldap, no server is set, or the bind DN
// has no stored password yet.
func (c *Client) ldapDirectory(s *session) *discovery.LDAP {
	settings := c.policy.Settings().KeyDiscovery
	if !slices.Contains(settings.Sources, "ldap") || settings.LDAP.URL == "" || settings.LDAP.BaseDN == "" {
		return nil
	}
	l := &discovery.LDAP{
		URL:           settings.LDAP.URL,
		BaseDN:        settings.LDAP.BaseDN,
		BindDN:        settings.LDAP.BindDN,
		RootCAs:       c.extraRoots(),
		MinTLSVersion: c.minTLS(),
	}
	if l.BindDN != "" {
		password, err := s.store.GetRecord(directoryKind, directoryPasswordKey)
		if err != nil || len(password) == 0 {
			return nil
		}
		l.BindPassword = string(password)
	}
	return l
}

// discoverCertificate looks addr up in the directory when it has no
// S/MIME certificate yet, and binds on first use the newest certificate
// that validates for encryption. A recipient without a usable
// certificate stays without one, which the review shows. The error is
// non-nil when the directory or the vault failed, so the caller can skip
// the directory for the remaining recipients.
func (c *Client) discoverCertificate(s *session, l *discovery.LDAP, addr string) error {
	if _, err := s.trust.Lookup(crypto.SchemeSMIME, addr); err == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), discoveryTimeout)
	defer cancel()
	found, err := l.Lookup(ctx, addr)
	switch {
	case errors.Is(err, discovery.ErrDirectoryUnreachable),
		errors.Is(err, discovery.ErrDirectoryTLS),
		errors.Is(err, discovery.ErrDirectoryCredentials),
		errors.Is(err, context.DeadlineExceeded):
		return err
	case err != nil:
		return nil
	}

	var best *x509.Certificate
	for _, f := range found {
		status := smime.ValidateCertificate(f.Certificate, smime.ValidationOptions{
			Roots: c.extraRoots(), Intermediates: f.Others, Now: c.opts.Now(),
			Email: addr, Purpose: smime.PurposeEncryption,
		})
		if !status.State.Usable() {
			continue
		}
		if best == nil || f.Certificate.NotAfter.After(best.NotAfter) {
			best = f.Certificate
		}
	}
	if best == nil {
		return nil
	}
	candidate := crypto.Candidate{Fingerprint: smime.Fingerprint(best), Public: best.Raw, Source: "ldap"}
	_, err = s.trust.Observe(crypto.SchemeSMIME, addr, candidate)
	return err
}
