package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// authServer is a small OAuth 2.0 authorization server on loopback that
// enforces PKCE S256, the redirect URI and refresh tokens.
type authServer struct {
	*httptest.Server
	mu        sync.Mutex
	challenge map[string]string // code -> code_challenge
	redirect  map[string]string // code -> redirect_uri
	refreshes int
	issued    int
}

func newAuthServer(t *testing.T) *authServer {
	a := &authServer{challenge: map[string]string{}, redirect: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", a.authorize)
	mux.HandleFunc("POST /token", a.token)
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

func (a *authServer) provider() Provider {
	return Provider{Name: "test", AuthURL: a.URL + "/authorize", TokenURL: a.URL + "/token",
		Scopes: []string{"mail"}, ClientID: "client-1"}
}

func (a *authServer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("client_id") != "client-1" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	code := fmt.Sprintf("code-%d", len(a.challenge)+1)
	a.challenge[code] = q.Get("code_challenge")
	a.redirect[code] = q.Get("redirect_uri")
	a.mu.Unlock()
	target, _ := url.Parse(q.Get("redirect_uri"))
	v := target.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	target.RawQuery = v.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

func (a *authServer) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	a.mu.Lock()
	defer a.mu.Unlock()
	switch r.Form.Get("grant_type") {
	case "authorization_code":
		code := r.Form.Get("code")
		sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
		if a.challenge[code] == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != a.challenge[code] {
			writeTokenError(w, "invalid_grant")
			return
		}
		if r.Form.Get("redirect_uri") != a.redirect[code] {
			writeTokenError(w, "invalid_grant")
			return
		}
		delete(a.challenge, code)
	case "refresh_token":
		if !strings.HasPrefix(r.Form.Get("refresh_token"), "refresh-") {
			writeTokenError(w, "invalid_grant")
			return
		}
		a.refreshes++
	default:
		writeTokenError(w, "unsupported_grant_type")
		return
	}
	a.issued++
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token":  fmt.Sprintf("access-%d", a.issued),
		"refresh_token": fmt.Sprintf("refresh-%d", a.issued),
		"token_type":    "Bearer",
		"expires_in":    3600,
	})
}

func writeTokenError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"error": code})
}

// browser follows the authorization redirect to the loopback listener,
// as the system browser would.
func browser(t *testing.T) OpenURL {
	return func(u string) error {
		resp, err := http.Get(u)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("callback status %d", resp.StatusCode)
		}
		return nil
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAuthorizeWithPKCE(t *testing.T) {
	server := newAuthServer(t)
	token, err := Authorize(testContext(t), server.provider(), "alice@example.test", browser(t))
	if err != nil {
		t.Fatal(err)
	}
	if token.AccessToken != "access-1" || token.RefreshToken != "refresh-1" {
		t.Errorf("token = %q / %q", token.AccessToken, token.RefreshToken)
	}
}

func TestAuthorizeRejectsWrongVerifier(t *testing.T) {
	server := newAuthServer(t)
	// Replace the challenge the client sent, as if an attacker had
	// intercepted the code: the client's verifier no longer matches.
	open := func(u string) error {
		parsed, _ := url.Parse(u)
		q := parsed.Query()
		sum := sha256.Sum256([]byte("attacker verifier"))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		parsed.RawQuery = q.Encode()
		return browser(t)(parsed.String())
	}
	_, err := Authorize(testContext(t), server.provider(), "", open)
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("Authorize with a mismatched PKCE verifier: err = %v, want invalid_grant", err)
	}
}

func TestAuthorizeIgnoresWrongState(t *testing.T) {
	server := newAuthServer(t)
	ctx, cancel := context.WithTimeout(testContext(t), 2*time.Second)
	defer cancel()
	open := func(u string) error {
		parsed, _ := url.Parse(u)
		redirect := parsed.Query().Get("redirect_uri")
		resp, err := http.Get(redirect + "?code=injected&state=wrong")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			return fmt.Errorf("callback with a wrong state got status %d", resp.StatusCode)
		}
		return nil
	}
	_, err := Authorize(ctx, server.provider(), "", open)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Authorize after a wrong-state callback: err = %v, want it to keep waiting", err)
	}
}

func TestAuthorizeProviderError(t *testing.T) {
	server := newAuthServer(t)
	open := func(u string) error {
		parsed, _ := url.Parse(u)
		q := parsed.Query()
		resp, err := http.Get(q.Get("redirect_uri") + "?error=access_denied&state=" + url.QueryEscape(q.Get("state")))
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	_, err := Authorize(testContext(t), server.provider(), "", open)
	if err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Fatalf("err = %v, want access_denied", err)
	}
}

func TestAuthorizeNeedsClientID(t *testing.T) {
	p := Microsoft365("", "")
	if _, err := Authorize(testContext(t), p, "", browser(t)); err == nil || !strings.Contains(err.Error(), "client ID") {
		t.Fatalf("err = %v, want missing client ID", err)
	}
}

type memRecords struct{ m map[string][]byte }

func (r *memRecords) PutRecord(kind, key string, value []byte) error {
	r.m[kind+"/"+key] = append([]byte(nil), value...)
	return nil
}

func (r *memRecords) GetRecord(kind, key string) ([]byte, error) {
	v, ok := r.m[kind+"/"+key]
	if !ok {
		return nil, fmt.Errorf("record %s: %w", key, fs.ErrNotExist)
	}
	return v, nil
}

func (r *memRecords) DeleteRecord(kind, key string) error {
	delete(r.m, kind+"/"+key)
	return nil
}

func TestTokenSourceRefreshesAndSaves(t *testing.T) {
	server := newAuthServer(t)
	store := NewTokenStore(&memRecords{m: map[string][]byte{}})
	expired := &oauth2.Token{AccessToken: "access-old", RefreshToken: "refresh-old", Expiry: time.Now().Add(-time.Minute)}
	if err := store.Save("acct", expired); err != nil {
		t.Fatal(err)
	}

	source, err := store.TokenSource(testContext(t), server.provider(), "acct")
	if err != nil {
		t.Fatal(err)
	}
	token, err := source.Token()
	if err != nil {
		t.Fatal(err)
	}
	if token.AccessToken != "access-1" || server.refreshes != 1 {
		t.Errorf("token %q after %d refreshes, want access-1 after 1", token.AccessToken, server.refreshes)
	}
	saved, err := store.Load("acct")
	if err != nil {
		t.Fatal(err)
	}
	if saved.AccessToken != "access-1" || saved.RefreshToken != "refresh-1" {
		t.Errorf("saved token %q / %q, want the refreshed pair", saved.AccessToken, saved.RefreshToken)
	}

	// A valid token is reused without another refresh.
	if _, err := source.Token(); err != nil || server.refreshes != 1 {
		t.Errorf("second Token: err %v, refreshes %d, want no new refresh", err, server.refreshes)
	}
}

func TestTokenStoreMissingAndCorrupt(t *testing.T) {
	records := &memRecords{m: map[string][]byte{}}
	store := NewTokenStore(records)
	if _, err := store.Load("nobody"); !errors.Is(err, ErrNoToken) {
		t.Errorf("Load of a missing token: err = %v, want ErrNoToken", err)
	}
	records.PutRecord(recordKind, "broken", []byte("{not json"))
	if _, err := store.Load("broken"); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("Load of a corrupt token: err = %v", err)
	}
}

func TestPresetsHaveMailScopes(t *testing.T) {
	ms := Microsoft365("contoso.example", "id")
	if !strings.Contains(ms.AuthURL, "/contoso.example/") || len(ms.Scopes) != 3 {
		t.Errorf("Microsoft365 preset = %+v", ms)
	}
	g := GoogleWorkspace("id", "")
	if len(g.Scopes) != 1 || g.Scopes[0] != "https://mail.google.com/" {
		t.Errorf("GoogleWorkspace scopes = %v", g.Scopes)
	}
}
