package account

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// OAuth provider names a Preset can carry; the caller turns them into an
// oauth.Provider with the client ID from policy.
const (
	OAuthMicrosoft365 = "microsoft365"
	OAuthGoogle       = "google"
	// OAuthOther marks an autoconfig server that takes OAuth 2.0 from a
	// provider that policy must name.
	OAuthOther = "oauth2"
)

// Preset is known server settings for a set of mail domains.
type Preset struct {
	Name    string
	Domains []string
	IMAP    Endpoint
	SMTP    Endpoint
	// Username is a template: %EMAILADDRESS%, %EMAILLOCALPART% and
	// %EMAILDOMAIN% are replaced. Empty means the address.
	Username string
	// OAuth names the OAuth provider, or is empty for password login.
	OAuth string
}

// BuiltinPresets are the hosted services with fixed settings.
// NOTE: Microsoft 365 and Google Workspace tenants on their own domains
// are found only through policy presets or autoconfig, not through MX
// lookups.
var BuiltinPresets = []Preset{
	{
		Name:    "Google",
		Domains: []string{"gmail.com", "googlemail.com"},
		IMAP:    Endpoint{Host: "imap.gmail.com", Port: 993, Security: ImplicitTLS},
		SMTP:    Endpoint{Host: "smtp.gmail.com", Port: 465, Security: ImplicitTLS},
		OAuth:   OAuthGoogle,
	},
	{
		Name:    "Microsoft 365",
		Domains: []string{"outlook.com", "hotmail.com", "live.com", "office365.com"},
		IMAP:    Endpoint{Host: "outlook.office365.com", Port: 993, Security: ImplicitTLS},
		SMTP:    Endpoint{Host: "smtp.office365.com", Port: 587, Security: StartTLS},
		OAuth:   OAuthMicrosoft365,
	},
}

// Discovery finds account settings from an address.
type Discovery struct {
	// Presets from managed policy; they win over everything else.
	Presets []Preset
	// HTTPClient fetches autoconfig documents; nil means a client with a
	// 15 s timeout.
	HTTPClient *http.Client
	// AutoconfigURLs returns the URLs to try for a domain; nil means
	// https://autoconfig.<domain>/mail/config-v1.1.xml and
	// https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml.
	AutoconfigURLs func(domain, address string) []string
}

// Discovered is the result of discovery: a config without an ID and the
// preset that produced it, with Name "autoconfig" for an autoconfig
// document.
type Discovered struct {
	Config Config
	Preset Preset
}

// ErrNotDiscovered reports that no preset or autoconfig document matched.
var ErrNotDiscovered = errors.New("account: no settings found for the domain: enter the servers by hand")

// Discover finds settings for address: policy presets, then built-in
// presets, then Mozilla autoconfig over HTTPS. Autoconfig entries that
// would send the password in plaintext are skipped.
func (d *Discovery) Discover(ctx context.Context, address string) (*Discovered, error) {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" || domain == "" {
		return nil, fmt.Errorf("account: %q is not an email address: use name@domain", address)
	}
	domain, err := idna.Lookup.ToASCII(strings.ToLower(domain))
	if err != nil {
		return nil, fmt.Errorf("account: domain of %q is invalid: %w", address, err)
	}

	for _, presets := range [][]Preset{d.Presets, BuiltinPresets} {
		for _, p := range presets {
			for _, pd := range p.Domains {
				if strings.EqualFold(pd, domain) {
					return p.discovered(local, domain), nil
				}
			}
		}
	}

	var errs []error
	for _, u := range d.urls(domain, address) {
		p, err := d.fetchAutoconfig(ctx, u)
		if err == nil {
			return p.discovered(local, domain), nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(append([]error{ErrNotDiscovered}, errs...)...)
}

func (p Preset) discovered(local, domain string) *Discovered {
	username := p.Username
	if username == "" {
		username = "%EMAILADDRESS%"
	}
	address := local + "@" + domain
	username = strings.NewReplacer(
		"%EMAILADDRESS%", address,
		"%EMAILLOCALPART%", local,
		"%EMAILDOMAIN%", domain,
	).Replace(username)
	return &Discovered{
		Config: Config{Address: address, Username: username, IMAP: p.IMAP, SMTP: p.SMTP},
		Preset: p,
	}
}

func (d *Discovery) urls(domain, address string) []string {
	if d.AutoconfigURLs != nil {
		return d.AutoconfigURLs(domain, address)
	}
	return []string{
		"https://autoconfig." + domain + "/mail/config-v1.1.xml?emailaddress=" + url.QueryEscape(address),
		"https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
}

// maxAutoconfigSize bounds the document read from a server.
const maxAutoconfigSize = 1 << 20

func (d *Discovery) fetchAutoconfig(ctx context.Context, rawURL string) (Preset, error) {
	if !strings.HasPrefix(rawURL, "https://") {
		return Preset{}, fmt.Errorf("autoconfig URL %s is not HTTPS", rawURL)
	}
	client := d.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Preset{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return Preset{}, fmt.Errorf("autoconfig %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Preset{}, fmt.Errorf("autoconfig %s: HTTP status %d", rawURL, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAutoconfigSize))
	if err != nil {
		return Preset{}, fmt.Errorf("autoconfig %s: %w", rawURL, err)
	}
	p, err := parseAutoconfig(body)
	if err != nil {
		return Preset{}, fmt.Errorf("autoconfig %s: %w", rawURL, err)
	}
	return p, nil
}

type autoconfigDoc struct {
	Providers []struct {
		ID       string             `xml:"id,attr"`
		Incoming []autoconfigServer `xml:"incomingServer"`
		Outgoing []autoconfigServer `xml:"outgoingServer"`
	} `xml:"emailProvider"`
}

type autoconfigServer struct {
	Type           string   `xml:"type,attr"`
	Hostname       string   `xml:"hostname"`
	Port           string   `xml:"port"`
	SocketType     string   `xml:"socketType"`
	Username       string   `xml:"username"`
	Authentication []string `xml:"authentication"`
}

// parseAutoconfig reads a Mozilla autoconfig document (clientConfig
// version 1.1) and takes the first IMAP and SMTP servers that use TLS.
func parseAutoconfig(body []byte) (Preset, error) {
	var doc autoconfigDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		return Preset{}, fmt.Errorf("invalid autoconfig XML: %w", err)
	}
	for _, provider := range doc.Providers {
		p := Preset{Name: "autoconfig"}
		var imapOK, smtpOK bool
		for _, s := range provider.Incoming {
			if ep, ok := s.endpoint("imap"); ok && !imapOK {
				p.IMAP, p.Username, p.OAuth, imapOK = ep, s.Username, s.oauth(), true
			}
		}
		for _, s := range provider.Outgoing {
			if ep, ok := s.endpoint("smtp"); ok && !smtpOK {
				p.SMTP, smtpOK = ep, true
			}
		}
		if imapOK && smtpOK {
			return p, nil
		}
	}
	return Preset{}, errors.New("autoconfig has no IMAP and SMTP servers with TLS")
}

func (s autoconfigServer) endpoint(kind string) (Endpoint, bool) {
	if !strings.EqualFold(s.Type, kind) || s.Hostname == "" {
		return Endpoint{}, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(s.Port))
	if err != nil || port <= 0 || port > 65535 {
		return Endpoint{}, false
	}
	ep := Endpoint{Host: strings.TrimSpace(s.Hostname), Port: port}
	switch strings.ToUpper(strings.TrimSpace(s.SocketType)) {
	case "SSL", "TLS":
		ep.Security = ImplicitTLS
	case "STARTTLS":
		ep.Security = StartTLS
	default:
		return Endpoint{}, false // plain: never used
	}
	return ep, true
}

func (s autoconfigServer) oauth() string {
	for _, a := range s.Authentication {
		if strings.EqualFold(strings.TrimSpace(a), "OAuth2") {
			return OAuthOther
		}
	}
	return ""
}
