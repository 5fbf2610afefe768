package main

import (
	"errors"
	"flag"
	"io"
	"testing"
)

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    options
		wantErr bool
	}{
		{name: "none", args: nil, want: options{}},
		{name: "demo", args: []string{"--demo"}, want: options{demo: true}},
		{name: "profile", args: []string{"--profile", "/tmp/p"}, want: options{profile: "/tmp/p"}},
		{name: "version", args: []string{"--version"}, want: options{version: true}},
		{name: "demo with profile", args: []string{"--demo", "--profile", "/tmp/p"}, wantErr: true},
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
