package policy

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunValidateListsEveryIssue(t *testing.T) {
	path := writeFile(t, t.TempDir(), "policy.json",
		`{"settings":{"idleLock":{"minuts":3,"maxMinutes":"10"},"tls":{"minVersion":"1.0"}}}`)
	var out bytes.Buffer
	err := RunValidate(&out, path)
	if ExitCode(err) != 1 {
		t.Fatalf("exit code %d, err %v; want 1", ExitCode(err), err)
	}
	text := out.String()
	for _, want := range []string{
		`settings.idleLock.minuts: unknown key "minuts" (did you mean "minutes"?)`,
		"settings.idleLock.maxMinutes: expected integer, got string",
		`settings.tls.minVersion: "1.0" is not allowed`,
		"3 issue(s)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

func TestRunValidateValidAndMissing(t *testing.T) {
	var out bytes.Buffer
	path := writeFile(t, t.TempDir(), "policy.json", `{"schemaVersion":1,"locked":["encryption"]}`)
	if err := RunValidate(&out, path); err != nil {
		t.Fatalf("valid file: %v", err)
	}
	if !strings.HasSuffix(out.String(), "valid\n") {
		t.Errorf("output = %q", out.String())
	}
	err := RunValidate(&out, filepath.Join(t.TempDir(), "absent.json"))
	if ExitCode(err) != 2 {
		t.Errorf("missing file: exit code %d, want 2", ExitCode(err))
	}
}

func TestRunValidatePlist(t *testing.T) {
	var out bytes.Buffer
	if err := RunValidate(&out, filepath.Join("testdata", "managed-preferences.plist")); err != nil {
		t.Fatalf("plist: %v\n%s", err, out.String())
	}
}

func TestRunShowText(t *testing.T) {
	loc := testLocations(t, `{"settings":{"idleLock":{"maxMinutes":10}},"locked":["idleLock.maxMinutes"]}`, "",
		`{"settings":{"remoteContent":{"allowed":true}}}`)
	var out bytes.Buffer
	if err := RunShow(&out, loc, ShowText); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix+" ") {
				return l
			}
		}
		t.Fatalf("no line for %s in:\n%s", prefix, out.String())
		return ""
	}
	if l := find("idleLock.maxMinutes"); !strings.Contains(l, "managed by your organisation") || !strings.Contains(l, "managed (") {
		t.Errorf("line = %q", l)
	}
	if l := find("remoteContent.allowed"); !strings.Contains(l, "true") || !strings.Contains(l, "user (") {
		t.Errorf("line = %q", l)
	}
	if l := find("tls.minVersion"); !strings.Contains(l, "default") || !strings.HasSuffix(strings.TrimSpace(l), "no") {
		t.Errorf("line = %q", l)
	}
}

func TestRunShowJSONFallBack(t *testing.T) {
	loc := testLocations(t, `{"settings":{"remoteContent":{"allowed":"yes"}}}`, "", "")
	var out bytes.Buffer
	err := RunShow(&out, loc, ShowJSON)
	if ExitCode(err) != 1 {
		t.Errorf("exit code %d, want 1 for a rejected managed source", ExitCode(err))
	}
	var parsed struct {
		FallBack   bool
		Settings   []Setting
		Rejections []Rejection
	}
	if err := json.Unmarshal(out.Bytes(), &parsed); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if !parsed.FallBack || len(parsed.Rejections) != 1 || len(parsed.Settings) != len(leafPaths()) {
		t.Errorf("parsed = %+v", parsed)
	}
	if !strings.Contains(parsed.Rejections[0].Reason, "settings.remoteContent.allowed") {
		t.Errorf("reason = %q", parsed.Rejections[0].Reason)
	}
}
