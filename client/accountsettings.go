package client

import (
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"

	"securemail/account"
	"securemail/policy"
)

// Default ports of the account servers.
const (
	DefaultIMAPPort = 993 // IMAP over implicit TLS
	DefaultSMTPPort = 465 // SMTP submission over implicit TLS
)

// AccountSettings returns the settings of a new account for address.
// When the policy has a preset for the address's domain, its servers are
// used and imap and smtp are ignored, as the organisation manages them,
// and preset is true. Otherwise imap and smtp are "host:port" or "host".
// username is the login name; empty means the address.
func (c *Client) AccountSettings(address, username, imap, smtp string) (a Account, preset bool, err error) {
	parsed, err := mail.ParseAddress(address)
	if err != nil || parsed.Address != address {
		return Account{}, false, fmt.Errorf("client: invalid account address %q: give only the address, such as name@example.org", address)
	}
	a = Account{Address: address, Username: username}
	if p, ok := presetFor(c.policy.Settings(), address); ok {
		a.IMAP, a.SMTP = endpointFromPreset(p.IMAP), endpointFromPreset(p.SMTP)
		return a, true, nil
	}
	if a.IMAP, err = ParseEndpoint(imap, DefaultIMAPPort); err != nil {
		return Account{}, false, fmt.Errorf("client: IMAP server: %w", err)
	}
	if a.SMTP, err = ParseEndpoint(smtp, DefaultSMTPPort); err != nil {
		return Account{}, false, fmt.Errorf("client: SMTP server: %w", err)
	}
	return a, false, nil
}

// presetFor returns the policy's account preset for the domain of
// address.
func presetFor(s policy.Settings, address string) (policy.AccountPreset, bool) {
	_, domain, ok := strings.Cut(address, "@")
	if !ok {
		return policy.AccountPreset{}, false
	}
	for _, p := range s.AccountPresets {
		for _, d := range p.Domains {
			if strings.EqualFold(d, domain) {
				return p, true
			}
		}
	}
	return policy.AccountPreset{}, false
}

func endpointFromPreset(e policy.ServerEndpoint) account.Endpoint {
	security := account.ImplicitTLS
	if e.Security == "starttls" {
		security = account.StartTLS
	}
	return account.Endpoint{Host: e.Host, Port: e.Port, Security: security}
}

// ParseEndpoint reads a server as "host:port" or "host", which gets
// defaultPort. Ports 143 and 587 mean STARTTLS, every other port
// implicit TLS.
func ParseEndpoint(s string, defaultPort int) (account.Endpoint, error) {
	host, portText, err := net.SplitHostPort(s)
	if err != nil {
		host, portText = s, strconv.Itoa(defaultPort)
	}
	// A colon left in the host is a malformed host:port, unless the host
	// is an IPv6 address given without a port.
	malformed := strings.ContainsAny(host, " /") || (strings.Contains(host, ":") && net.ParseIP(host) == nil)
	port, err := strconv.Atoi(portText)
	if host == "" || malformed || err != nil || port < 1 || port > 65535 {
		return account.Endpoint{}, fmt.Errorf("invalid server %q: give host:port, such as mail.example.org:%d", s, defaultPort)
	}
	security := account.ImplicitTLS
	if port == 143 || port == 587 {
		security = account.StartTLS
	}
	return account.Endpoint{Host: host, Port: port, Security: security}, nil
}
