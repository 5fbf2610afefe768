package compose

import (
	"crypto/rand"
	"fmt"
	"testing"
)

// BenchmarkReview measures a review of 20 recipients against 500
// contacts, with the fake PHI scanner (the scanner has its own benchmark).
func BenchmarkReview(b *testing.B) {
	env, _ := testEnv()
	var contacts fakeContacts
	for i := range 500 {
		contacts = append(contacts, Contact{Name: fmt.Sprintf("Contact %d", i), Address: fmt.Sprintf("c%d@org%d.example", i, i)})
	}
	env.Contacts = contacts
	var to []string
	for i := range 20 {
		to = append(to, fmt.Sprintf("r%d@org%d.example", i, i*7))
	}
	d := testDraft(to...)

	b.ReportAllocs()
	for b.Loop() {
		if _, err := Review(d, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealPDF2MB measures Seal for one PDF recipient and one OpenPGP
// group (fake protector) with a 2 MB attachment.
func BenchmarkSealPDF2MB(b *testing.B) {
	env, _ := testEnv()
	d := testDraft("lab@partnerlab.com", "stranger@gmail.com")
	data := make([]byte, 2<<20)
	rand.Read(data)
	d.Attachments = []Attachment{{Name: "scan.bin", Data: data}}
	r, err := Review(d, env)
	if err != nil {
		b.Fatal(err)
	}
	answers := confirmAll(r)

	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Seal(d, r, answers, env); err != nil {
			b.Fatal(err)
		}
	}
}
