package compose

import (
	"net/mail"
	"testing"
)

// FuzzReviewRecipient checks that any recipient name and address yields
// a report, never a panic, and that an address without a method is
// blocked.
func FuzzReviewRecipient(f *testing.F) {
	for _, seed := range [][2]string{
		{"Bo Nurse", "bo@gmail.com"},
		{"", "x@xn--mrcyhealth-ksi.org"},
		{"\r\nBcc: x", "a@b@c"},
		{"", "@"},
		{"Ζωή", "zoe@bücher.example"},
	} {
		f.Add(seed[0], seed[1])
	}
	env, _ := testEnv()
	f.Fuzz(func(t *testing.T, name, address string) {
		d := testDraft()
		d.To = []mail.Address{{Name: name, Address: address}}
		r, err := Review(d, env)
		if err != nil {
			t.Fatalf("Review(%q, %q): %v", name, address, err)
		}
		for _, rr := range r.Recipients {
			if rr.Method == MethodNone && !r.Blocked() {
				t.Errorf("recipient %q has no method but the review is not blocked", rr.Address)
			}
		}
		if len(r.Recipients) == 0 && !r.Blocked() {
			t.Errorf("no valid recipient in %q but the review is not blocked", address)
		}
	})
}
