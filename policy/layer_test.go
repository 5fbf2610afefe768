package policy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"howett.net/plist"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testLocations writes the given documents (empty means absent) and
// returns locations with a JSON managed file, as on Linux.
func testLocations(t *testing.T, managed, machine, user string) Locations {
	t.Helper()
	dir := t.TempDir()
	loc := Locations{
		Managed:     FileReader{Path: filepath.Join(dir, "managed.json")},
		MachineFile: filepath.Join(dir, "machine.json"),
		UserFile:    filepath.Join(dir, "user.json"),
	}
	if managed != "" {
		writeFile(t, dir, "managed.json", managed)
	}
	if machine != "" {
		writeFile(t, dir, "machine.json", machine)
	}
	if user != "" {
		writeFile(t, dir, "user.json", user)
	}
	return loc
}

func mustGet(t *testing.T, eff *Effective, path string) Setting {
	t.Helper()
	s, ok := eff.Get(path)
	if !ok {
		t.Fatalf("no setting %s", path)
	}
	return s
}

func noRejections(t *testing.T, report Report) {
	t.Helper()
	for _, r := range report.Rejections {
		t.Errorf("rejected %s %s: %s", r.Source, r.Origin, r.Reason)
	}
}

func TestLoadNoSourcesGivesDefaults(t *testing.T) {
	eff, report := Load(testLocations(t, "", "", ""))
	noRejections(t, report)
	if eff.FallBack {
		t.Error("FallBack set without any source")
	}
	s := mustGet(t, eff, "idleLock.minutes")
	if s.Source != SourceDefault || s.Locked {
		t.Errorf("idleLock.minutes = %+v, want unlocked default", s)
	}
	if got := eff.Settings(); got.IdleLock.Minutes != Defaults().IdleLock.Minutes {
		t.Errorf("Settings().IdleLock.Minutes = %d", got.IdleLock.Minutes)
	}
}

func TestLoadPrecedence(t *testing.T) {
	managed := `{"settings":{"idleLock":{"minutes":4},"tls":{"minVersion":"1.3"}}}`
	machine := `{"settings":{"idleLock":{"minutes":6,"maxMinutes":12},"attachments":{"save":"block"}}}`
	user := `{"settings":{"idleLock":{"minutes":10},"recipientReview":{"manyExternalThreshold":3}}}`
	loc := testLocations(t, managed, machine, user)
	eff, report := Load(loc)
	noRejections(t, report)

	cases := []struct {
		path   string
		value  string
		source Source
	}{
		// An unlocked managed value is a default: the user's file wins.
		{"idleLock.minutes", "10", SourceUser},
		{"tls.minVersion", `"1.3"`, SourceManaged},
		{"idleLock.maxMinutes", "12", SourceMachine},
		{"attachments.save", `"block"`, SourceMachine},
		{"recipientReview.manyExternalThreshold", "3", SourceUser},
		{"remoteContent.allowed", "false", SourceDefault},
	}
	for _, tc := range cases {
		s := mustGet(t, eff, tc.path)
		if string(s.Value) != tc.value || s.Source != tc.source {
			t.Errorf("%s = %s from %s, want %s from %s", tc.path, s.Value, s.Source, tc.value, tc.source)
		}
	}
	if s := mustGet(t, eff, "tls.minVersion"); s.Origin != loc.Managed.(FileReader).Path {
		t.Errorf("tls.minVersion origin = %q", s.Origin)
	}
}

func TestLoadManagedOverridesMachine(t *testing.T) {
	managed := `{"settings":{"idleLock":{"minutes":2}},"locked":["idleLock.minutes"]}`
	machine := `{"settings":{"idleLock":{"minutes":8}},"locked":["idleLock.minutes"]}`
	eff, report := Load(testLocations(t, managed, machine, ""))
	noRejections(t, report)
	s := mustGet(t, eff, "idleLock.minutes")
	if string(s.Value) != "2" || s.Source != SourceManaged || !s.Locked {
		t.Errorf("idleLock.minutes = %+v, want 2 locked from managed", s)
	}
}

func TestLoadMachineLockBeatsUser(t *testing.T) {
	machine := `{"settings":{"attachments":{"save":"block"}},"locked":["attachments"]}`
	user := `{"settings":{"attachments":{"save":"allow","blockedExtensions":[]}}}`
	loc := testLocations(t, "", machine, user)
	eff, report := Load(loc)

	if s := mustGet(t, eff, "attachments.save"); string(s.Value) != `"block"` || !s.Locked || s.LockedBy != loc.MachineFile {
		t.Errorf("attachments.save = %+v, want block locked by the machine file", s)
	}
	// The group lock covers a setting the machine file does not set.
	s := mustGet(t, eff, "attachments.blockedExtensions")
	if !s.Locked || s.Source != SourceDefault {
		t.Errorf("attachments.blockedExtensions = %+v, want the locked default", s)
	}
	locked := 0
	for _, r := range report.Rejections {
		if r.Source == SourceUser && errors.Is(r.Err, ErrLocked) {
			locked++
		}
	}
	if locked != 2 {
		t.Errorf("report has %d locked user values, want 2: %+v", locked, report.Rejections)
	}
	if eff.FallBack {
		t.Error("a blocked user value made the policy fall back")
	}
}

func TestLoadLockWithoutValueKeepsDefault(t *testing.T) {
	user := `{"settings":{"remoteContent":{"allowed":true}}}`
	eff, _ := Load(testLocations(t, `{"locked":["remoteContent.allowed"]}`, "", user))
	s := mustGet(t, eff, "remoteContent.allowed")
	if string(s.Value) != "false" || !s.Locked {
		t.Errorf("remoteContent.allowed = %+v, want false and locked", s)
	}
}

func TestLoadBrokenManagedFallsBack(t *testing.T) {
	cases := map[string]struct{ managed, machine string }{
		"managed syntax":      {`{"settings":`, ""},
		"managed unknown key": {`{"settings":{"encryption":{"requird":false}}}`, ""},
		"machine out of range": {`{"settings":{"idleLock":{"minutes":2}}}`,
			`{"settings":{"idleLock":{"minutes":900}}}`},
		"combined inconsistent": {`{"settings":{"idleLock":{"maxMinutes":3}}}`,
			`{"settings":{"idleLock":{"minutes":4,"maxMinutes":15}}}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// The broken policy tries to weaken settings; none of that
			// may apply, and the user cannot weaken them either.
			user := `{"settings":{"remoteContent":{"allowed":true}}}`
			eff, report := Load(testLocations(t, tc.managed, tc.machine, user))
			if !eff.FallBack {
				t.Fatal("FallBack not set")
			}
			if len(report.Rejections) == 0 {
				t.Fatal("no reason reported")
			}
			if !errors.Is(report.Rejections[0].Err, ErrInvalid) {
				t.Errorf("reason %v does not wrap ErrInvalid", report.Rejections[0].Err)
			}
			for _, s := range eff.All() {
				def := defaultValues()[s.Path]
				if string(s.Value) != string(def) || !s.Locked || s.Source != SourceDefault {
					t.Errorf("%s = %+v, want the locked default %s", s.Path, s, def)
				}
			}
		})
	}
}

func TestLoadUnreadableManagedFallsBack(t *testing.T) {
	loc := testLocations(t, "", "", "")
	dir := t.TempDir()
	loc.Managed = FileReader{Path: dir} // a directory: reading fails, not "missing"
	eff, report := Load(loc)
	if !eff.FallBack || len(report.Rejections) != 1 {
		t.Fatalf("FallBack = %v, rejections %v", eff.FallBack, report.Rejections)
	}
}

func TestLoadBrokenUserFileIgnored(t *testing.T) {
	user := `{"settings":{"idleLock":{"minutes":"ten"}}}`
	eff, report := Load(testLocations(t, `{"settings":{"idleLock":{"minutes":7}}}`, "", user))
	if eff.FallBack {
		t.Error("a broken user file made the policy fall back")
	}
	if len(report.Rejections) != 1 || report.Rejections[0].Source != SourceUser {
		t.Fatalf("rejections = %+v, want the user file", report.Rejections)
	}
	if s := mustGet(t, eff, "idleLock.minutes"); string(s.Value) != "7" {
		t.Errorf("idleLock.minutes = %s, want the managed 7", s.Value)
	}
}

func TestLoadUserCannotLock(t *testing.T) {
	user := `{"settings":{"idleLock":{"minutes":3}},"locked":["idleLock"]}`
	eff, report := Load(testLocations(t, "", "", user))
	if s := mustGet(t, eff, "idleLock.minutes"); s.Locked || string(s.Value) != "3" {
		t.Errorf("idleLock.minutes = %+v, want 3 unlocked", s)
	}
	if len(report.Rejections) != 1 {
		t.Errorf("rejections = %+v, want one for the locked list", report.Rejections)
	}
}

func TestLoadUserValueBeyondManagedMaximum(t *testing.T) {
	managed := `{"settings":{"idleLock":{"maxMinutes":10}},"locked":["idleLock.maxMinutes"]}`
	user := `{"settings":{"idleLock":{"minutes":14}}}`
	eff, report := Load(testLocations(t, managed, "", user))
	if s := mustGet(t, eff, "idleLock.minutes"); string(s.Value) != "5" {
		t.Errorf("idleLock.minutes = %s, want the default 5", s.Value)
	}
	if len(report.Rejections) != 1 || !errors.Is(report.Rejections[0].Err, ErrInvalid) {
		t.Errorf("rejections = %+v", report.Rejections)
	}
}

func TestLockedSettingResistsEveryChange(t *testing.T) {
	managed := `{"settings":{"encryption":{"required":true},"phi":{"actions":{"high":"block"}}},"locked":["encryption","phi.actions.high"]}`
	user := `{"settings":{"encryption":{"required":false},"phi":{"actions":{"high":"allow"}}}}`
	eff, _ := Load(testLocations(t, managed, "", user))

	attempts := map[string]func() error{
		"API":           func() error { return eff.Set("encryption.required", false, SourceUser) },
		"flag":          func() error { return eff.SetFlag("encryption.required", "false") },
		"list via flag": func() error { return eff.SetFlag("encryption.allowedMethods", "openpgp,password-pdf") },
		"nested API":    func() error { return eff.Set("phi.actions.high", ActionAllow, SourceUser) },
		"nested flag":   func() error { return eff.SetFlag("phi.actions.high", "warn") },
	}
	for name, attempt := range attempts {
		err := attempt()
		var locked *LockedError
		if !errors.Is(err, ErrLocked) || !errors.As(err, &locked) {
			t.Errorf("%s: err = %v, want *LockedError", name, err)
		}
	}
	s := eff.Settings()
	if !s.Encryption.Required || s.PHI.Actions.High != ActionBlock {
		t.Errorf("settings changed: required=%v high=%s", s.Encryption.Required, s.PHI.Actions.High)
	}
	if got := mustGet(t, eff, "encryption.allowedMethods"); got.Source != SourceDefault {
		t.Errorf("allowedMethods source = %s", got.Source)
	}
	doc, err := eff.UserDocument()
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != "{\n  \"schemaVersion\": 1,\n  \"settings\": {}\n}" {
		t.Errorf("user document carries locked values: %s", doc)
	}
}

func TestSetUnlockedSetting(t *testing.T) {
	eff, _ := Load(testLocations(t, "", "", ""))
	if err := eff.Set("idleLock.minutes", 12, SourceUser); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := eff.SetFlag("remoteContent.allowed", "true"); err != nil {
		t.Fatalf("SetFlag: %v", err)
	}
	if err := eff.SetFlag("internalDomains", "clinic.example.org, lab.example.org"); err != nil {
		t.Fatalf("SetFlag list: %v", err)
	}
	s := eff.Settings()
	if s.IdleLock.Minutes != 12 || !s.RemoteContent.Allowed || len(s.InternalDomains) != 2 {
		t.Errorf("settings = %+v", s)
	}
	if got := mustGet(t, eff, "remoteContent.allowed"); got.Source != SourceFlag {
		t.Errorf("source = %s, want flag", got.Source)
	}
	doc, _ := eff.UserDocument()
	var parsed struct {
		Settings map[string]map[string]any `json:"settings"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	if _, ok := parsed.Settings["remoteContent"]; ok {
		t.Error("flag value saved in the user document")
	}
	if parsed.Settings["idleLock"]["minutes"] != float64(12) {
		t.Errorf("user document = %s", doc)
	}
}

func TestSetRejectsBadValues(t *testing.T) {
	eff, _ := Load(testLocations(t, "", "", ""))
	cases := map[string]func() error{
		"wrong type":      func() error { return eff.Set("idleLock.minutes", "5", SourceUser) },
		"out of range":    func() error { return eff.Set("idleLock.minutes", 0, SourceUser) },
		"over maximum":    func() error { return eff.Set("idleLock.minutes", 16, SourceUser) },
		"bad regex":       func() error { return eff.Set("phi.mrnPatterns", []string{"(("}, SourceUser) },
		"unknown setting": func() error { return eff.Set("idleLock.minute", 5, SourceUser) },
		"group path":      func() error { return eff.Set("idleLock", map[string]int{"minutes": 5}, SourceUser) },
		"flag not bool":   func() error { return eff.SetFlag("remoteContent.allowed", "maybe") },
		"managed source":  func() error { return eff.Set("idleLock.minutes", 3, SourceManaged) },
	}
	for name, attempt := range cases {
		if err := attempt(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if got := eff.Settings().IdleLock.Minutes; got != 5 {
		t.Errorf("idleLock.minutes = %d after rejected changes", got)
	}
}

// recordedRegistry replays registry values as the Windows reader returns
// them for a key written by Group Policy with the generated ADMX.
type recordedRegistry map[string][]RegistryValue

func (r recordedRegistry) ReadValues(subkey string) ([]RegistryValue, error) {
	values, ok := r[subkey]
	if !ok {
		return nil, fmt.Errorf("registry key %q: %w", subkey, fs.ErrNotExist)
	}
	return values, nil
}

func TestRegistryReader(t *testing.T) {
	presets := `[{"name":"Clinic","domains":["clinic.example.org"],"imap":{"host":"imap.clinic.example.org","port":993,"security":"tls"},"smtp":{"host":"smtp.clinic.example.org","port":587,"security":"starttls"},"oauth":{"clientID":"","authURL":"","tokenURL":"","scopes":[]}}]`
	reg := recordedRegistry{
		"": {
			{Name: "encryption.required", Type: RegDWORD, Integer: 1},
			{Name: "idleLock.maxMinutes", Type: RegDWORD, Integer: 10},
			{Name: "encryption.allowedMethods", Type: RegMultiSZ, Strings: []string{"openpgp", "smime", "password-pdf"}},
			{Name: "accountPresets", Type: RegSZ, String: presets},
		},
		RegistryRecommendedSubkey: {
			{Name: "idleLock.minutes", Type: RegDWORD, Integer: 8},
			{Name: "remoteContent.allowed", Type: RegDWORD, Integer: 0},
			{Name: "tls.minVersion", Type: RegSZ, String: "1.3"},
		},
	}
	loc := testLocations(t, "", "", `{"settings":{"idleLock":{"minutes":9},"tls":{"minVersion":"1.2"}}}`)
	loc.Managed = RegistryReader{Key: reg}
	eff, report := Load(loc)
	noRejections(t, report)

	cases := []struct {
		path   string
		value  string
		source Source
		locked bool
	}{
		{"encryption.required", "true", SourceManaged, true},
		{"idleLock.maxMinutes", "10", SourceManaged, true},
		{"encryption.allowedMethods", `["openpgp","smime","password-pdf"]`, SourceManaged, true},
		{"idleLock.minutes", "9", SourceUser, false},
		{"remoteContent.allowed", "false", SourceManaged, false},
		{"tls.minVersion", `"1.2"`, SourceUser, false},
	}
	for _, tc := range cases {
		s := mustGet(t, eff, tc.path)
		if string(s.Value) != tc.value || s.Source != tc.source || s.Locked != tc.locked {
			t.Errorf("%s = %s from %s locked=%v, want %s from %s locked=%v", tc.path, s.Value, s.Source, s.Locked, tc.value, tc.source, tc.locked)
		}
		if s.Source == SourceManaged && s.Origin != RegistryPolicyKey {
			t.Errorf("%s origin = %q", tc.path, s.Origin)
		}
	}
	if got := eff.Settings().AccountPresets; len(got) != 1 || got[0].SMTP.Port != 587 {
		t.Errorf("account presets = %+v", got)
	}
}

func TestRegistryReaderWrongTypes(t *testing.T) {
	reg := recordedRegistry{"": {
		{Name: "encryption.required", Type: RegDWORD, Integer: 2},
		{Name: "tls.minVersion", Type: RegDWORD, Integer: 3},
		{Name: "accountPresets", Type: RegSZ, String: "{not json"},
		{Name: "idleLock.minuts", Type: RegDWORD, Integer: 5},
	}}
	data, _, err := RegistryReader{Key: reg}.ReadDocument()
	if err != nil {
		t.Fatal(err)
	}
	issues := Validate(data)
	for path, kind := range map[string]IssueKind{
		"settings.encryption.required": IssueWrongType,
		"settings.tls.minVersion":      IssueWrongType,
		"settings.accountPresets":      IssueWrongType,
		"settings.idleLock.minuts":     IssueUnknownKey,
		"locked[3]":                    IssueUnknownKey,
	} {
		issue, ok := findIssue(issues, path)
		if !ok || issue.Kind != kind {
			t.Errorf("%s: issue %+v, want %s", path, issue, kind)
		}
	}
}

func TestRegistryReaderMissingKey(t *testing.T) {
	_, _, err := RegistryReader{Key: recordedRegistry{}}.ReadDocument()
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
	loc := testLocations(t, "", "", "")
	loc.Managed = RegistryReader{Key: recordedRegistry{}}
	if eff, report := Load(loc); eff.FallBack || len(report.Rejections) > 0 {
		t.Errorf("missing registry key rejected: %+v", report)
	}
}

func TestPlistReaderXML(t *testing.T) {
	loc := testLocations(t, "", `{"settings":{"idleLock":{"minutes":12,"maxMinutes":15}}}`, `{"settings":{"remoteContent":{"allowed":true},"idleLock":{"maxMinutes":30}}}`)
	loc.Managed = PlistReader{Path: filepath.Join("testdata", "managed-preferences.plist")}
	eff, report := Load(loc)

	if s := mustGet(t, eff, "idleLock.minutes"); string(s.Value) != "3" || s.Source != SourceManaged || s.Locked {
		t.Errorf("idleLock.minutes = %+v, want unlocked 3 from the plist", s)
	}
	if s := mustGet(t, eff, "idleLock.maxMinutes"); string(s.Value) != "10" || !s.Locked {
		t.Errorf("idleLock.maxMinutes = %+v, want locked 10", s)
	}
	if s := mustGet(t, eff, "remoteContent.allowed"); string(s.Value) != "false" || !s.Locked {
		t.Errorf("remoteContent.allowed = %+v, want locked false", s)
	}
	if got := eff.Settings().PHI.MRNPatterns; len(got) != 1 || got[0] != `\bMRN[0-9]{7}\b` {
		t.Errorf("mrn patterns = %q", got)
	}
	if len(report.Rejections) != 2 {
		t.Errorf("rejections = %+v, want the two locked user values", report.Rejections)
	}
}

func TestPlistReaderBinaryAndBadValues(t *testing.T) {
	dir := t.TempDir()
	doc := map[string]any{
		"settings": map[string]any{"idleLock": map[string]any{"minutes": 2}},
		"locked":   []string{"idleLock"},
	}
	data, err := plist.Marshal(doc, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, dir, "binary.plist", string(data))
	eff, report := Load(Locations{Managed: PlistReader{Path: path}})
	noRejections(t, report)
	if s := mustGet(t, eff, "idleLock.minutes"); string(s.Value) != "2" || !s.Locked {
		t.Errorf("idleLock.minutes = %+v", s)
	}

	bad := map[string]any{"settings": map[string]any{"idleLock": map[string]any{"minutes": time.Unix(0, 0)}}}
	data, err = plist.Marshal(bad, plist.XMLFormat)
	if err != nil {
		t.Fatal(err)
	}
	path = writeFile(t, dir, "date.plist", string(data))
	if _, _, err := (PlistReader{Path: path}).ReadDocument(); !errors.Is(err, ErrInvalid) {
		t.Errorf("date value: err = %v, want ErrInvalid", err)
	}
	path = writeFile(t, dir, "garbage.plist", "not a plist at all <")
	eff, report = Load(Locations{Managed: PlistReader{Path: path}})
	if !eff.FallBack || len(report.Rejections) != 1 {
		t.Errorf("garbage plist: FallBack = %v, rejections %v", eff.FallBack, report.Rejections)
	}
}

// testCertificatePEM returns a fresh self-signed CA certificate in PEM.
func testCertificatePEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestExtraRootCAValid(t *testing.T) {
	doc := mustJSON(t, map[string]any{"settings": map[string]any{"tls": map[string]any{"extraRootCAs": []string{testCertificatePEM(t)}}}})
	if issues := Validate(doc); len(issues) > 0 {
		t.Errorf("valid CA rejected: %v", issues)
	}
}

func TestDefaultLocations(t *testing.T) {
	loc := DefaultLocations()
	if loc.Managed == nil || loc.MachineFile == "" {
		t.Fatalf("locations = %+v", loc)
	}
	if r, ok := loc.Managed.(FileReader); ok && r.Path != "/etc/securemail/policy.json" {
		t.Errorf("managed path = %s", r.Path)
	}
}

func TestRegistryReaderCertificates(t *testing.T) {
	first, second := testCertificatePEM(t), testCertificatePEM(t)
	lines := strings.Split(strings.TrimSpace(first+second), "\n")
	reg := recordedRegistry{"": {
		// A multi-line text box: one REG_MULTI_SZ string per line.
		{Name: "tls.extraRootCAs", Type: RegMultiSZ, Strings: lines},
		// A single-line text box: the line breaks are gone.
		{Name: "audit.forwarding.syslogCA", Type: RegSZ, String: strings.ReplaceAll(first, "\n", " ")},
	}}
	eff, report := Load(Locations{Managed: RegistryReader{Key: reg}})
	noRejections(t, report)
	s := eff.Settings()
	if len(s.TLS.ExtraRootCAs) != 2 || s.TLS.ExtraRootCAs[0] != first || s.TLS.ExtraRootCAs[1] != second {
		t.Errorf("extraRootCAs = %q", s.TLS.ExtraRootCAs)
	}
	if s.Audit.Forwarding.SyslogCA != first {
		t.Errorf("syslogCA = %q, want the certificate with its line breaks", s.Audit.Forwarding.SyslogCA)
	}
}
