package client

import (
	"strings"
	"testing"

	"securemail/account"
	"securemail/policy"
)

func TestParseEndpoint(t *testing.T) {
	cases := []struct {
		in      string
		want    account.Endpoint
		wantErr bool
	}{
		{in: "mail.example.org:993", want: account.Endpoint{Host: "mail.example.org", Port: 993, Security: account.ImplicitTLS}},
		{in: "mail.example.org", want: account.Endpoint{Host: "mail.example.org", Port: DefaultIMAPPort, Security: account.ImplicitTLS}},
		{in: "127.0.0.1:143", want: account.Endpoint{Host: "127.0.0.1", Port: 143, Security: account.StartTLS}},
		{in: "[::1]:587", want: account.Endpoint{Host: "::1", Port: 587, Security: account.StartTLS}},
		{in: "", wantErr: true},
		{in: "host:0", wantErr: true},
		{in: "host:70000", wantErr: true},
		{in: "host:imap", wantErr: true},
		{in: "two words", wantErr: true},
		{in: "host:1:2", wantErr: true},
		{in: "::1", want: account.Endpoint{Host: "::1", Port: DefaultIMAPPort, Security: account.ImplicitTLS}},
	}
	for _, c := range cases {
		got, err := ParseEndpoint(c.in, DefaultIMAPPort)
		if c.wantErr {
			if err == nil {
				t.Errorf("ParseEndpoint(%q) = %+v, expected an error", c.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseEndpoint(%q) = %+v, expected %+v", c.in, got, c.want)
		}
	}
}

func TestAccountSettingsPreset(t *testing.T) {
	eff := testPolicy(t)
	presets := []policy.AccountPreset{{
		Name:    "Clinic",
		Domains: []string{"clinic.test"},
		IMAP:    policy.ServerEndpoint{Host: "imap.clinic.test", Port: 143, Security: "starttls"},
		SMTP:    policy.ServerEndpoint{Host: "smtp.clinic.test", Port: 465, Security: "tls"},
		OAuth:   policy.OAuthClient{Scopes: []string{}},
	}}
	if err := eff.Set("accountPresets", presets, policy.SourceUser); err != nil {
		t.Fatal(err)
	}
	c, _ := newProfile(t, "presets", eff)

	a, preset, err := c.AccountSettings("rosa@Clinic.test", "", "ignored:1", "")
	if err != nil {
		t.Fatal(err)
	}
	if !preset {
		t.Error("the preset for clinic.test was not used")
	}
	if a.IMAP != (account.Endpoint{Host: "imap.clinic.test", Port: 143, Security: account.StartTLS}) {
		t.Errorf("IMAP %+v does not come from the preset", a.IMAP)
	}

	a, preset, err = c.AccountSettings("desk@lab.test", "desk", "127.0.0.1:993", "127.0.0.1:465")
	if err != nil {
		t.Fatal(err)
	}
	if preset {
		t.Error("a preset was used for lab.test, which has none")
	}
	if a.Username != "desk" || a.SMTP.Port != 465 {
		t.Errorf("settings %+v do not keep the username and the SMTP server", a)
	}

	if _, _, err := c.AccountSettings("Rosa <rosa@clinic.test>", "", "", ""); err == nil || !strings.Contains(err.Error(), "invalid account address") {
		t.Errorf("a display name was accepted as the account address: %v", err)
	}
}
