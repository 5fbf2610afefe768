package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// fakeLayer returns an opener that answers every entity with inner and
// status, standing in for a scheme in unit tests. The real schemes are
// tested in crypto/pgp, crypto/smime and in package client.
func fakeLayer(inner []byte, st PartStatus) EntityOpener {
	return func([]byte) (*Layer, error) {
		return &Layer{Entity: inner, Status: st}, nil
	}
}

var goodPGP = PartStatus{
	Encryption: Encryption{Scheme: SchemeOpenPGP, Algorithm: "AES-256", IntegrityProtected: true},
	Signature:  Signature{State: GoodSignature, Scheme: SchemeOpenPGP, Signer: "Alice Lovelace <alice@openpgp.example>"},
}

func TestOpenUsesProtectedSubject(t *testing.T) {
	raw, err := os.ReadFile("testdata/pgpmime-sign+enc+legacy-disp.eml")
	if err != nil {
		t.Fatal(err)
	}
	inner, err := os.ReadFile("testdata/pgpmime-sign+enc+legacy-disp.inner")
	if err != nil {
		t.Fatal(err)
	}
	r := Reader{OpenPGP: fakeLayer(inner, goodPGP)}

	m, err := r.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Outer.Get("Subject"); got != "..." {
		t.Errorf("outer subject = %q, want the placeholder", got)
	}
	if got := m.Header.Get("Subject"); got != "BarCorp contract signed, let's go!" {
		t.Errorf("subject = %q, want the protected one", got)
	}
	if !m.HeaderProtected {
		t.Error("HeaderProtected not set")
	}
	leaves := m.Root.Leaves()
	if len(leaves) != 1 {
		t.Fatalf("%d displayed parts, want 1 (the legacy display part hidden)", len(leaves))
	}
	if !bytes.Contains(leaves[0].Body, []byte("Hi Bob!")) {
		t.Errorf("body = %q", leaves[0].Body)
	}
	if m.Encryption != CoverageFull || m.Signature != CoverageFull {
		t.Errorf("coverage enc=%v sig=%v, want full and full", m.Encryption, m.Signature)
	}
	if !leaves[0].Status.Signature.MatchesFrom {
		t.Error("signer alice@openpgp.example does not match From")
	}
}

func TestOpenIgnoresUnauthenticatedProtectedHeaders(t *testing.T) {
	raw, _ := os.ReadFile("testdata/pgpmime-sign+enc+legacy-disp.eml")
	inner, _ := os.ReadFile("testdata/pgpmime-sign+enc+legacy-disp.inner")
	bad := PartStatus{Signature: Signature{State: BadSignature, Scheme: SchemeOpenPGP}}
	m, err := Reader{OpenPGP: fakeLayer(inner, bad)}.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("Subject"); got != "..." {
		t.Errorf("subject = %q: protected headers used without encryption or a good signature", got)
	}
	if m.Signature != CoverageNone {
		t.Errorf("signature coverage = %v, want none for a bad signature", m.Signature)
	}
}

func TestOpenFailedLayerShowsNothing(t *testing.T) {
	raw, _ := os.ReadFile("testdata/pgpmime-sign+enc+legacy-disp.eml")
	refused := errors.New("no integrity protection")
	m, err := Reader{OpenPGP: func([]byte) (*Layer, error) { return nil, refused }}.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	leaves := m.Root.Leaves()
	if len(leaves) != 1 || leaves[0].Body != nil {
		t.Fatalf("leaves = %+v, want one part with no body", leaves)
	}
	if !errors.Is(leaves[0].Problem, refused) {
		t.Errorf("problem = %v, want the opener's error", leaves[0].Problem)
	}
	if len(m.Problems) != 1 {
		t.Errorf("problems = %v, want one", m.Problems)
	}
}

func TestOpenWithoutSchemeReportsProblem(t *testing.T) {
	raw, _ := os.ReadFile("testdata/pgpmime-signed.eml")
	m, err := Reader{}.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(m.Problems[0], errNoScheme) {
		t.Errorf("problems = %v, want errNoScheme", m.Problems)
	}
}

const plainMixed = "From: Dr. Rosa Lind <rosa@clinic.test>\r\n" +
	"To: lab@lab.test\r\n" +
	"Subject: Referral 4471\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
	"\r\n" +
	"preamble\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=iso-8859-1\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Gr=FC=DFe aus der Klinik\r\n" +
	"--b1\r\n" +
	"Content-Type: application/pdf; name=\"referral.pdf\"\r\n" +
	"Content-Disposition: attachment; filename=\"referral.pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"JVBERi0xLjQK\r\n" +
	"--b1--\r\n" +
	"epilogue\r\n"

func TestOpenPlainMultipart(t *testing.T) {
	m, err := Reader{}.Open([]byte(plainMixed))
	if err != nil {
		t.Fatal(err)
	}
	leaves := m.Root.Leaves()
	if len(leaves) != 2 {
		t.Fatalf("%d leaves, want 2", len(leaves))
	}
	if got := string(leaves[0].Body); got != "Grüße aus der Klinik" {
		t.Errorf("text = %q, want the Latin-1 text as UTF-8", got)
	}
	if !leaves[1].Attachment || leaves[1].Filename != "referral.pdf" {
		t.Errorf("attachment = %+v", leaves[1])
	}
	if string(leaves[1].Body) != "%PDF-1.4\n" {
		t.Errorf("attachment body = %q", leaves[1].Body)
	}
	if m.Encryption != CoverageNone || m.Signature != CoverageNone {
		t.Errorf("coverage = %v/%v, want none", m.Encryption, m.Signature)
	}
}

func TestOpenPartlySigned(t *testing.T) {
	signedPart := "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=s\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\nsigned text\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\nsig\r\n--s--\r\n"
	msg := "From: a@clinic.test\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nunsigned preface\r\n--m\r\n" + signedPart + "--m--\r\n"
	good := PartStatus{Signature: Signature{State: GoodSignature, Signer: "a@clinic.test"}}
	m, err := Reader{OpenPGP: fakeLayer([]byte("Content-Type: text/plain\r\n\r\nsigned text"), good)}.Open([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Signature != CoveragePartial {
		t.Errorf("signature coverage = %v, want partial", m.Signature)
	}
}

func TestOpenLimits(t *testing.T) {
	var sb strings.Builder
	for i := range 50 {
		fmt.Fprintf(&sb, "Content-Type: multipart/mixed; boundary=x%d\r\n\r\n--x%d\r\n", i, i)
	}
	deep := sb.String() + "Content-Type: text/plain\r\n\r\nhi\r\n"
	m, err := Reader{}.Open([]byte(deep))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range m.Problems {
		found = found || errors.Is(p, ErrTooDeep)
	}
	if !found {
		t.Errorf("problems = %v, want ErrTooDeep", m.Problems)
	}

	if _, err := (Reader{Limits: Limits{MaxDepth: 4, MaxParts: 10, MaxSize: 10}}).Open([]byte(plainMixed)); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("err = %v, want ErrMessageTooLarge", err)
	}

	many := "Content-Type: multipart/mixed; boundary=x\r\n\r\n" + strings.Repeat("--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n", 40) + "--x--\r\n"
	m, err = Reader{Limits: Limits{MaxDepth: 4, MaxParts: 10, MaxSize: 1 << 20}}.Open([]byte(many))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Problems) == 0 {
		t.Error("40 parts accepted with a limit of 10")
	}
}

func TestProtectHeadersRoundTrip(t *testing.T) {
	msg := []byte("From: Rosa Lind <rosa@clinic.test>\r\nTo: lab@lab.test\r\nSubject: HbA1c for J. Doe\r\nKeywords: diabetes\r\nMessage-ID: <1@clinic.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nResult attached.\r\n")
	payload, outer, err := ProtectHeaders(msg, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := outer.Get("Subject"); got != ObscuredSubject {
		t.Errorf("outer subject = %q", got)
	}
	if outer.Has("Keywords") {
		t.Error("Keywords left outside the encryption")
	}
	if !bytes.Contains(payload, []byte("hp=cipher")) {
		t.Errorf("payload lacks hp=cipher: %s", payload)
	}
	if !bytes.Contains(payload, []byte("Hp-Outer: Subject: [...]")) && !bytes.Contains(payload, []byte("HP-Outer: Subject: [...]")) {
		t.Errorf("payload lacks the HP-Outer record of the subject: %s", payload)
	}

	// A stand-in scheme: the "encrypted" entity is the payload itself.
	wrapper := []byte("Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=z\r\n\r\n--z\r\n\r\n--z--\r\n")
	full, err := Assemble(outer, wrapper)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(full, []byte("HbA1c")) {
		t.Fatal("subject text outside the encryption")
	}
	m, err := Reader{OpenPGP: fakeLayer(payload, goodPGP)}.Open(full)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("Subject"); got != "HbA1c for J. Doe" {
		t.Errorf("subject after opening = %q", got)
	}
	if got := m.Outer.Get("Message-Id"); got != "<1@clinic.test>" {
		t.Errorf("outer Message-ID = %q, want it kept outside", got)
	}
}

func TestSplitMultipartKeepsBytes(t *testing.T) {
	body := []byte("pre\r\n--b\r\nA: 1\r\n\r\nx \r\n\r\n--b \r\n\r\ny\r\n--b--\r\nepi")
	parts, err := splitMultipart(body, "b", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2", len(parts))
	}
	if string(parts[0]) != "A: 1\r\n\r\nx \r\n" {
		t.Errorf("part 0 = %q", parts[0])
	}
	if string(parts[1]) != "\r\ny" {
		t.Errorf("part 1 = %q", parts[1])
	}
	if _, err := splitMultipart([]byte("no delimiter"), "b", 10); err == nil {
		t.Error("body without delimiter accepted")
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte(plainMixed))
	f.Add([]byte("Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=s\r\n\r\n--s\r\n\r\nx\r\n--s--"))
	f.Add([]byte("Content-Type: application/pkcs7-mime\r\n\r\nAAAA"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := Reader{
			OpenPGP: fakeLayer([]byte("Content-Type: text/plain\r\n\r\ninner"), goodPGP),
			SMIME:   func([]byte) (*Layer, error) { return nil, errors.New("no") },
			Limits:  Limits{MaxDepth: 8, MaxParts: 50, MaxSize: 1 << 20},
		}
		m, err := r.Open(raw)
		if err != nil {
			return
		}
		for _, l := range m.Root.Leaves() {
			if l.Problem != nil && l.Body != nil {
				t.Fatal("a part with a problem has a body")
			}
		}
	})
}
