package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"securemail/ui"
)

// noSecret is a secretFlags that names no source.
var noSecret = secretFlags{fd: -1}

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    options
		wantErr bool
	}{
		{name: "none", args: nil, want: options{passphrase: noSecret}},
		{name: "demo", args: []string{"--demo"}, want: options{demo: true, passphrase: noSecret}},
		{name: "profile", args: []string{"--profile", "/tmp/p"}, want: options{profile: "/tmp/p", passphrase: noSecret}},
		{name: "version", args: []string{"--version"}, want: options{version: true, passphrase: noSecret}},
		{name: "passphrase descriptor", args: []string{"--passphrase-fd", "3"}, want: options{passphrase: secretFlags{fd: 3}}},
		{name: "demo with profile", args: []string{"--demo", "--profile", "/tmp/p"}, wantErr: true},
		{name: "demo with passphrase", args: []string{"--demo", "--passphrase-env", "P"}, wantErr: true},
		{name: "stray argument", args: []string{"inbox"}, wantErr: true},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseFlags(c.args, io.Discard)
			if c.wantErr {
				if err == nil {
					t.Fatalf("parseFlags(%q) succeeded, expected an error", c.args)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", c.args, err)
			}
			if got != c.want {
				t.Errorf("parseFlags(%q) = %+v, expected %+v", c.args, got, c.want)
			}
		})
	}
}

func TestParseFlagsHelp(t *testing.T) {
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("parseFlags(-h) error = %v, expected flag.ErrHelp", err)
	}
}

func TestStartPassphrase(t *testing.T) {
	dir := testProfile(t)
	adapter, err := ui.NewClientAdapter(profileOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	pass, err := startPassphrase(adapter, &secretFlags{fd: -1, env: "SM_TEST_PASSPHRASE"})
	if err != nil {
		t.Fatal(err)
	}
	if string(pass) != testPassphrase {
		t.Errorf("start passphrase %q, want the one in SM_TEST_PASSPHRASE", pass)
	}
}

func TestStartPassphraseWithoutVault(t *testing.T) {
	useTestOptions(t, nil)
	adapter, err := ui.NewClientAdapter(profileOptions(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = startPassphrase(adapter, &secretFlags{fd: -1, env: "SM_TEST_PASSPHRASE"})
	if err == nil || !strings.Contains(err.Error(), "no vault") {
		t.Errorf("startPassphrase on an empty profile: %v, want an error naming the missing vault", err)
	}
}
