package client

import (
	"testing"
	"time"

	"securemail/cache"
	"securemail/policy"
)

// testKDF is far below the vault default; only tests use it.
var testKDF = cache.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

// testPolicy is the built-in policy with the changes a clinic's IT would
// make to let the review ask for a justification instead of blocking.
func testPolicy(t *testing.T) *policy.Effective {
	t.Helper()
	eff, report := policy.Load(policy.Locations{})
	if len(report.Rejections) > 0 {
		t.Fatalf("loading the built-in policy: %v", report.Rejections)
	}
	sets := map[string]any{
		"phi.actions.high":          "justify",
		"phi.actions.moderate":      "warn",
		"encryption.allowedMethods": []string{"openpgp", "smime", "password-pdf"},
		"internalDomains":           []string{"clinic.test"},
		"recipientReview.lookalike": "warn",
	}
	for path, v := range sets {
		if err := eff.Set(path, v, policy.SourceUser); err != nil {
			t.Fatalf("setting %s: %v", path, err)
		}
	}
	return eff
}

// newProfile creates an unlocked profile in a temporary folder.
func newProfile(t *testing.T, name string, eff *policy.Effective) (*Client, Options) {
	t.Helper()
	opts := Options{
		Dir:         t.TempDir(),
		Name:        name,
		Policy:      eff,
		Keyring:     &cache.MemoryKeyring{},
		NoDiscovery: true,
		Now:         time.Now,
		kdf:         &testKDF,
	}
	c, err := Create(opts, []byte("correct horse "+name), false)
	if err != nil {
		t.Fatalf("creating profile %s: %v", name, err)
	}
	t.Cleanup(func() { c.Lock("test over") })
	return c, opts
}
