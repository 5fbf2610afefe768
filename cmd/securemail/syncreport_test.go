package main

import (
	"errors"
	"testing"

	"securemail/client"
)

func TestReadMarksOnly(t *testing.T) {
	marks := &client.ReadMarksError{Account: "a", Unsent: 1, Causes: []error{errors.New("connection reset")}}
	syncErr := errors.New("select failed")
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"read marks alone", marks, true},
		{"read marks joined with no sync error", errors.Join(nil, marks), true},
		{"sync error and read marks", errors.Join(syncErr, marks), false},
		{"sync error alone", syncErr, false},
		{"sync error joined alone", errors.Join(syncErr, nil), false},
	} {
		if got := readMarksOnly(tc.err); got != tc.want {
			t.Errorf("%s: readMarksOnly = %v, want %v", tc.name, got, tc.want)
		}
	}
}
