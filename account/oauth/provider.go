package oauth

import (
	"fmt"

	"golang.org/x/oauth2"
)

// Provider is an OAuth 2.0 authorization server for mail. ClientID (and
// ClientSecret, which Google issues even to desktop apps but which is not
// secret there) come from managed policy or configuration, never from
// code.
type Provider struct {
	Name         string
	AuthURL      string
	TokenURL     string
	Scopes       []string
	ClientID     string
	ClientSecret string
}

// Microsoft365 returns the Microsoft identity platform endpoints for a
// tenant ("organizations", "common" or a tenant ID) with the IMAP and SMTP
// scopes that Microsoft documents for OAuth mail access.
func Microsoft365(tenant, clientID string) Provider {
	if tenant == "" {
		tenant = "organizations"
	}
	base := "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/"
	return Provider{
		Name:     "microsoft365",
		AuthURL:  base + "authorize",
		TokenURL: base + "token",
		Scopes: []string{
			"https://outlook.office.com/IMAP.AccessAsUser.All",
			"https://outlook.office.com/SMTP.Send",
			"offline_access",
		},
		ClientID: clientID,
	}
}

// GoogleWorkspace returns Google's endpoints with the full mail scope,
// the only one Google accepts for IMAP and SMTP.
func GoogleWorkspace(clientID, clientSecret string) Provider {
	return Provider{
		Name:         "google",
		AuthURL:      "https://accounts.google.com/o/oauth2/v2/auth",
		TokenURL:     "https://oauth2.googleapis.com/token",
		Scopes:       []string{"https://mail.google.com/"},
		ClientID:     clientID,
		ClientSecret: clientSecret,
	}
}

// Config returns the oauth2 configuration with the given redirect URL.
func (p Provider) Config(redirectURL string) (*oauth2.Config, error) {
	if p.ClientID == "" {
		return nil, fmt.Errorf("oauth: provider %q has no client ID: set it in the managed policy", p.Name)
	}
	return &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: p.AuthURL, TokenURL: p.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL:  redirectURL,
		Scopes:       p.Scopes,
	}, nil
}
