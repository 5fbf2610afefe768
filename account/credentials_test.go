package account

import (
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestSMTPOAuthMechanisms(t *testing.T) {
	for _, mech := range []OAuthMechanism{XOAuth2, OAuthBearer} {
		t.Run(string(mech), func(t *testing.T) {
			f := newOutboxFixture(t, StartTLS, false)
			f.smtp.token = "access-1"

			good := OAuth(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "access-1"}), mech)
			client, err := DialSMTP(testContext(t), f.cfg, good)
			if err != nil {
				t.Fatalf("DialSMTP with a valid token: %v", err)
			}
			client.Close()

			bad := OAuth(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "stolen"}), mech)
			if _, err := DialSMTP(testContext(t), f.cfg, bad); err == nil || !strings.Contains(err.Error(), "authentication") {
				t.Fatalf("DialSMTP with a wrong token: err = %v", err)
			}
		})
	}
}

func TestXOAuth2InitialResponse(t *testing.T) {
	mech, ir, err := NewXOAuth2Client("alice@example.test", "tok").Start()
	if err != nil {
		t.Fatal(err)
	}
	if mech != "XOAUTH2" || string(ir) != "user=alice@example.test\x01auth=Bearer tok\x01\x01" {
		t.Errorf("Start = %q, %q", mech, ir)
	}
	resp, err := NewXOAuth2Client("a", "b").Next([]byte(`{"status":"401"}`))
	if err != nil || len(resp) != 0 {
		t.Errorf("Next on an error challenge = %q, %v; want an empty response", resp, err)
	}
	if _, err := NewXOAuth2Client("a", "b").Next([]byte("garbage")); err == nil {
		t.Error("Next accepted a challenge that is not JSON")
	}
}

func TestPasswordEmptyRejected(t *testing.T) {
	f := newOutboxFixture(t, ImplicitTLS, false)
	if _, err := DialSMTP(testContext(t), f.cfg, Password("")); err == nil {
		t.Error("DialSMTP accepted an empty password")
	}
	if _, err := DialIMAP(testContext(t), f.cfg, Password(""), nil); err == nil {
		t.Error("DialIMAP accepted an empty password")
	}
}
