package client

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"securemail/compose"
	"securemail/crypto"
	"securemail/crypto/discovery"
)

const (
	historyKind = "history"
	contactKind = "contact"
)

// history counts outgoing mail per address in sealed records, for the
// first-contact and recent-recipient checks of the review.
type history struct {
	mu    sync.Mutex
	store recordStore
}

type recordStore interface {
	PutRecord(kind, key string, value []byte) error
	GetRecord(kind, key string) ([]byte, error)
	ListRecords(kind string) ([]string, error)
	DeleteRecord(kind, key string) error
}

type historyEntry struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

func (h *history) get(address string) (historyEntry, error) {
	raw, err := h.store.GetRecord(historyKind, strings.ToLower(address))
	if errors.Is(err, fs.ErrNotExist) {
		return historyEntry{}, nil
	}
	if err != nil {
		return historyEntry{}, err
	}
	var e historyEntry
	err = json.Unmarshal(raw, &e)
	return e, err
}

// note records one message sent to address at t.
func (h *history) note(address string, t time.Time) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, err := h.get(address)
	if err != nil {
		return err
	}
	e.Count++
	e.Last = t
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return h.store.PutRecord(historyKind, strings.ToLower(address), raw)
}

// SentCount implements compose.RecipientHistory.
func (h *history) SentCount(address string) (int, error) {
	e, err := h.get(address)
	return e.Count, err
}

// Recent implements compose.RecipientHistory.
func (h *history) Recent(limit int) ([]string, error) {
	keys, err := h.store.ListRecords(historyKind)
	if err != nil {
		return nil, err
	}
	type seen struct {
		addr string
		last time.Time
	}
	var all []seen
	for _, k := range keys {
		e, err := h.get(k)
		if err != nil {
			return nil, err
		}
		all = append(all, seen{k, e.Last})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].last.After(all[j].last) })
	var out []string
	for i := 0; i < len(all) && (limit <= 0 || i < limit); i++ {
		out = append(out, all[i].addr)
	}
	return out, nil
}

// contactBook lists saved contacts and every address with a bound key.
type contactBook struct{ s *session }

func (b contactBook) Contacts() ([]compose.Contact, error) {
	keys, err := b.s.store.ListRecords(contactKind)
	if err != nil {
		return nil, err
	}
	var out []compose.Contact
	seen := map[string]bool{}
	for _, k := range keys {
		raw, err := b.s.store.GetRecord(contactKind, k)
		if err != nil {
			return nil, err
		}
		var ct compose.Contact
		if err := json.Unmarshal(raw, &ct); err != nil {
			return nil, err
		}
		seen[ct.Address] = true
		out = append(out, ct)
	}
	bindings, err := b.s.trust.List()
	if err != nil {
		return nil, err
	}
	for _, bd := range bindings {
		if !seen[bd.Address] {
			seen[bd.Address] = true
			out = append(out, compose.Contact{Address: bd.Address})
		}
	}
	return out, nil
}

// AddContact saves a contact's name and address.
func (c *Client) AddContact(name, address string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	addr := addrSpec(address)
	if addr == "" {
		return errors.New("client: invalid contact address " + address)
	}
	raw, err := json.Marshal(compose.Contact{Name: name, Address: addr})
	if err != nil {
		return err
	}
	return s.store.PutRecord(contactKind, addr, raw)
}

// Contacts lists the saved contacts and every address with a key.
func (c *Client) Contacts() ([]compose.Contact, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	return contactBook{s: s}.Contacts()
}

// discoveryTimeout bounds each key lookup, so a slow server cannot hold
// up the review.
const discoveryTimeout = 5 * time.Second

// discoverRecipients looks up OpenPGP keys and S/MIME certificates for
// recipients that have none, in the sources the policy allows. Keys found
// are bound on first use. Failures leave the recipient without a key,
// which the review shows.
func (c *Client) discoverRecipients(s *session, d *compose.Draft) {
	if c.opts.NoDiscovery {
		return
	}
	sources := c.policy.Settings().KeyDiscovery.Sources
	useWKD := slices.Contains(sources, "wkd")
	useVKS := slices.Contains(sources, "keyserver")
	directory := c.ldapDirectory(s)
	if !useWKD && !useVKS && directory == nil {
		return
	}
	client := c.httpClient()
	for _, a := range slices.Concat(d.To, d.Cc, d.Bcc) {
		addr := strings.ToLower(a.Address)
		if directory != nil && c.discoverCertificate(s, directory, addr) != nil {
			directory = nil
		}
		if !useWKD && !useVKS {
			continue
		}
		if _, err := s.trust.Lookup(crypto.SchemeOpenPGP, addr); err == nil {
			continue
		}
		var keys []discovery.Key
		if useWKD {
			keys = lookup(func(ctx context.Context) ([]discovery.Key, error) {
				return discovery.WKD{Client: client}.Lookup(ctx, addr)
			})
		}
		if len(keys) == 0 && useVKS {
			for _, base := range c.policy.Settings().KeyDiscovery.KeyServers {
				keys = lookup(func(ctx context.Context) ([]discovery.Key, error) {
					return discovery.VKS{Client: client, Base: base}.Lookup(ctx, addr)
				})
				if len(keys) > 0 {
					break
				}
			}
		}
		if len(keys) > 0 {
			k := keys[0]
			s.trust.Observe(crypto.SchemeOpenPGP, addr, crypto.Candidate{Fingerprint: k.Fingerprint, Public: k.Public, Source: k.Source})
		}
	}
}

func lookup(fn func(ctx context.Context) ([]discovery.Key, error)) []discovery.Key {
	ctx, cancel := context.WithTimeout(context.Background(), discoveryTimeout)
	defer cancel()
	keys, err := fn(ctx)
	if err != nil {
		return nil
	}
	return keys
}

func (c *Client) httpClient() *http.Client {
	if c.opts.HTTPClient != nil {
		return c.opts.HTTPClient
	}
	return &http.Client{
		Timeout: discoveryTimeout,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{MinVersion: c.minTLS(), RootCAs: c.extraRoots()},
		},
	}
}
