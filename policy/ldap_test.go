package policy

import "testing"

func TestValidateLDAPSettings(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		path string
		kind IssueKind
	}{
		{"http URL", `{"settings":{"keyDiscovery":{"ldap":{"url":"http://ldap.example.org"}}}}`, "settings.keyDiscovery.ldap.url", IssueInvalid},
		{"URL without host", `{"settings":{"keyDiscovery":{"ldap":{"url":"ldaps://"}}}}`, "settings.keyDiscovery.ldap.url", IssueInvalid},
		{"URL with base DN path", `{"settings":{"keyDiscovery":{"ldap":{"url":"ldap://ldap.example.org/dc=example,dc=org"}}}}`, "settings.keyDiscovery.ldap.url", IssueInvalid},
		{"URL with bad port", `{"settings":{"keyDiscovery":{"ldap":{"url":"ldaps://ldap.example.org:0"}}}}`, "settings.keyDiscovery.ldap.url", IssueInvalid},
		{"base DN without attribute", `{"settings":{"keyDiscovery":{"ldap":{"baseDN":"people"}}}}`, "settings.keyDiscovery.ldap.baseDN", IssueInvalid},
		{"bind DN without attribute", `{"settings":{"keyDiscovery":{"ldap":{"bindDN":"reader"}}}}`, "settings.keyDiscovery.ldap.bindDN", IssueInvalid},
		{"ldap source without URL", `{"settings":{"keyDiscovery":{"sources":["ldap"],"ldap":{"baseDN":"dc=example,dc=org"}}}}`, "settings.keyDiscovery.ldap.url", IssueInconsistent},
		{"ldap source without base DN", `{"settings":{"keyDiscovery":{"sources":["ldap"],"ldap":{"url":"ldaps://ldap.example.org"}}}}`, "settings.keyDiscovery.ldap.baseDN", IssueInconsistent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			issue, ok := findIssue(Validate([]byte(tc.doc)), tc.path)
			if !ok {
				t.Fatalf("no issue at %s for %s", tc.path, tc.doc)
			}
			if issue.Kind != tc.kind {
				t.Errorf("issue kind = %s, want %s (%s)", issue.Kind, tc.kind, issue.Message)
			}
		})
	}
}

func TestValidateLDAPSettingsAccepted(t *testing.T) {
	docs := []string{
		`{"settings":{"keyDiscovery":{"sources":["ldap"],"ldap":{"url":"ldaps://ldap.hospital.example","baseDN":"ou=people,dc=hospital,dc=example"}}}}`,
		`{"settings":{"keyDiscovery":{"sources":["wkd","ldap"],"ldap":{"url":"ldap://ldap.hospital.example:389/","baseDN":"ou=people,dc=hospital,dc=example","bindDN":"cn=mail client,ou=services,dc=hospital,dc=example"}}}}`,
		`{"settings":{"keyDiscovery":{"ldap":{"url":""}}},"locked":["keyDiscovery.ldap"]}`,
	}
	for _, doc := range docs {
		if issues := Validate([]byte(doc)); len(issues) > 0 {
			t.Errorf("Validate(%s) = %v, want no issues", doc, issues)
		}
	}
}
