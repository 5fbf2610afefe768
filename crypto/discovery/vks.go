package discovery

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DefaultVKSBase is the public verifying key server. Which servers are
// used is a setting the managed policy can lock.
const DefaultVKSBase = "https://keys.openpgp.org"

// VKS looks keys up by address on a Verifying Key Server, which publishes
// a user ID only after its owner confirmed the address.
type VKS struct {
	Client *http.Client
	// Base is the server's URL without a trailing slash, for example
	// DefaultVKSBase.
	Base string
}

// Lookup returns the key published for address, or ErrNotFound.
func (v VKS) Lookup(ctx context.Context, address string) ([]Key, error) {
	addr, err := normalizeAddress(address)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(v.Base, "https://") {
		return nil, fmt.Errorf("discovery: key server %q must use https", v.Base)
	}
	rawURL := strings.TrimRight(v.Base, "/") + "/vks/v1/by-email/" + url.PathEscape(addr)
	data, err := get(ctx, v.Client, rawURL, "application/pgp-keys")
	if err != nil {
		return nil, err
	}
	return keysForAddress(data, addr, "vks")
}
