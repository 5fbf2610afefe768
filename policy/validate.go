package policy

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// ErrInvalid is wrapped by every error that reports an invalid policy
// document or setting value.
var ErrInvalid = errors.New("invalid policy")

// IssueKind classifies a validation problem.
type IssueKind string

const (
	IssueSyntax       IssueKind = "syntax"       // not parseable JSON or plist
	IssueUnknownKey   IssueKind = "unknown-key"  // a key the schema does not define
	IssueWrongType    IssueKind = "wrong-type"   // a value of the wrong JSON type
	IssueOutOfRange   IssueKind = "out-of-range" // an integer outside its range
	IssueInvalid      IssueKind = "invalid"      // a value not allowed by enum or format
	IssueBadRegex     IssueKind = "bad-regex"    // a pattern that does not compile
	IssueInconsistent IssueKind = "inconsistent" // settings that contradict each other
)

// Issue is one validation problem, located by its path in the document,
// for example "settings.accountPresets[0].imap.port".
type Issue struct {
	Path    string    `json:"path"`
	Kind    IssueKind `json:"kind"`
	Message string    `json:"message"`
	// Suggestion is the closest known key for an unknown key, or empty.
	Suggestion string `json:"suggestion,omitempty"`
}

func (i Issue) String() string {
	s := i.Path + ": " + i.Message
	if i.Suggestion != "" {
		s += fmt.Sprintf(" (did you mean %q?)", i.Suggestion)
	}
	return s
}

// ValidationError lists every issue found in one document. It wraps
// ErrInvalid.
type ValidationError struct {
	Origin string // file path or registry key, may be empty
	Issues []Issue
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Origin != "" {
		fmt.Fprintf(&b, "invalid policy %s: ", e.Origin)
	} else {
		b.WriteString("invalid policy: ")
	}
	for i, issue := range e.Issues {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(issue.String())
	}
	return b.String()
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Document is a parsed policy document: leaf values by setting path, and
// the paths it locks. A locked path may name a group ("encryption"), which
// locks every setting below it.
type Document struct {
	Values map[string]json.RawMessage
	Locked []string
}

// SchemaVersion is the version of the document format.
const SchemaVersion = 1

// Validate checks a JSON policy document against the schema and returns
// every issue found, in document order. An empty result means valid.
func Validate(data []byte) []Issue {
	_, issues := ParseDocument(data)
	return issues
}

// ParseDocument parses and validates a JSON policy document. It returns
// the document only when there are no issues.
func ParseDocument(data []byte) (*Document, []Issue) {
	var root any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, []Issue{{Path: "$", Kind: IssueSyntax, Message: "not valid JSON: " + err.Error()}}
	}
	if dec.More() {
		return nil, []Issue{{Path: "$", Kind: IssueSyntax, Message: "unexpected data after the JSON document"}}
	}
	duplicates := duplicateKeys(data)
	doc, issues := parseValue(root)
	if len(duplicates) > 0 {
		return nil, append(duplicates, issues...)
	}
	return doc, issues
}

// parseValue validates a decoded document (maps, slices, json.Number,
// strings, booleans).
func parseValue(root any) (*Document, []Issue) {
	var issues []Issue
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, []Issue{{Path: "$", Kind: IssueWrongType, Message: "expected an object, got " + jsonType(root)}}
	}
	doc := &Document{Values: map[string]json.RawMessage{}}
	for _, key := range sortedKeys(obj) {
		value := obj[key]
		switch key {
		case "schemaVersion":
			n, ok := value.(json.Number)
			if !ok {
				issues = append(issues, wrongType(key, "integer", value))
			} else if n.String() != strconv.Itoa(SchemaVersion) {
				issues = append(issues, Issue{Path: key, Kind: IssueOutOfRange,
					Message: fmt.Sprintf("unsupported version %s, this client reads version %d", n, SchemaVersion)})
			}
		case "settings":
			issues = checkNode(settingsTree(), value, "settings", issues)
			if m, ok := value.(map[string]any); ok {
				flatten(settingsTree(), m, doc.Values)
			}
		case "locked":
			issues = checkLocked(value, doc, issues)
		default:
			issues = append(issues, unknownKey(key, key, []string{"schemaVersion", "settings", "locked"}))
		}
	}
	if len(issues) == 0 {
		issues = checkConsistency(doc, issues)
	}
	if len(issues) > 0 {
		return nil, issues
	}
	return doc, nil
}

func checkLocked(value any, doc *Document, issues []Issue) []Issue {
	list, ok := value.([]any)
	if !ok {
		return append(issues, wrongType("locked", "array of setting paths", value))
	}
	known := nodePaths()
	for i, item := range list {
		path := fmt.Sprintf("locked[%d]", i)
		s, ok := item.(string)
		if !ok {
			issues = append(issues, wrongType(path, "string", item))
			continue
		}
		if nodeAt(s) == nil || s == "" {
			issues = append(issues, unknownKey(path, s, known))
			continue
		}
		doc.Locked = append(doc.Locked, s)
	}
	return issues
}

// checkNode validates value against n and appends the issues found.
func checkNode(n *node, value any, path string, issues []Issue) []Issue {
	switch n.kind {
	case kindObject:
		obj, ok := value.(map[string]any)
		if !ok {
			return append(issues, wrongType(path, "object", value))
		}
		names := make([]string, len(n.fields))
		for i, f := range n.fields {
			names[i] = f.name
		}
		for _, key := range sortedKeys(obj) {
			f := n.field(key)
			if f == nil {
				issues = append(issues, unknownKey(path+"."+key, key, names))
				continue
			}
			issues = checkNode(f, obj[key], path+"."+key, issues)
		}
	case kindBool:
		if _, ok := value.(bool); !ok {
			issues = append(issues, wrongType(path, "boolean", value))
		}
	case kindInt:
		issues = checkInt(n, value, path, issues)
	case kindString:
		s, ok := value.(string)
		if !ok {
			return append(issues, wrongType(path, "string", value))
		}
		issues = checkString(n, s, path, issues)
	case kindStringList:
		list, ok := value.([]any)
		if !ok {
			return append(issues, wrongType(path, "array of strings", value))
		}
		for i, item := range list {
			itemPath := fmt.Sprintf("%s[%d]", path, i)
			s, ok := item.(string)
			if !ok {
				issues = append(issues, wrongType(itemPath, "string", item))
				continue
			}
			issues = checkString(n, s, itemPath, issues)
		}
	case kindObjectList:
		list, ok := value.([]any)
		if !ok {
			return append(issues, wrongType(path, "array of objects", value))
		}
		for i, item := range list {
			issues = checkNode(n.elem, item, fmt.Sprintf("%s[%d]", path, i), issues)
		}
	}
	return issues
}

func checkInt(n *node, value any, path string, issues []Issue) []Issue {
	num, ok := value.(json.Number)
	if !ok {
		return append(issues, wrongType(path, "integer", value))
	}
	v, err := strconv.ParseInt(num.String(), 10, 64)
	if err != nil {
		return append(issues, Issue{Path: path, Kind: IssueWrongType,
			Message: fmt.Sprintf("expected an integer, got %s", num)})
	}
	if (n.min != nil && v < *n.min) || (n.max != nil && v > *n.max) {
		return append(issues, Issue{Path: path, Kind: IssueOutOfRange,
			Message: fmt.Sprintf("%d is out of range, use %d to %d", v, *n.min, *n.max)})
	}
	return issues
}

func checkString(n *node, s, path string, issues []Issue) []Issue {
	if len(n.enum) > 0 && !contains(n.enum, s) {
		return append(issues, Issue{Path: path, Kind: IssueInvalid,
			Message:    fmt.Sprintf("%q is not allowed, use one of %s", s, strings.Join(n.enum, ", ")),
			Suggestion: closest(s, n.enum)})
	}
	if s == "" {
		// An empty string means "not set" for every formatted value.
		return issues
	}
	switch n.format {
	case "regex":
		if _, err := regexp.Compile(s); err != nil {
			issues = append(issues, Issue{Path: path, Kind: IssueBadRegex,
				Message: "invalid regular expression: " + err.Error()})
		}
	case "domain":
		if !validDomain(s) {
			issues = append(issues, Issue{Path: path, Kind: IssueInvalid,
				Message: fmt.Sprintf("%q is not a domain name such as example.org", s)})
		}
	case "hostport":
		host, port, err := net.SplitHostPort(s)
		p, perr := strconv.Atoi(port)
		if err != nil || host == "" || perr != nil || p < 1 || p > 65535 {
			issues = append(issues, Issue{Path: path, Kind: IssueInvalid,
				Message: fmt.Sprintf("%q is not host:port such as syslog.example.org:6514", s)})
		}
	case "pem-certificates":
		if err := checkPEMCertificates(s); err != nil {
			issues = append(issues, Issue{Path: path, Kind: IssueInvalid, Message: err.Error()})
		}
	case "base64key":
		key, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(key) < 32 {
			issues = append(issues, Issue{Path: path, Kind: IssueInvalid,
				Message: "expected standard base64 of at least 32 bytes, for example the output of openssl rand -base64 32"})
		}
	case "ldap-url":
		if err := checkLDAPURL(s); err != nil {
			issues = append(issues, Issue{Path: path, Kind: IssueInvalid, Message: err.Error()})
		}
	case "dn":
		if _, err := ldap.ParseDN(s); err != nil {
			issues = append(issues, Issue{Path: path, Kind: IssueInvalid,
				Message: fmt.Sprintf("%q is not a distinguished name such as ou=people,dc=example,dc=org: %v", s, err)})
		}
	case "path":
		if !filepath.IsAbs(s) && !strings.HasPrefix(s, "/") {
			issues = append(issues, Issue{Path: path, Kind: IssueInvalid,
				Message: fmt.Sprintf("%q is not an absolute path", s)})
		}
	}
	return issues
}

// checkPEMCertificates requires at least one CERTIFICATE block, every one
// of them parseable, and nothing else in the text.
func checkPEMCertificates(s string) error {
	rest := []byte(s)
	count := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return fmt.Errorf("PEM block %q is not a CERTIFICATE", block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Errorf("certificate %d does not parse: %v", count+1, err)
		}
		count++
	}
	if count == 0 || len(bytes.TrimSpace(rest)) > 0 {
		return errors.New("expected PEM-encoded CERTIFICATE blocks only")
	}
	return nil
}

// checkLDAPURL accepts ldaps://host[:port] and ldap://host[:port] with
// nothing after the host but an optional slash.
func checkLDAPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "ldaps" && u.Scheme != "ldap") || u.Hostname() == "" {
		return fmt.Errorf("%q is not an LDAP URL such as ldaps://ldap.example.org or ldap://ldap.example.org:389", s)
	}
	if port := u.Port(); port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("%q has an invalid port; use 1 to 65535", s)
		}
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("%q has a path, query or user name; give only ldaps://host[:port] and set keyDiscovery.ldap.baseDN", s)
	}
	return nil
}

func validDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// checkConsistency applies the rules that span settings to the document
// laid over the defaults.
func checkConsistency(doc *Document, issues []Issue) []Issue {
	values := defaultValues()
	for path, raw := range doc.Values {
		values[path] = raw
	}
	s, err := settingsFromValues(values)
	if err != nil {
		return append(issues, Issue{Path: "settings", Kind: IssueInvalid, Message: err.Error()})
	}
	for _, issue := range crossCheck(s) {
		issue.Path = "settings." + issue.Path
		issues = append(issues, issue)
	}
	return issues
}

// crossCheck returns the rules that span settings and that s breaks. Paths
// are relative to the settings root.
func crossCheck(s Settings) []Issue {
	var issues []Issue
	if s.IdleLock.Minutes > s.IdleLock.MaxMinutes {
		issues = append(issues, Issue{Path: "idleLock.minutes", Kind: IssueInconsistent,
			Message: fmt.Sprintf("%d minutes exceeds idleLock.maxMinutes (%d)", s.IdleLock.Minutes, s.IdleLock.MaxMinutes)})
	}
	if len(s.Encryption.AllowedMethods) == 0 {
		issues = append(issues, Issue{Path: "encryption.allowedMethods", Kind: IssueInconsistent,
			Message: "no method allowed, so no message could be sent; allow at least openpgp"})
	}
	if s.Encryption.Required && contains(s.Encryption.AllowedMethods, MethodConsentedPlain) {
		issues = append(issues, Issue{Path: "encryption.allowedMethods", Kind: IssueInconsistent,
			Message: "consented-plain contradicts encryption.required; set required to false or remove consented-plain"})
	}
	f := s.Audit.Forwarding
	switch f.Target {
	case ForwardSyslog:
		if f.SyslogAddress == "" {
			issues = append(issues, Issue{Path: "audit.forwarding.syslogAddress", Kind: IssueInconsistent,
				Message: "missing, but target is syslog"})
		}
	case ForwardFile:
		if f.FilePath == "" {
			issues = append(issues, Issue{Path: "audit.forwarding.filePath", Kind: IssueInconsistent,
				Message: "missing, but target is file"})
		}
	}
	if f.Target != ForwardNone && f.PseudonymKey == "" {
		issues = append(issues, Issue{Path: "audit.forwarding.pseudonymKey", Kind: IssueInconsistent,
			Message: "missing, but forwarding is on; forwarded entries need pseudonyms"})
	}
	if contains(s.KeyDiscovery.Sources, "keyserver") && len(s.KeyDiscovery.KeyServers) == 0 {
		issues = append(issues, Issue{Path: "keyDiscovery.keyServers", Kind: IssueInconsistent,
			Message: "empty, but sources contains keyserver"})
	}
	if contains(s.KeyDiscovery.Sources, "ldap") {
		if s.KeyDiscovery.LDAP.URL == "" {
			issues = append(issues, Issue{Path: "keyDiscovery.ldap.url", Kind: IssueInconsistent,
				Message: "missing, but sources contains ldap"})
		}
		if s.KeyDiscovery.LDAP.BaseDN == "" {
			issues = append(issues, Issue{Path: "keyDiscovery.ldap.baseDN", Kind: IssueInconsistent,
				Message: "missing, but sources contains ldap"})
		}
	}
	for i, p := range s.AccountPresets {
		if p.IMAP.Host == "" || p.SMTP.Host == "" || p.IMAP.Port == 0 || p.SMTP.Port == 0 || p.IMAP.Security == "" || p.SMTP.Security == "" {
			issues = append(issues, Issue{Path: fmt.Sprintf("accountPresets[%d]", i), Kind: IssueInconsistent,
				Message: "imap and smtp each need host, port and security"})
		}
	}
	return issues
}

func wrongType(path, expected string, value any) Issue {
	return Issue{Path: path, Kind: IssueWrongType,
		Message: fmt.Sprintf("expected %s, got %s", expected, jsonType(value))}
}

func unknownKey(path, key string, known []string) Issue {
	return Issue{Path: path, Kind: IssueUnknownKey, Message: fmt.Sprintf("unknown key %q", key),
		Suggestion: closest(key, known)}
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}
