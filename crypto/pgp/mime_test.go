package pgp

import (
	"errors"
	"strings"
	"testing"
)

func TestSplitMultipart(t *testing.T) {
	cases := []struct {
		name string
		body string
		want []string
	}{
		{"crlf", "preamble\r\n--b\r\nA\r\n--b\r\nB\r\n--b--\r\nepilogue", []string{"A", "B"}},
		{"lf", "--b\nA\n--b\nB\n--b--\n", []string{"A", "B"}},
		{"part keeps its own line breaks", "--b\r\nA\r\n\r\n--b--", []string{"A\r\n"}},
		{"empty part", "--b\r\n--b\r\nB\r\n--b--", []string{"", "B"}},
		{"transport padding", "--b  \r\nA\r\n--b-- \t\r\n", []string{"A"}},
		{"longer boundary is not a delimiter", "--b\r\n--bc\r\n--b--", []string{"--bc"}},
		{"missing close delimiter", "--b\r\nA\r\n--b\r\nB\r\n", []string{"A", "B\r\n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := splitMultipart([]byte(tc.body), "b")
			if err != nil {
				t.Fatalf("splitMultipart: %v", err)
			}
			if len(parts) != len(tc.want) {
				t.Fatalf("got %d parts %q, want %q", len(parts), parts, tc.want)
			}
			for i := range parts {
				if string(parts[i]) != tc.want[i] {
					t.Errorf("part %d = %q, want %q", i, parts[i], tc.want[i])
				}
			}
		})
	}
}

func TestSplitMultipartErrors(t *testing.T) {
	if _, err := splitMultipart([]byte("no delimiter here"), "b"); !errors.Is(err, ErrMalformed) {
		t.Errorf("no delimiter: error = %v, want ErrMalformed", err)
	}
	if _, err := splitMultipart([]byte("--\r\n"), ""); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty boundary: error = %v, want ErrMalformed", err)
	}
}

func TestCanonicalCRLF(t *testing.T) {
	cases := map[string]string{
		"a\nb\n":     "a\r\nb\r\n",
		"a\r\nb\r\n": "a\r\nb\r\n",
		"a\r\nb\nc":  "a\r\nb\r\nc",
		"\n":         "\r\n",
		"":           "",
	}
	for in, want := range cases {
		if got := string(canonicalCRLF([]byte(in))); got != want {
			t.Errorf("canonicalCRLF(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeBase64Lenient(t *testing.T) {
	for _, in := range []string{"aGVsbG8=", "aGVs\r\nbG8=", "aGVsbG8"} {
		got, err := decodeBase64([]byte(in))
		if err != nil {
			t.Errorf("decodeBase64(%q): %v", in, err)
			continue
		}
		if string(got) != "hello" {
			t.Errorf("decodeBase64(%q) = %q", in, got)
		}
	}
	if _, err := decodeBase64([]byte("a!b=")); !errors.Is(err, ErrMalformed) {
		t.Errorf("invalid base64: error = %v, want ErrMalformed", err)
	}
}

func TestParsePartSkipsMboxLine(t *testing.T) {
	p, err := parsePart([]byte("From alice@example.org Mon Jan  1 00:00:00 2024\nContent-Type: text/html\n\nbody"))
	if err != nil {
		t.Fatalf("parsePart: %v", err)
	}
	if p.mediaType != "text/html" {
		t.Errorf("media type = %q, want text/html", p.mediaType)
	}
	if string(p.body) != "body" {
		t.Errorf("body = %q", p.body)
	}
}

func TestParsePartHeaderLimit(t *testing.T) {
	long := []byte("X-Filler: " + strings.Repeat("a", MaxHeaderSize) + "\r\n\r\nbody")
	if _, err := parsePart(long); !errors.Is(err, ErrMalformed) {
		t.Errorf("oversized header: error = %v, want ErrMalformed", err)
	}
	bigBody := []byte("Content-Type: text/plain\r\n\r\n" + strings.Repeat("b", 2*MaxHeaderSize))
	if _, err := parsePart(bigBody); err != nil {
		t.Errorf("small header, large body: %v", err)
	}
}
