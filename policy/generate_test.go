package policy

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"howett.net/plist"
)

func TestGeneratedFilesUpToDate(t *testing.T) {
	for name, want := range GeneratedFiles() {
		got, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil {
			t.Fatalf("read %s: %v (run go generate ./policy)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the Settings type; run go generate ./policy and commit the result", name)
		}
	}
}

func TestGeneratedFilesDeterministic(t *testing.T) {
	first, second := GeneratedFiles(), GeneratedFiles()
	for name := range first {
		if !bytes.Equal(first[name], second[name]) {
			t.Errorf("%s changes between two runs", name)
		}
	}
}

func TestIntegerSettingsHaveBounds(t *testing.T) {
	check := func(n *node) {
		if n.kind == kindInt && (n.min == nil || n.max == nil) {
			t.Errorf("%s: integer setting without min and max tags", n.path)
		}
	}
	walkNodes(settingsTree(), check)
	for _, n := range leafIndex() {
		if n.elem != nil {
			walkNodes(n.elem, check)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(GenerateSchema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return sch
}

// The published schema and the Go validator must agree on every document
// whose problem the schema can express (rules that span settings and
// string formats are only in the validator).
func TestSchemaAgreesWithValidator(t *testing.T) {
	sch := compileSchema(t)
	documents := map[string]string{
		"empty":           `{}`,
		"defaults":        string(mustJSON(t, map[string]any{"schemaVersion": 1, "settings": Defaults()})),
		"locked group":    `{"settings":{"idleLock":{"minutes":3}},"locked":["idleLock"]}`,
		"unknown top key": `{"setings":{}}`,
		"unknown nested":  `{"settings":{"idleLock":{"minute":3}}}`,
		"wrong type":      `{"settings":{"encryption":{"required":"yes"}}}`,
		"out of range":    `{"settings":{"idleLock":{"minutes":0}}}`,
		"bad enum":        `{"settings":{"tls":{"minVersion":"1.0"}}}`,
		"bad locked path": `{"locked":["encryption.requird"]}`,
		"bad version":     `{"schemaVersion":2}`,
		"preset port":     `{"settings":{"accountPresets":[{"imap":{"port":70000}}]}}`,
		"float":           `{"settings":{"idleLock":{"minutes":2.5}}}`,
		"list item type":  `{"settings":{"internalDomains":[1]}}`,
	}
	for name, text := range documents {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		schemaOK := sch.Validate(inst) == nil
		ours := Validate([]byte(text))
		validatorOK := true
		for _, issue := range ours {
			if issue.Kind != IssueInconsistent {
				validatorOK = false
			}
		}
		if schemaOK != validatorOK {
			t.Errorf("%s: schema valid=%v, validator issues %v", name, schemaOK, ours)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkWellFormed decodes every token and returns the start elements.
func checkWellFormed(t *testing.T, name string, data []byte) []xml.StartElement {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var starts []xml.StartElement
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return starts
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			starts = append(starts, se.Copy())
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestADMXReferencesResolve(t *testing.T) {
	admx := checkWellFormed(t, "admx", GenerateADMX())
	adml := checkWellFormed(t, "adml", GenerateADML())

	strs, presentations := map[string]bool{}, map[string]bool{}
	for _, se := range adml {
		switch se.Name.Local {
		case "string":
			id := attr(se, "id")
			if strs[id] {
				t.Errorf("ADML string id %s defined twice", id)
			}
			strs[id] = true
		case "presentation":
			presentations[attr(se, "id")] = true
		}
	}

	ref := regexp.MustCompile(`^\$\((string|presentation)\.([^)]+)\)$`)
	policies, values := 0, map[string]int{}
	for _, se := range admx {
		if se.Name.Local == "policy" {
			policies++
		}
		if v := attr(se, "valueName"); v != "" {
			values[v]++
		}
		for _, a := range se.Attr {
			m := ref.FindStringSubmatch(a.Value)
			if m == nil {
				continue
			}
			if m[1] == "string" && !strs[m[2]] {
				t.Errorf("ADMX refers to missing string %s", m[2])
			}
			if m[1] == "presentation" && !presentations[m[2]] {
				t.Errorf("ADMX refers to missing presentation %s", m[2])
			}
		}
	}
	if want := 2 * len(leafPaths()); policies != want {
		t.Errorf("ADMX has %d policies, want %d (each setting locked and recommended)", policies, want)
	}
	for _, p := range leafPaths() {
		if values[p] != 2 {
			t.Errorf("registry value %s appears %d times in the ADMX, want 2", p, values[p])
		}
	}
}

func TestMobileConfigPayloadLoads(t *testing.T) {
	var profile map[string]any
	if _, err := plist.Unmarshal(GenerateMobileConfig(), &profile); err != nil {
		t.Fatalf("mobileconfig does not parse: %v", err)
	}
	content, ok := profile["PayloadContent"].([]any)
	if !ok || len(content) != 1 {
		t.Fatalf("PayloadContent = %#v, want one payload", profile["PayloadContent"])
	}
	payload := content[0].(map[string]any)
	if payload["PayloadType"] != PreferenceDomain {
		t.Errorf("PayloadType = %v, want %s", payload["PayloadType"], PreferenceDomain)
	}

	// macOS installs the payload as the managed preferences plist.
	path := filepath.Join(t.TempDir(), PreferenceDomain+".plist")
	data, err := plist.Marshal(payload, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	eff, report := Load(Locations{Managed: PlistReader{Path: path}})
	if len(report.Rejections) > 0 {
		t.Fatalf("example profile rejected: %v", report.Rejections)
	}
	s, _ := eff.Get("encryption.required")
	if !s.Locked || s.Source != SourceManaged {
		t.Errorf("encryption.required = %+v, want managed and locked", s)
	}
	s, _ = eff.Get("idleLock.minutes")
	if s.Locked {
		t.Errorf("idleLock.minutes locked by the example profile, want a default")
	}
}
