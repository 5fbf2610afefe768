package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// OpenURL opens a URL in the system browser. The GUI passes one that
// calls the platform opener; tests pass one that follows the redirect.
type OpenURL func(url string) error

// Authorize runs the authorization code flow with PKCE (S256): it listens
// on a random port of 127.0.0.1 for the redirect (RFC 8252 section 7.3),
// opens the authorization page through open, waits for the code and
// exchanges it. The state parameter is checked before the code is used.
// ctx bounds the whole flow, including the time the user takes.
func Authorize(ctx context.Context, p Provider, loginHint string, open OpenURL) (*oauth2.Token, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("oauth: failed to listen for the redirect on loopback: %w", err)
	}
	defer ln.Close()

	redirect := fmt.Sprintf("http://%s/callback", ln.Addr())
	cfg, err := p.Config(redirect)
	if err != nil {
		return nil, err
	}
	state, err := randomState()
	if err != nil {
		return nil, err
	}
	verifier := oauth2.GenerateVerifier()

	results := make(chan callbackResult, 1)
	server := &http.Server{
		Handler:           callbackHandler(state, results),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go server.Serve(ln)
	defer server.Close()

	options := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.AccessTypeOffline}
	if loginHint != "" {
		options = append(options, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	if err := open(cfg.AuthCodeURL(state, options...)); err != nil {
		return nil, fmt.Errorf("oauth: failed to open the browser: %w", err)
	}

	var result callbackResult
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("oauth: sign-in did not finish: %w", ctx.Err())
	case result = <-results:
	}
	if result.err != nil {
		return nil, result.err
	}

	token, err := cfg.Exchange(ctx, result.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("oauth: failed to exchange the authorization code: %w", err)
	}
	if token.RefreshToken == "" {
		return nil, errors.New("oauth: provider returned no refresh token: check that offline access is granted to the app")
	}
	return token, nil
}

type callbackResult struct {
	code string
	err  error
}

// callbackHandler accepts one redirect with the expected state. Requests
// with another state (a stale tab, or a page trying to inject a code) get
// an error page and do not end the flow.
func callbackHandler(state string, results chan<- callbackResult) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		query := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(state)) != 1 {
			http.Error(w, "Sign-in state does not match. Close this tab and start again from SecureMail.", http.StatusBadRequest)
			return
		}
		var result callbackResult
		if e := query.Get("error"); e != "" {
			result.err = fmt.Errorf("oauth: provider denied the sign-in: %s: %s", e, query.Get("error_description"))
		} else if result.code = query.Get("code"); result.code == "" {
			result.err = errors.New("oauth: redirect has no authorization code: start the sign-in again")
		}
		select {
		case results <- result:
		default:
			http.Error(w, "Sign-in already finished.", http.StatusConflict)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		message := "Signed in. You can close this tab and return to SecureMail."
		if result.err != nil {
			message = "Sign-in failed. Return to SecureMail for details."
		}
		fmt.Fprintf(w, "<!doctype html><title>SecureMail</title><p>%s</p>", html.EscapeString(message))
	})
	return mux
}

func randomState() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oauth: failed to make a random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
