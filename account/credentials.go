package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"
	"golang.org/x/oauth2"
)

// Credentials is the secret half of an account, handed in by the caller
// who keeps it sealed. Use Password or OAuth.
type Credentials interface {
	// sasl returns a client for one login attempt. host and port go into
	// OAUTHBEARER.
	sasl(ctx context.Context, username, host string, port int) (sasl.Client, error)
}

// Password returns credentials for a password login. The password is only
// ever sent over a verified TLS connection.
func Password(password string) Credentials {
	return passwordCredentials{password: password}
}

type passwordCredentials struct {
	password string
}

func (p passwordCredentials) sasl(_ context.Context, username, _ string, _ int) (sasl.Client, error) {
	if p.password == "" {
		return nil, errors.New("account: password is empty: enter the account password")
	}
	return sasl.NewPlainClient("", username, p.password), nil
}

// OAuthMechanism is the SASL mechanism that carries an OAuth 2.0 access
// token.
type OAuthMechanism string

const (
	// XOAuth2 is the mechanism of Google and Microsoft.
	XOAuth2 OAuthMechanism = "XOAUTH2"
	// OAuthBearer is the standard mechanism of RFC 7628.
	OAuthBearer OAuthMechanism = sasl.OAuthBearer
)

// OAuth returns credentials that log in with an access token from source.
// The source refreshes the token when it expires (see account/oauth).
// An empty mechanism means XOAuth2.
func OAuth(source oauth2.TokenSource, mechanism OAuthMechanism) Credentials {
	if mechanism == "" {
		mechanism = XOAuth2
	}
	return oauthCredentials{source: source, mechanism: mechanism}
}

type oauthCredentials struct {
	source    oauth2.TokenSource
	mechanism OAuthMechanism
}

func (o oauthCredentials) sasl(_ context.Context, username, host string, port int) (sasl.Client, error) {
	token, err := o.source.Token()
	if err != nil {
		return nil, fmt.Errorf("account: failed to get an OAuth access token: %w: sign in again", err)
	}
	switch o.mechanism {
	case XOAuth2:
		return NewXOAuth2Client(username, token.AccessToken), nil
	case OAuthBearer:
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
			Username: username,
			Token:    token.AccessToken,
			Host:     host,
			Port:     port,
		}), nil
	}
	return nil, fmt.Errorf("account: OAuth mechanism %q is not supported: use XOAUTH2 or OAUTHBEARER", o.mechanism)
}
