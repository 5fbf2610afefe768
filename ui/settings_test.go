package ui

import (
	"encoding/json"
	"slices"
	"testing"

	"fyne.io/fyne/v2/widget"

	"securemail/policy"
)

func TestSettingsListAsCommaText(t *testing.T) {
	c := newFakeClient()
	c.settings = []policy.Setting{
		{Path: "encryption.allowedMethods", Value: json.RawMessage(`["openpgp","smime"]`)},
		{Path: "internalDomains", Value: json.RawMessage(`[]`)},
	}
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	form := settingsForm(s, c.settings, widget.NewLabel(""))
	methods := form.Items[0].Widget.(*activityEntry)
	if methods.Text != "openpgp, smime" {
		t.Errorf("list shown as %q, want %q", methods.Text, "openpgp, smime")
	}
	methods.SetText("openpgp, smime,  password-pdf,")
	methods.OnSubmitted(methods.Text)
	got, ok := c.setCalls["encryption.allowedMethods"].([]string)
	if want := []string{"openpgp", "smime", "password-pdf"}; !ok || !slices.Equal(got, want) {
		t.Errorf("SetSetting value %#v, want %q", c.setCalls["encryption.allowedMethods"], want)
	}

	domains := form.Items[1].Widget.(*activityEntry)
	if domains.Text != "" {
		t.Errorf("empty list shown as %q", domains.Text)
	}
	domains.OnSubmitted("")
	if got, ok := c.setCalls["internalDomains"].([]string); !ok || len(got) != 0 || got == nil {
		t.Errorf("SetSetting value for a cleared list %#v, want an empty list", c.setCalls["internalDomains"])
	}
}
