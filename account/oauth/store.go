package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"golang.org/x/oauth2"
)

// RecordStore is the sealed record storage that *cache.Store implements.
type RecordStore interface {
	PutRecord(kind, key string, value []byte) error
	GetRecord(kind, key string) ([]byte, error) // wraps fs.ErrNotExist when missing
	DeleteRecord(kind, key string) error
}

// recordKind is the record kind tokens are stored under.
const recordKind = "oauth-token"

// ErrNoToken reports that an account has no stored token, so the user
// must sign in.
var ErrNoToken = errors.New("oauth: no token stored: sign in to the account")

// TokenStore keeps each account's token as a sealed record.
type TokenStore struct {
	records RecordStore
}

// NewTokenStore returns a TokenStore over sealed records.
func NewTokenStore(records RecordStore) *TokenStore {
	return &TokenStore{records: records}
}

// Load returns the account's token, or an error wrapping ErrNoToken.
func (s *TokenStore) Load(account string) (*oauth2.Token, error) {
	raw, err := s.records.GetRecord(recordKind, account)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (account %q)", ErrNoToken, account)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: failed to read the token of account %q: %w", account, err)
	}
	var token oauth2.Token
	if err := json.Unmarshal(raw, &token); err != nil {
		return nil, fmt.Errorf("oauth: stored token of account %q is corrupt: %w: sign in again", account, err)
	}
	return &token, nil
}

// Save stores the account's token.
func (s *TokenStore) Save(account string, token *oauth2.Token) error {
	raw, err := json.Marshal(token)
	if err != nil {
		return fmt.Errorf("oauth: failed to encode the token: %w", err)
	}
	if err := s.records.PutRecord(recordKind, account, raw); err != nil {
		return fmt.Errorf("oauth: failed to store the token of account %q: %w", account, err)
	}
	return nil
}

// Delete removes the account's token, for sign-out.
func (s *TokenStore) Delete(account string) error {
	return s.records.DeleteRecord(recordKind, account)
}

// TokenSource returns a source of valid access tokens for the account.
// It refreshes the token through the provider when it expires and stores
// every new token, so that a rotated refresh token is not lost.
func (s *TokenStore) TokenSource(ctx context.Context, p Provider, account string) (oauth2.TokenSource, error) {
	token, err := s.Load(account)
	if err != nil {
		return nil, err
	}
	cfg, err := p.Config("")
	if err != nil {
		return nil, err
	}
	return &savingSource{
		base:    oauth2.ReuseTokenSource(token, cfg.TokenSource(ctx, token)),
		store:   s,
		account: account,
		last:    token.AccessToken,
	}, nil
}

type savingSource struct {
	base    oauth2.TokenSource
	store   *TokenStore
	account string

	mu   sync.Mutex
	last string
}

func (s *savingSource) Token() (*oauth2.Token, error) {
	token, err := s.base.Token()
	if err != nil {
		return nil, fmt.Errorf("oauth: failed to refresh the token of account %q: %w: sign in again", s.account, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if token.AccessToken != s.last {
		if err := s.store.Save(s.account, token); err != nil {
			return nil, err
		}
		s.last = token.AccessToken
	}
	return token, nil
}
