package ui

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/policy"
)

// managedNote marks a setting locked by a managed profile.
const managedNote = "Managed by your organisation"

// settingsWindow shows every effective setting. Settings locked by a
// managed profile are disabled and marked as managed.
func (s *Shell) showSettings() {
	w := s.app.NewWindow("Settings")
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	accounts := newActivityButton(s, "Mail accounts…", theme.AccountIcon(), func() { s.openAccounts() })
	w.SetContent(newActivityLayer(container.NewBorder(container.NewHBox(accounts), status, nil, nil,
		container.NewVScroll(settingsForm(s, s.client.Settings(), status))), s.activity))
	w.Resize(fyne.NewSize(760, 600))
	s.addChild(w)
	w.Show()
}

func settingsForm(s *Shell, settings []policy.Setting, status *widget.Label) *widget.Form {
	form := widget.NewForm()
	for _, st := range settings {
		form.AppendItem(settingItem(s, st, status))
	}
	return form
}

// settingItem builds the editor for one setting: a check for booleans,
// an entry for everything else, applied on Enter. A list of strings is
// edited as comma-separated text.
func settingItem(s *Shell, st policy.Setting, status *widget.Label) *widget.FormItem {
	path := st.Path
	apply := func(v any) {
		s.background(func() {
			err := s.client.SetSetting(path, v)
			fyne.Do(func() {
				if err != nil {
					status.SetText(err.Error())
					return
				}
				status.SetText("Saved " + path + ".")
			})
		})
	}

	var editor fyne.CanvasObject
	var b bool
	var list []string
	switch {
	case json.Unmarshal(st.Value, &b) == nil:
		c := newActivityCheck(s, "", func(v bool) { apply(v) })
		c.Checked = b
		if st.Locked {
			c.Disable()
		}
		editor = c
	case bytes.HasPrefix(bytes.TrimSpace(st.Value), []byte("[")) && json.Unmarshal(st.Value, &list) == nil:
		e := newActivityEntry(s)
		e.SetText(strings.Join(list, ", "))
		e.SetPlaceHolder("Values separated by commas")
		e.OnSubmitted = func(text string) { apply(parseSettingList(text)) }
		if st.Locked {
			e.Disable()
		}
		editor = e
	default:
		e := newActivityEntry(s)
		e.SetText(strings.Trim(string(st.Value), `"`))
		e.OnSubmitted = func(text string) { apply(parseSettingValue(text)) }
		if st.Locked {
			e.Disable()
		}
		editor = e
	}
	item := widget.NewFormItem(path, editor)
	if st.Locked {
		item.HintText = managedNote
	}
	return item
}

// parseSettingList splits comma-separated text into a list, without
// spaces around the values or empty ones.
func parseSettingList(text string) []string {
	list := []string{}
	for _, v := range strings.Split(text, ",") {
		if v = strings.TrimSpace(v); v != "" {
			list = append(list, v)
		}
	}
	return list
}

// parseSettingValue turns typed text into a JSON number when it is one,
// and a string otherwise. Policy validation rejects a wrong type.
func parseSettingValue(text string) any {
	if n, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil {
		return n
	}
	return text
}
