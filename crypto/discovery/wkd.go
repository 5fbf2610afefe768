package discovery

import (
	"context"
	"crypto/sha1"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// zbase32Alphabet is the human-oriented base-32 alphabet that WKD uses for
// the hashed local part.
const zbase32Alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769"

// zbase32 encodes b without padding, 5 bits at a time from the most
// significant bit.
func zbase32(b []byte) string {
	var sb strings.Builder
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			sb.WriteByte(zbase32Alphabet[(acc>>uint(bits))&31])
		}
	}
	if bits > 0 {
		sb.WriteByte(zbase32Alphabet[(acc<<uint(5-bits))&31])
	}
	return sb.String()
}

// WKDHash returns the z-base-32 SHA-1 of the local part mapped to lower
// case (ASCII only), as the WKD draft defines it.
func WKDHash(localPart string) string {
	lower := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, localPart)
	sum := sha1.Sum([]byte(lower))
	return zbase32(sum[:])
}

// WKDURLs returns the advanced and the direct lookup URL for address.
func WKDURLs(address string) (advanced, direct string, err error) {
	at := strings.LastIndexByte(address, '@')
	if at <= 0 || at == len(address)-1 {
		return "", "", fmt.Errorf("discovery: invalid address %q: want local@domain", address)
	}
	local, domain := address[:at], strings.ToLower(address[at+1:])
	hash := WKDHash(local)
	query := "?l=" + url.QueryEscape(local)
	advanced = "https://openpgpkey." + domain + "/.well-known/openpgpkey/" + domain + "/hu/" + hash + query
	direct = "https://" + domain + "/.well-known/openpgpkey/hu/" + hash + query
	return advanced, direct, nil
}

// WKD looks keys up in a Web Key Directory.
type WKD struct {
	// Client does the HTTPS requests; it must verify certificates.
	Client *http.Client
}

// Lookup tries the advanced method first and falls back to the direct
// method when the advanced host cannot be reached or has no key. It
// returns ErrNotFound when neither holds one.
func (w WKD) Lookup(ctx context.Context, address string) ([]Key, error) {
	addr, err := normalizeAddress(address)
	if err != nil {
		return nil, err
	}
	advanced, direct, err := WKDURLs(addr)
	if err != nil {
		return nil, err
	}

	keys, advErr := w.fetch(ctx, advanced, addr, "wkd-advanced")
	if advErr == nil {
		return keys, nil
	}
	keys, dirErr := w.fetch(ctx, direct, addr, "wkd-direct")
	if dirErr == nil {
		return keys, nil
	}
	if advErr == ErrNotFound && dirErr == ErrNotFound {
		return nil, ErrNotFound
	}
	return nil, fmt.Errorf("discovery: WKD lookup for %s failed: advanced: %v; direct: %w", addr, advErr, dirErr)
}

func (w WKD) fetch(ctx context.Context, rawURL, addr, source string) ([]Key, error) {
	data, err := get(ctx, w.Client, rawURL, "application/octet-stream")
	if err != nil {
		return nil, err
	}
	return keysForAddress(data, addr, source)
}

// get fetches rawURL and returns ErrNotFound for 404 and 410.
func get(ctx context.Context, client *http.Client, rawURL, accept string) ([]byte, error) {
	if client == nil {
		return nil, fmt.Errorf("discovery: no HTTP client configured")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("discovery: building request for %s: %w", rawURL, err)
	}
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discovery: fetching %s: %w", rawURL, err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, ErrNotFound
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("discovery: fetching %s: server returned %s", rawURL, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxKeyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("discovery: reading %s: %w", rawURL, err)
	}
	if len(data) > maxKeyBytes {
		return nil, fmt.Errorf("discovery: response from %s is over the %d byte limit", rawURL, maxKeyBytes)
	}
	return data, nil
}
