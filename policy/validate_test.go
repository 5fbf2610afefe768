package policy

import (
	"errors"
	"strings"
	"testing"
)

const testCA = `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUKJ3mQyW2s9x9ZK2X0m3T1nB9m4swCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----`

func findIssue(issues []Issue, path string) (Issue, bool) {
	for _, issue := range issues {
		if issue.Path == path {
			return issue, true
		}
	}
	return Issue{}, false
}

func TestValidateDefaultsAreValid(t *testing.T) {
	doc := `{"schemaVersion":1,"settings":` + string(mustJSON(t, Defaults())) + `,"locked":["encryption","audit.retentionDays"]}`
	if issues := Validate([]byte(doc)); len(issues) > 0 {
		t.Fatalf("defaults invalid: %v", issues)
	}
}

func TestValidateIssueClasses(t *testing.T) {
	cases := []struct {
		name       string
		doc        string
		path       string
		kind       IssueKind
		suggestion string
	}{
		{"syntax", `{"settings":`, "$", IssueSyntax, ""},
		{"trailing data", `{} {}`, "$", IssueSyntax, ""},
		{"root not object", `[]`, "$", IssueWrongType, ""},
		{"unknown top key", `{"setings":{}}`, "setings", IssueUnknownKey, "settings"},
		{"unknown group", `{"settings":{"idlelock":{}}}`, "settings.idlelock", IssueUnknownKey, "idleLock"},
		{"unknown leaf", `{"settings":{"idleLock":{"maxMinute":5}}}`, "settings.idleLock.maxMinute", IssueUnknownKey, "maxMinutes"},
		{"unknown without suggestion", `{"settings":{"zzzzzzzz":1}}`, "settings.zzzzzzzz", IssueUnknownKey, ""},
		{"unknown in preset", `{"settings":{"accountPresets":[{"imap":{"hots":"x"}}]}}`, "settings.accountPresets[0].imap.hots", IssueUnknownKey, "host"},
		{"unknown locked path", `{"locked":["encryption.requird"]}`, "locked[0]", IssueUnknownKey, "encryption.required"},
		{"locked not a list", `{"locked":"encryption"}`, "locked", IssueWrongType, ""},
		{"bool as string", `{"settings":{"encryption":{"required":"true"}}}`, "settings.encryption.required", IssueWrongType, ""},
		{"int as string", `{"settings":{"idleLock":{"minutes":"5"}}}`, "settings.idleLock.minutes", IssueWrongType, ""},
		{"fraction", `{"settings":{"idleLock":{"minutes":2.5}}}`, "settings.idleLock.minutes", IssueWrongType, ""},
		{"null", `{"settings":{"tls":null}}`, "settings.tls", IssueWrongType, ""},
		{"list item type", `{"settings":{"internalDomains":["a.org",7]}}`, "settings.internalDomains[1]", IssueWrongType, ""},
		{"object list type", `{"settings":{"accountPresets":{}}}`, "settings.accountPresets", IssueWrongType, ""},
		{"below minimum", `{"settings":{"idleLock":{"minutes":0}}}`, "settings.idleLock.minutes", IssueOutOfRange, ""},
		{"above maximum", `{"settings":{"vault":{"argon2":{"iterations":65}}}}`, "settings.vault.argon2.iterations", IssueOutOfRange, ""},
		{"weak argon2 memory", `{"settings":{"vault":{"argon2":{"memoryKiB":1024}}}}`, "settings.vault.argon2.memoryKiB", IssueOutOfRange, ""},
		{"preset port", `{"settings":{"accountPresets":[{"imap":{"port":0}}]}}`, "settings.accountPresets[0].imap.port", IssueOutOfRange, ""},
		{"schema version", `{"schemaVersion":2}`, "schemaVersion", IssueOutOfRange, ""},
		{"enum", `{"settings":{"tls":{"minVersion":"1.1"}}}`, "settings.tls.minVersion", IssueInvalid, "1.2"},
		{"enum in list", `{"settings":{"encryption":{"allowedMethods":["openpgp","smine"]}}}`, "settings.encryption.allowedMethods[1]", IssueInvalid, "smime"},
		{"bad action", `{"settings":{"phi":{"actions":{"high":"ignore"}}}}`, "settings.phi.actions.high", IssueInvalid, ""},
		{"domain", `{"settings":{"internalDomains":["not a domain"]}}`, "settings.internalDomains[0]", IssueInvalid, ""},
		{"hostport", `{"settings":{"audit":{"forwarding":{"syslogAddress":"collector"}}}}`, "settings.audit.forwarding.syslogAddress", IssueInvalid, ""},
		{"pem", `{"settings":{"tls":{"extraRootCAs":["not pem"]}}}`, "settings.tls.extraRootCAs[0]", IssueInvalid, ""},
		{"pem garbage", `{"settings":{"tls":{"extraRootCAs":["` + strings.ReplaceAll(testCA, "\n", `\n`) + `"]}}}`, "settings.tls.extraRootCAs[0]", IssueInvalid, ""},
		{"short key", `{"settings":{"audit":{"forwarding":{"pseudonymKey":"c2hvcnQ="}}}}`, "settings.audit.forwarding.pseudonymKey", IssueInvalid, ""},
		{"relative path", `{"settings":{"audit":{"forwarding":{"filePath":"audit.jsonl"}}}}`, "settings.audit.forwarding.filePath", IssueInvalid, ""},
		{"bad regex", `{"settings":{"phi":{"mrnPatterns":["MRN[0-9"]}}}`, "settings.phi.mrnPatterns[0]", IssueBadRegex, ""},
		{"idle over max", `{"settings":{"idleLock":{"minutes":30,"maxMinutes":20}}}`, "settings.idleLock.minutes", IssueInconsistent, ""},
		{"plain while required", `{"settings":{"encryption":{"allowedMethods":["openpgp","consented-plain"]}}}`, "settings.encryption.allowedMethods", IssueInconsistent, ""},
		{"no method", `{"settings":{"encryption":{"allowedMethods":[]}}}`, "settings.encryption.allowedMethods", IssueInconsistent, ""},
		{"syslog without address", `{"settings":{"audit":{"forwarding":{"target":"syslog","pseudonymKey":"` + testKeyBase64 + `"}}}}`, "settings.audit.forwarding.syslogAddress", IssueInconsistent, ""},
		{"forwarding without key", `{"settings":{"audit":{"forwarding":{"target":"file","filePath":"/var/log/securemail.jsonl"}}}}`, "settings.audit.forwarding.pseudonymKey", IssueInconsistent, ""},
		{"keyserver without servers", `{"settings":{"keyDiscovery":{"sources":["keyserver"]}}}`, "settings.keyDiscovery.keyServers", IssueInconsistent, ""},
		{"duplicate key", `{"settings":{"encryption":{"required":true,"required":false}}}`, "settings.encryption.required", IssueDuplicateKey, ""},
		{"duplicate in list", `{"settings":{"accountPresets":[{},{"name":"a","name":"b"}]}}`, "settings.accountPresets[1].name", IssueDuplicateKey, ""},
		{"duplicate top key", `{"locked":[],"settings":{},"locked":["encryption"]}`, "locked", IssueDuplicateKey, ""},
		{"incomplete preset", `{"settings":{"accountPresets":[{"name":"x","imap":{"host":"imap.example.org","port":993,"security":"tls"}}]}}`, "settings.accountPresets[0]", IssueInconsistent, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			issues := Validate([]byte(tc.doc))
			issue, ok := findIssue(issues, tc.path)
			if !ok {
				t.Fatalf("no issue at %s, got %v", tc.path, issues)
			}
			if issue.Kind != tc.kind {
				t.Errorf("kind = %s, want %s (%s)", issue.Kind, tc.kind, issue)
			}
			if issue.Suggestion != tc.suggestion {
				t.Errorf("suggestion = %q, want %q", issue.Suggestion, tc.suggestion)
			}
		})
	}
}

const testKeyBase64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

func TestValidateReportsEveryIssue(t *testing.T) {
	doc := `{
		"settings": {
			"encryption": {"required": 1, "alowedMethods": []},
			"idleLock": {"minutes": 1000},
			"phi": {"mrnPatterns": ["(", "MRN-\\d{6}", "[z-a]"]}
		},
		"locked": ["vault.argon", 3]
	}`
	issues := Validate([]byte(doc))
	want := []string{
		"settings.encryption.required",
		"settings.encryption.alowedMethods",
		"settings.idleLock.minutes",
		"settings.phi.mrnPatterns[0]",
		"settings.phi.mrnPatterns[2]",
		"locked[0]",
		"locked[1]",
	}
	for _, path := range want {
		if _, ok := findIssue(issues, path); !ok {
			t.Errorf("missing issue at %s", path)
		}
	}
	if len(issues) != len(want) {
		t.Errorf("got %d issues, want %d: %v", len(issues), len(want), issues)
	}
}

func TestValidationErrorWrapsErrInvalid(t *testing.T) {
	err := error(&ValidationError{Origin: "/etc/securemail/policy.json", Issues: []Issue{{Path: "settings.x", Message: `unknown key "x"`, Suggestion: "y"}}})
	if !errors.Is(err, ErrInvalid) {
		t.Fatal("ValidationError does not wrap ErrInvalid")
	}
	if !strings.Contains(err.Error(), `settings.x: unknown key "x" (did you mean "y"?)`) {
		t.Errorf("message = %q", err.Error())
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"minutes", "minute", 1},
		{"smime", "smine", 1},
	}
	for _, tc := range cases {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
