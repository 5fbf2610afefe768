package account

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

const autoconfigXML = `<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="clinic.example">
    <domain>clinic.example</domain>
    <incomingServer type="pop3">
      <hostname>pop.clinic.example</hostname><port>995</port><socketType>SSL</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>plain.clinic.example</hostname><port>143</port><socketType>plain</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.clinic.example</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.clinic.example</hostname><port>587</port><socketType>STARTTLS</socketType>
    </outgoingServer>
  </emailProvider>
</clientConfig>`

func startAutoconfig(t *testing.T, body string) (*httptest.Server, *Discovery, *[]string) {
	var paths []string
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		if r.URL.Path != "/.well-known/autoconfig/mail/config-v1.1.xml" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(server.Close)
	d := &Discovery{
		HTTPClient: server.Client(),
		AutoconfigURLs: func(domain, address string) []string {
			return []string{
				server.URL + "/mail/config-v1.1.xml",
				server.URL + "/.well-known/autoconfig/mail/config-v1.1.xml",
			}
		},
	}
	return server, d, &paths
}

func TestDiscoverAutoconfig(t *testing.T) {
	_, d, paths := startAutoconfig(t, autoconfigXML)
	got, err := d.Discover(testContext(t), "alice@Clinic.Example")
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Address:  "alice@clinic.example",
		Username: "alice",
		IMAP:     Endpoint{Host: "imap.clinic.example", Port: 993, Security: ImplicitTLS},
		SMTP:     Endpoint{Host: "smtp.clinic.example", Port: 587, Security: StartTLS},
	}
	if got.Config.Address != want.Address || got.Config.Username != want.Username ||
		got.Config.IMAP != want.IMAP || got.Config.SMTP != want.SMTP {
		t.Errorf("Discover = %+v, want %+v", got.Config, want)
	}
	if len(*paths) != 2 {
		t.Errorf("requested %v, want the first URL then the well-known one", *paths)
	}
}

func TestDiscoverPresetsFirst(t *testing.T) {
	_, d, paths := startAutoconfig(t, autoconfigXML)
	d.Presets = []Preset{{
		Name: "clinic policy", Domains: []string{"clinic.example"},
		IMAP: Endpoint{Host: "mail.clinic.example", Port: 143, Security: StartTLS},
		SMTP: Endpoint{Host: "mail.clinic.example", Port: 465, Security: ImplicitTLS},
	}}
	got, err := d.Discover(testContext(t), "bob@clinic.example")
	if err != nil {
		t.Fatal(err)
	}
	if got.Preset.Name != "clinic policy" || got.Config.IMAP.Host != "mail.clinic.example" || len(*paths) != 0 {
		t.Errorf("Discover = %+v after %v, want the policy preset without HTTP", got, *paths)
	}

	builtin, err := d.Discover(testContext(t), "carol@gmail.com")
	if err != nil {
		t.Fatal(err)
	}
	if builtin.Preset.OAuth != OAuthGoogle || builtin.Config.IMAP.Host != "imap.gmail.com" {
		t.Errorf("gmail.com = %+v", builtin)
	}
}

func TestDiscoverRejectsPlaintextOnly(t *testing.T) {
	const plainOnly = `<clientConfig version="1.1"><emailProvider id="x">
	<incomingServer type="imap"><hostname>imap.x</hostname><port>143</port><socketType>plain</socketType></incomingServer>
	<outgoingServer type="smtp"><hostname>smtp.x</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
	</emailProvider></clientConfig>`
	_, d, _ := startAutoconfig(t, plainOnly)
	if _, err := d.Discover(testContext(t), "a@x.example"); !errors.Is(err, ErrNotDiscovered) {
		t.Fatalf("Discover with plaintext-only servers: err = %v, want ErrNotDiscovered", err)
	}
}

func TestDiscoverBadInput(t *testing.T) {
	d := &Discovery{AutoconfigURLs: func(string, string) []string { return []string{"http://127.0.0.1:1/x"} }}
	for _, address := range []string{"", "no-at-sign", "@example.test", "a@"} {
		if _, err := d.Discover(testContext(t), address); err == nil {
			t.Errorf("Discover(%q) succeeded", address)
		}
	}
	if _, err := d.Discover(testContext(t), "a@example.test"); !errors.Is(err, ErrNotDiscovered) {
		t.Errorf("Discover over plain HTTP: err = %v, want ErrNotDiscovered", err)
	}
	if _, err := parseAutoconfig([]byte("<clientConfig><emailProvider>")); err == nil {
		t.Error("parseAutoconfig accepted truncated XML")
	}
}
